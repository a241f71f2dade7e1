//! `cherenkov profile`: the main device operations run on a profiled emulator
//! ([`crate::backend::profile`]), each launch's access profile with its roofline estimate for
//! named GPUs ([`crate::roofline`]).

use ark_bn254::Fr;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::backend::{EmuConfig, Engine, KernelProfile};
use crate::error::Result;
use crate::field::{BabyBear, Bn254Fr, DeviceField};
use crate::msm::{self, MsmConfig};
use crate::ntt::{self, Direction, Order, Transform};
use crate::poseidon2::{self, Poseidon2Constants};
use crate::roofline::{self, GpuSpec};

use super::Shape;

/// What to profile; each case runs once on a profiled emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCases {
    /// BabyBear matrices: a forward transform and a +1-bit coset LDE of each.
    pub ntt: Vec<Shape>,
    /// 2^log_perms Poseidon2-16 permutations (BabyBear, Plonky3's constants).
    pub log_perms: Option<u32>,
    /// Merkle trees of one BabyBear matrix each.
    pub trees: Vec<Shape>,
    /// BN254 Fr FFTs of 2^n elements.
    pub bn254: Vec<u32>,
    /// G1 and G2 MSMs of 2^n points.
    pub g1: Vec<u32>,
    pub g2: Vec<u32>,
}

impl Default for ProfileCases {
    fn default() -> Self {
        let s = Shape { log_height: 16, width: 16 };
        Self { ntt: vec![s], log_perms: Some(16), trees: vec![s], bn254: vec![12], g1: vec![12], g2: vec![10] }
    }
}

