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

/// The shapes to profile. Each operation runs once on a fresh profiled emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileShapes {
    /// NTT, LDE and Merkle matrices: 2^log_rows rows of `width` BabyBear columns; Poseidon2:
    /// 2^log_rows states.
    pub log_rows: u32,
    pub width: usize,
    /// BN254 Fr FFT: 2^log_bn254 elements.
    pub log_bn254: u32,
    /// MSM: 2^log_msm G1 points, a quarter as many G2 points.
    pub log_msm: u32,
}

impl Default for ProfileShapes {
    fn default() -> Self {
        Self { log_rows: 14, width: 16, log_bn254: 12, log_msm: 12 }
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

/// Profiles every main operation at `shapes` (each with its own `progress(operation)` call first).
pub fn run(shapes: ProfileShapes, mut progress: impl FnMut(&str)) -> Result<Vec<OpProfile>> {
    let engine = Engine::emu(EmuConfig { profile: true, ..EmuConfig::default() });
    let mut rng = StdRng::seed_from_u64(1);
    let ProfileShapes { log_rows, width: w, log_bn254, log_msm } = shapes;
    let m: Vec<BabyBear> = (0..w << log_rows).map(|_| BabyBear::random(&mut rng)).collect();
    let states: Vec<BabyBear> = (0..16 << log_rows).map(|_| BabyBear::random(&mut rng)).collect();
    let dims = format!("2^{log_rows} x {w} BabyBear");
    let c = Poseidon2Constants::babybear_default_16();
    let shift = <BabyBear as p3_field::Field>::GENERATOR;
    let mut ops: Vec<(String, Op)> = vec![
        (
            format!("ntt::transform_batch {dims}"),
            Box::new(|e: &Engine| ntt::transform_batch(e, m.clone(), w, Transform::new(Direction::Forward)).map(drop)),
        ),
        (
            format!("ntt::coset_lde_batch +1 bit {dims}"),
            Box::new(|e: &Engine| ntt::coset_lde_batch(e, m.clone(), w, 1, shift, Order::BitReversed).map(drop)),
        ),
        (
            format!("poseidon2::permute_batch 2^{log_rows} states"),
            Box::new(|e: &Engine| poseidon2::permute_batch(e, &c, &mut states.clone())),
        ),
        (
            format!("merkle::build {dims}"),
            Box::new(|e: &Engine| crate::merkle::build(e, &c, vec![RowMajorMatrix::new(m.clone(), w)]).map(drop)),
        ),
    ];
    let bn: Vec<Bn254Fr> = (0..1usize << log_bn254).map(|_| Bn254Fr::random(&mut rng)).collect();
    ops.push((
        format!("ntt::transform_batch 2^{log_bn254} BN254 Fr"),
        Box::new(move |e: &Engine| ntt::transform_batch(e, bn, 1, Transform::new(Direction::Forward)).map(drop)),
    ));
    let n = 1usize << log_msm;
    let (g1, s) = super::msm_inputs::<ark_bn254::g1::Config>(n, 1);
    let (g2, _) = super::msm_inputs::<ark_bn254::g2::Config>(n / 4, 2);
    let s2: Vec<Fr> = s[..n / 4].to_vec();
    let cfg = MsmConfig { validate: false, ..MsmConfig::default() };
    ops.push((format!("msm::g1 2^{log_msm} points"), Box::new(move |e: &Engine| msm::g1(e, &g1, &s, &cfg).map(drop))));
    ops.push((
        format!("msm::g2 2^{} points", log_msm - 2),
        Box::new(move |e: &Engine| msm::g2(e, &g2, &s2, &cfg).map(drop)),
    ));
    let mut out = Vec::with_capacity(ops.len());
    for (name, op) in ops {
        progress(&name);
        out.push(profiled(&engine, name, op)?);
    }
    Ok(out)
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
