//! `cherenkov profile`: the main device operations run on a profiled emulator
//! ([`crate::backend::profile`]), each launch's access profile with its roofline estimate for
//! named GPUs ([`crate::roofline`]).

use ark_bn254::Fr;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::{trace, EmuConfig, Engine, KernelProfile};
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
    /// The quotient of Plonky3's Keccak-f AIR (`stark::quotient_values_on`) at 2^n trace rows
    /// (a 2^(n+1)-point quotient domain, random evaluations). Not in the default set.
    pub stark: Vec<u32>,
    /// A whole proof of the Keccak-f AIR at 2^n rows by `stark::prove_on` with
    /// `plonky3::config::on` (`FriSettings::default()`: blowup 2, 100 queries, 16 bits of query
    /// grinding): every kernel of the device prover (LDEs, trees, quotient, FRI's trees and
    /// folds, the proof-of-work search). Not in the default set.
    pub stark_proof: Vec<u32>,
}

impl Default for ProfileCases {
    fn default() -> Self {
        let s = Shape { log_height: 16, width: 16 };
        Self {
            ntt: vec![s],
            log_perms: Some(16),
            trees: vec![s],
            bn254: vec![12],
            g1: vec![12],
            g2: vec![10],
            stark: Vec::new(),
            stark_proof: Vec::new(),
        }
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
            + self.stark.len()
            + self.stark_proof.len()
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

/// One case: runs the operation on the engine it is given (inputs prepared first, outside the
/// returned time) and returns the time of the call itself. Callable again.
type Op<'a> = Box<dyn Fn(&Engine) -> Result<Duration> + 'a>;

fn timed<T>(call: impl FnOnce() -> Result<T>) -> Result<Duration> {
    let start = Instant::now();
    call()?;
    Ok(start.elapsed())
}

/// The cases as named operations.
fn operations(cases: &ProfileCases) -> Vec<(String, Op<'static>)> {
    let mut rng = StdRng::seed_from_u64(1);
    let mut matrix =
        |s: Shape| -> Vec<BabyBear> { (0..s.width << s.log_height).map(|_| BabyBear::random(&mut rng)).collect() };
    let c = Poseidon2Constants::babybear_default_16();
    let shift = <BabyBear as p3_field::Field>::GENERATOR;
    let fwd = Transform::new(Direction::Forward);
    let mut ops: Vec<(String, Op)> = Vec::new();
    for &s in &cases.ntt {
        let (m, w, dims) = (Arc::new(matrix(s)), s.width, format!("2^{} x {} BabyBear", s.log_height, s.width));
        let m2 = m.clone();
        ops.push((
            format!("ntt::transform_batch {dims}"),
            Box::new(move |e: &Engine| {
                let input = m.to_vec();
                timed(|| ntt::transform_batch(e, input, w, fwd))
            }),
        ));
        ops.push((
            format!("ntt::coset_lde_batch +1 bit {dims}"),
            Box::new(move |e: &Engine| {
                let input = m2.to_vec();
                timed(|| ntt::coset_lde_batch(e, input, w, 1, shift, Order::BitReversed))
            }),
        ));
    }
    if let Some(log) = cases.log_perms {
        let states = matrix(Shape { log_height: log, width: 16 });
        let c = c.clone();
        ops.push((
            format!("poseidon2::permute_batch 2^{log} states"),
            Box::new(move |e: &Engine| {
                let mut s = states.clone();
                timed(|| poseidon2::permute_batch(e, &c, &mut s))
            }),
        ));
    }
    for &s in &cases.trees {
        let (m, c) = (matrix(s), c.clone());
        ops.push((
            format!("merkle::build 2^{} x {} BabyBear", s.log_height, s.width),
            Box::new(move |e: &Engine| {
                let input = vec![RowMajorMatrix::new(m.clone(), s.width)];
                timed(|| crate::merkle::build(e, &c, input))
            }),
        ));
    }
    for &log in &cases.bn254 {
        let v: Vec<Bn254Fr> = (0..1usize << log).map(|_| Bn254Fr::random(&mut rng)).collect();
        ops.push((
            format!("ntt::transform_batch 2^{log} BN254 Fr"),
            Box::new(move |e: &Engine| {
                let input = v.clone();
                timed(|| ntt::transform_batch(e, input, 1, Transform::new(Direction::Forward)))
            }),
        ));
    }
    let cfg = MsmConfig::TRUSTED;
    for &log in &cases.g1 {
        let (g1, s) = super::msm_inputs::<ark_bn254::g1::Config>(1 << log, 1);
        ops.push((format!("msm::g1 2^{log} points"), Box::new(move |e: &Engine| timed(|| msm::g1(e, &g1, &s, &cfg)))));
    }
    for &log in &cases.g2 {
        let (g2, s) = super::msm_inputs::<ark_bn254::g2::Config>(1 << log, 2);
        let s: Vec<Fr> = s;
        ops.push((format!("msm::g2 2^{log} points"), Box::new(move |e: &Engine| timed(|| msm::g2(e, &g2, &s, &cfg)))));
    }
    for &log in &cases.stark {
        ops.push((format!("stark::quotient_values_on Keccak-f 2^{log} rows"), stark_quotient(log as usize, &mut rng)));
    }
    for &log in &cases.stark_proof {
        ops.push((format!("stark::prove_on Keccak-f 2^{log} rows (whole proof)"), stark_proof(log as usize)));
    }
    ops
}

/// A whole Keccak-f proof at 2^log rows (log ≥ 5: checked) by the device prover.
fn stark_proof(log: usize) -> Op<'static> {
    use crate::plonky3::config::{self, FriSettings};

    let fri = FriSettings::default();
    let air = p3_keccak_air::KeccakAir {};
    let trace = air.generate_random_trace_rows::<BabyBear>((1 << log) / 24, fri.log_blowup);
    Box::new(move |e: &Engine| {
        let config = config::on(Poseidon2Constants::babybear_default_16(), e.clone(), fri);
        let input = trace.clone();
        timed(|| crate::stark::prove_on(e, &config, &air, input, &[]))
    })
}

/// The Keccak-f AIR's quotient at 2^log rows on random evaluations (the program compiled
/// outside the timed call, as a prover compiles it once).
fn stark_quotient(log: usize, rng: &mut StdRng) -> Op<'static> {
    use p3_commit::PolynomialSpace;
    use p3_field::coset::TwoAdicMultiplicativeCoset;
    use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};

    use crate::plonky3::config::Challenge;
    use crate::stark::{quotient_values_on, ConstraintProgram};

    let air = p3_keccak_air::KeccakAir {};
    let width = p3_air::BaseAir::<BabyBear>::width(&air);
    let trace_domain = TwoAdicMultiplicativeCoset::new(BabyBear::ONE, log).expect("log ≤ 12: checked");
    let quotient_domain = trace_domain.create_disjoint_domain(2 << log);
    let values: Vec<BabyBear> = (0..width << (log + 1)).map(|_| BabyBear::random(rng)).collect();
    let evals = RowMajorMatrix::new(values, width);
    let alpha = Challenge::<BabyBear>::from_basis_coefficients_fn(|_| BabyBear::random(rng));
    Box::new(move |e: &Engine| {
        let program = ConstraintProgram::<BabyBear>::compile(&air)?;
        timed(|| quotient_values_on(e, &program, &[], trace_domain, quotient_domain, &evals, alpha))
    })
}