impl ProfileCases {
    pub fn len(&self) -> usize {
        2 * self.ntt.len()
            + usize::from(self.log_perms.is_some())
            + self.trees.len()
            + self.bn254.len()
            + self.g1.len()
            + self.g2.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One operation and the launches it made.
#[derive(Debug, Clone)]
pub struct OpProfile {
    pub operation: String,
    pub launches: Vec<KernelProfile>,
}

impl OpProfile {
    /// The operation's kernels on `gpu`: the sum of the launches' estimates, µs.
    pub fn estimate_us(&self, gpu: &GpuSpec) -> f64 {
        self.launches.iter().map(|p| roofline::estimate(p, gpu).us).sum()
    }
}

/// One operation to profile, on the engine it is given.
type Op<'a> = Box<dyn FnOnce(&Engine) -> Result<()> + 'a>;

fn profiled(engine: &Engine, operation: String, op: impl FnOnce(&Engine) -> Result<()>) -> Result<OpProfile> {
    engine.take_profiles();
    op(engine)?;
    Ok(OpProfile { operation, launches: engine.take_profiles() })
}

/// Profiles every case (each with its own `progress(operation)` call first).
pub fn run(cases: &ProfileCases, mut progress: impl FnMut(&str)) -> Result<Vec<OpProfile>> {
    let engine = Engine::emu(EmuConfig { profile: true, ..EmuConfig::default() });
    let mut rng = StdRng::seed_from_u64(1);
    let mut matrix = |s: Shape| -> Vec<BabyBear> {
        (0..s.width << s.log_height).map(|_| BabyBear::random(&mut rng)).collect()
    };
    let c = Poseidon2Constants::babybear_default_16();
    let shift = <BabyBear as p3_field::Field>::GENERATOR;
    let mut ops: Vec<(String, Op)> = Vec::new();
    for &s in &cases.ntt {
        let (m, w, dims) = (matrix(s), s.width, format!("2^{} x {} BabyBear", s.log_height, s.width));
        let m2 = m.clone();
        ops.push((
            format!("ntt::transform_batch {dims}"),
            Box::new(move |e: &Engine| ntt::transform_batch(e, m, w, Transform::new(Direction::Forward)).map(drop)),
        ));
        ops.push((
            format!("ntt::coset_lde_batch +1 bit {dims}"),
            Box::new(move |e: &Engine| ntt::coset_lde_batch(e, m2, w, 1, shift, Order::BitReversed).map(drop)),
        ));
    }
    if let Some(log) = cases.log_perms {
        let mut states = matrix(Shape { log_height: log, width: 16 });
        let c = c.clone();
        ops.push((
            format!("poseidon2::permute_batch 2^{log} states"),
            Box::new(move |e: &Engine| poseidon2::permute_batch(e, &c, &mut states)),
        ));
    }
    for &s in &cases.trees {
        let (m, c) = (matrix(s), c.clone());
        ops.push((
            format!("merkle::build 2^{} x {} BabyBear", s.log_height, s.width),
            Box::new(move |e: &Engine| crate::merkle::build(e, &c, vec![RowMajorMatrix::new(m, s.width)]).map(drop)),
        ));
    }
    for &log in &cases.bn254 {
        let v: Vec<Bn254Fr> = (0..1usize << log).map(|_| Bn254Fr::random(&mut rng)).collect();
        ops.push((
            format!("ntt::transform_batch 2^{log} BN254 Fr"),
            Box::new(move |e: &Engine| ntt::transform_batch(e, v, 1, Transform::new(Direction::Forward)).map(drop)),
        ));
    }
    let cfg = MsmConfig { validate: false, ..MsmConfig::default() };
    for &log in &cases.g1 {
        let (g1, s) = super::msm_inputs::<ark_bn254::g1::Config>(1 << log, 1);
        let cfg = cfg.clone();
        ops.push((format!("msm::g1 2^{log} points"), Box::new(move |e: &Engine| msm::g1(e, &g1, &s, &cfg).map(drop))));
    }
    for &log in &cases.g2 {
        let (g2, s) = super::msm_inputs::<ark_bn254::g2::Config>(1 << log, 2);
        let s: Vec<Fr> = s;
        let cfg = cfg.clone();
        ops.push((format!("msm::g2 2^{log} points"), Box::new(move |e: &Engine| msm::g2(e, &g2, &s, &cfg).map(drop))));
    }
    let mut out = Vec::with_capacity(ops.len());
    for (name, op) in ops {
        progress(&name);
        out.push(profiled(&engine, name, op)?);
    }
    Ok(out)
}

/// The profiles and their estimates on every GPU of [`roofline::GPUS`], as JSON.
pub fn to_json(ops: &[OpProfile]) -> serde_json::Value {
    let launch = |p: &KernelProfile| {
        let estimates: serde_json::Map<String, serde_json::Value> = roofline::GPUS
            .iter()
            .map(|g| {
                let e = roofline::estimate(p, g);
                (g.name.to_string(), serde_json::json!({ "us": e.us, "dram_us": e.dram_us, "issue_us": e.issue_us, "occupancy": e.occupancy }))
            })
            .collect();
        serde_json::json!({
            "kernel": p.kernel,
            "blocks": p.grid.volume(),
            "threads": p.block.volume(),
            "load_sectors_per_request": p.load_sectors_per_request(),
            "store_sectors_per_request": p.store_sectors_per_request(),
            "sector_efficiency": p.sector_efficiency(),
            "dram_bytes": p.dram_bytes(),
            "shared_requests": p.counts.shared_requests,
            "bank_conflict_ways": p.bank_conflict_ways(),
            "barriers_per_block": p.barriers_per_block(),
            "estimates": estimates,
        })
    };
    serde_json::Value::Array(
        ops.iter()
            .map(|op| {
                let totals: serde_json::Map<String, serde_json::Value> =
                    roofline::GPUS.iter().map(|g| (g.name.to_string(), op.estimate_us(g).into())).collect();
                serde_json::json!({
                    "operation": op.operation,
                    "estimate_us": totals,
                    "launches": op.launches.iter().map(launch).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The profiles as Markdown: a table per operation (one row per launch, estimates for `gpu`),
/// then the operations' totals on every GPU of [`roofline::GPUS`].
pub fn table(ops: &[OpProfile], gpu: &GpuSpec) -> String {
    let mut out = String::new();
    for op in ops {
        out += &format!(
            "\n**{}** — {} launches, kernels ≈ {:.1} µs on {}\n\n",
            op.operation,
            op.launches.len(),
            op.estimate_us(gpu),
            gpu.name
        );
        out += "| kernel | blocks × threads | ld sectors/req | st sectors/req | sector bytes used | DRAM | shared req | conflict ways | barriers/block | occupancy | est. µs | bound |\n";
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
        for p in &op.launches {
            let e = roofline::estimate(p, gpu);
            out += &format!(
                "| {} | {} × {} | {:.1} | {:.1} | {:.0}% | {} | {:.0} | {:.2} | {:.1} | {} | {:.2} | {} |\n",
                p.kernel,
                p.grid.volume(),
                p.block.volume(),
                p.load_sectors_per_request(),
                p.store_sectors_per_request(),
                100.0 * p.sector_efficiency(),
                bytes(p.dram_bytes()),
                p.counts.shared_requests,
                p.bank_conflict_ways(),
                p.barriers_per_block(),
                e.occupancy.map_or("-".into(), |o| format!("{:.0}%", 100.0 * o)),
                e.us,
                match e.bound {
                    roofline::Bound::Memory => "memory",
                    roofline::Bound::Issue => "issue",
                }
            );
        }
    }
    out += "\n| operation |";
    for g in roofline::GPUS {
        out += &format!(" {} µs |", g.name);
    }
    out += "\n|---|";
    out += &"---|".repeat(roofline::GPUS.len());
    out += "\n";
    for op in ops {
        out += &format!("| {} |", op.operation);
        for g in roofline::GPUS {
            out += &format!(" {:.1} |", op.estimate_us(g));
        }
        out += "\n";
    }
    out
}

fn bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}