/// Profiles every case on a profiled emulator that reports `gpu`'s SMs, so grids are the ones
/// the launch plans make for that GPU (each case with its own `progress(operation)` call first).
pub fn run(cases: &ProfileCases, gpu: &GpuSpec, mut progress: impl FnMut(&str)) -> Result<Vec<OpProfile>> {
    let engine = Engine::emu(EmuConfig { profile: true, sm_count: gpu.sms, ..EmuConfig::default() });
    let mut out = Vec::with_capacity(cases.len());
    for (operation, op) in operations(cases) {
        progress(&operation);
        engine.take_profiles();
        op(&engine)?;
        out.push(OpProfile { operation, launches: engine.take_profiles() });
    }
    Ok(out)
}

/// Where one call's time went ([`crate::backend::trace`] spans: a traced launch waits for its
/// kernel, so launches are kernel time).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Split {
    pub wall: Duration,
    pub kernels: Duration,
    /// Uploads and downloads.
    pub transfers: Duration,
    /// Fresh device allocations.
    pub allocations: Duration,
    /// Encoding to and decoding from the device representation.
    pub conversions: Duration,
}

impl Split {
    /// What the spans do not cover: the rest of the host's work.
    pub fn host(&self) -> Duration {
        self.wall.saturating_sub(self.kernels + self.transfers + self.allocations + self.conversions)
    }
}

/// One case measured on a device engine.
#[derive(Debug, Clone)]
pub struct Measured {
    pub operation: String,
    /// The call of median wall time among the repetitions.
    pub median: Split,
    pub launches: usize,
}

/// Runs every case on `engine` once to warm up (resident twiddles, pooled memory), then
/// `reps` times traced, and keeps each case's median call.
pub fn measure(
    engine: &Engine,
    cases: &ProfileCases,
    reps: usize,
    mut progress: impl FnMut(&str),
) -> Result<Vec<Measured>> {
    let mut out = Vec::with_capacity(cases.len());
    for (operation, op) in operations(cases) {
        progress(&operation);
        op(engine)?;
        let mut runs = Vec::with_capacity(reps);
        let mut launches = 0;
        for _ in 0..reps.max(1) {
            let (wall, spans) = trace::collect(|| op(engine));
            let sum = |kinds: &[&str]| spans.iter().filter(|s| kinds.contains(&s.what)).map(|s| s.time).sum();
            launches = spans.iter().filter(|s| s.what == "launch").count();
            runs.push(Split {
                wall: wall?,
                kernels: sum(&["launch"]),
                transfers: sum(&["upload", "download"]),
                allocations: sum(&["alloc"]),
                conversions: sum(&["encode", "decode"]),
            });
        }
        runs.sort_by_key(|r| r.wall);
        out.push(Measured { operation, median: runs[runs.len() / 2], launches });
    }
    Ok(out)
}

/// Each operation's kernel estimate on `gpu`, µs, from a profile run.
pub fn estimates(ops: &[OpProfile], gpu: &GpuSpec) -> Vec<(String, f64)> {
    ops.iter().map(|op| (op.operation.clone(), op.estimate_us(gpu))).collect()
}

/// Each operation's kernel estimate on `gpu`, µs, from what [`to_json`] wrote.
pub fn estimates_from_json(json: &serde_json::Value, gpu: &GpuSpec) -> Result<Vec<(String, f64)>> {
    let bad = || crate::Error::InvalidArgument("--estimates: not the JSON of `cherenkov profile --json`".into());
    json.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|op| {
            let name = op.get("operation").and_then(|v| v.as_str()).ok_or_else(bad)?;
            let us = op.get("estimate_us").and_then(|e| e.get(gpu.name)).and_then(|v| v.as_f64()).ok_or_else(bad)?;
            Ok((name.to_string(), us))
        })
        .collect()
}

/// Measurements beside the profile's kernel estimates (µs, matched by operation): Markdown.
pub fn measured_table(device: &str, rows: &[Measured], estimates: &[(String, f64)], gpu: &GpuSpec) -> String {
    let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1e3);
    let mut out = format!(
        "| operation on {device} | call ms | kernels ms | transfers ms | allocations ms | conversions ms | rest of host ms | launches | estimate ({}) kernels ms |\n|---|---|---|---|---|---|---|---|---|\n",
        gpu.name
    );
    for r in rows {
        let estimate = estimates
            .iter()
            .find(|(op, _)| *op == r.operation)
            .map_or("-".to_string(), |(_, us)| format!("{:.3}", us / 1e3));
        let s = &r.median;
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {estimate} |\n",
            r.operation,
            ms(s.wall),
            ms(s.kernels),
            ms(s.transfers),
            ms(s.allocations),
            ms(s.conversions),
            ms(s.host()),
            r.launches
        );
    }
    out
}

/// The profiles and their estimates on every GPU of [`roofline::GPUS`], as JSON.
pub fn to_json(ops: &[OpProfile]) -> serde_json::Value {
    let launch = |p: &KernelProfile| {
        let estimates: serde_json::Map<String, serde_json::Value> = roofline::GPUS
            .iter()
            .map(|g| {
                let e = roofline::estimate(p, g);
                (g.name.to_string(), serde_json::json!({ "us": e.us, "dram_us": e.dram_us, "issue_us": e.issue_us, "thread_us": e.thread_us, "occupancy": e.occupancy }))
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
/// then the operations' totals on every GPU of [`roofline::GPUS`] (the same launches: grids sized
/// for the GPU the profile was run for).
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
                    roofline::Bound::Thread => "busiest thread",
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
