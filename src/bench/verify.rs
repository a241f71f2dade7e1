//! `cherenkov bench verify`: what self-check mode ([`crate::verify`]) costs — each check timed
//! on the host against the cpu backend computing the same operation (the check's budget: a
//! small fraction of what the host would spend recomputing).

use std::time::{Duration, Instant};

use ark_bn254::Fr;
use p3_field::Field;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{msm_inputs, Shape};
use crate::backend::Engine;
use crate::error::{Error, Result};
use crate::field::{BabyBear, DeviceField};
use crate::merkle;
use crate::msm::{self, MsmConfig};
use crate::ntt::{self, Direction, Order, Transform};
use crate::poseidon2::{self, Poseidon2Constants};
use crate::verify;
use crate::verify::ntt::{Combiner, Relation};

/// The settings of the check-cost bench.
#[derive(Debug, Clone)]
pub struct VerifyBench {
    /// BabyBear shapes: each timed as a forward DFT and as a coset LDE by 2.
    pub ntt_shapes: Vec<Shape>,
    /// BabyBear Merkle trees of one matrix.
    pub merkle_shapes: Vec<Shape>,
    /// log2 of the Poseidon2-16 states permuted.
    pub log_perms: u32,
    /// (log2 points, scalar vectors) of BN254 G1 MSM batches.
    pub msm_batches: Vec<(u32, usize)>,
    /// Timed calls per measurement; the fastest counts.
    pub repetitions: usize,
    pub seed: u64,
}

impl Default for VerifyBench {
    fn default() -> Self {
        let s = |log_height, width| Shape { log_height, width };
        Self {
            ntt_shapes: vec![s(20, 64), s(22, 16)],
            merkle_shapes: vec![s(20, 16)],
            log_perms: 20,
            msm_batches: vec![(16, 8), (16, 32)],
            repetitions: 5,
            seed: 1,
        }
    }
}

/// One operation: the cpu's time for it and the self-check's time on its result.
#[derive(Debug, Clone)]
pub struct CheckCost {
    pub case: String,
    pub cpu: Duration,
    /// What checking a device call's result adds to it. For NTT/LDE, whose check combines the
    /// rows as they cross to and from the device: the transfers' extra time with the check
    /// over without it (on an emulated device: the same host passes as over PCIe), plus the
    /// evaluations. Elsewhere the check is a pass of its own: its time.
    pub check: Duration,
    /// The same check as a pass of its own over results in host memory (NTT/LDE only: what the
    /// fused LDE→commit path still pays).
    pub separate: Option<Duration>,
}

impl CheckCost {
    /// The check's time over the cpu's, in percent.
    pub fn percent(&self) -> f64 {
        100.0 * self.check.as_secs_f64() / self.cpu.as_secs_f64()
    }
}

/// The fastest of `reps` timed calls after one warm-up: the checks are differences of a few
/// milliseconds, and on a shared box a median still moves by more than that.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    drop(f());
    let mut t: Vec<Duration> = (0..reps.max(1))
        .map(|_| {
            let t0 = Instant::now();
            let out = f();
            let d = t0.elapsed();
            drop(out);
            d
        })
        .collect();
    t.sort_unstable();
    t[0]
}

fn ok(check: std::result::Result<(), String>, case: &str) -> Result<()> {
    check.map_err(|e| Error::Verification(format!("{case}: the check rejects a correct result: {e}")))
}

/// What the self-check adds to a device NTT call with input `m` and result `out`: the upload
/// and the download with the rows combined on the way over the same without, plus the
/// relation's evaluations on the combined rows (which must accept them).
#[allow(clippy::too_many_arguments)]
fn fused(
    gpu: &crate::backend::Gpu,
    m: &[BabyBear],
    out: &[BabyBear],
    width: usize,
    rel: Relation<BabyBear>,
    reps: usize,
    rng: &mut StdRng,
    case: &str,
) -> Result<Duration> {
    let on_device = gpu.upload(BabyBear::encode_slice(out).as_ref())?;
    let mut back = out.to_vec();
    let up = |c: Option<&Combiner<BabyBear>>| gpu.upload_visit(&BabyBear::encode_slice(m), c.map(Combiner::rows));
    let mut down = |c: Option<&Combiner<BabyBear>>| {
        BabyBear::download_into_visit(gpu, &on_device, &mut back, c.map(Combiner::rows))
    };
    let cin = Combiner::<BabyBear>::new(width, rng);
    let plain_up = time(reps, || up(None));
    let seen_up = time(reps, || up(Some(&cin.twin())));
    let plain_down = time(reps, || down(None));
    let seen_down = time(reps, || down(Some(&cin.twin())));
    let (a, b) = (cin.twin(), cin.twin());
    drop(up(Some(&a))?);
    down(Some(&b))?;
    let (ca, cb) = (a.finish(m.len() / width), b.finish(out.len() / width));
    let (ca, cb) = (ca.map_err(Error::Verification)?, cb.map_err(Error::Verification)?);
    ok(rel.holds(&ca, &cb, width, rng), case)?;
    let holds = time(reps, || rel.holds(&ca, &cb, width, rng));
    Ok(seen_up.saturating_sub(plain_up) + seen_down.saturating_sub(plain_down) + holds)
}

/// Runs the bench; `progress` hears each case's name first. Every check is also run once on
/// the result it is timed on and must accept it.
pub fn run(cfg: &VerifyBench, mut progress: impl FnMut(&str)) -> Result<Vec<CheckCost>> {
    let reps = cfg.repetitions;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut rows = Vec::new();
    let cpu = Engine::Cpu;
    let emu = crate::backend::Gpu::emu(crate::backend::EmuDevice::new(crate::backend::EmuConfig::default()));
    for &Shape { log_height, width } in &cfg.ntt_shapes {
        let m: Vec<BabyBear> = (0..width << log_height).map(|_| BabyBear::random(&mut rng)).collect();
        let case = format!("babybear dft 2^{log_height} x {width}");
        progress(&case);
        let t = Transform::new(Direction::Forward).orders(Order::Natural, Order::BitReversed);
        let out = ntt::transform_batch(&cpu, m.clone(), width, t)?;
        let rel = Relation::Transform(t);
        ok(verify::ntt::transform(&m, &out, width, &t, &mut rng), &case)?;
        let op = time(reps, || ntt::transform_batch(&cpu, m.clone(), width, t));
        let clone = time(reps, || m.clone());
        let separate = time(reps, || verify::ntt::transform(&m, &out, width, &t, &mut rng));
        let check = fused(&emu, &m, &out, width, rel, reps, &mut rng, &case)?;
        // The op's time includes cloning its input (it consumes it); the check's does not.
        rows.push(CheckCost { case, cpu: op.saturating_sub(clone), check, separate: Some(separate) });

        let case = format!("babybear coset_lde +1 2^{log_height} x {width}");
        progress(&case);
        let shift = BabyBear::GENERATOR;
        let out = ntt::coset_lde_batch(&cpu, m.clone(), width, 1, shift, Order::BitReversed)?;
        let rel = Relation::Lde { added_bits: 1, shift, order: Order::BitReversed };
        ok(verify::ntt::lde(&m, &out, width, 1, shift, Order::BitReversed, &mut rng), &case)?;
        let op = time(reps, || ntt::coset_lde_batch(&cpu, m.clone(), width, 1, shift, Order::BitReversed));
        let separate = time(reps, || verify::ntt::lde(&m, &out, width, 1, shift, Order::BitReversed, &mut rng));
        let check = fused(&emu, &m, &out, width, rel, reps, &mut rng, &case)?;
        rows.push(CheckCost { case, cpu: op.saturating_sub(clone), check, separate: Some(separate) });
    }
    let c = Poseidon2Constants::babybear_default_16();
    let samples = verify::SelfCheck::new(verify::OnFailure::Error).samples;
    for &Shape { log_height, width } in &cfg.merkle_shapes {
        let case = format!("babybear merkle commit 2^{log_height} x {width}");
        progress(&case);
        let m = RowMajorMatrix::new((0..width << log_height).map(|_| BabyBear::random(&mut rng)).collect(), width);
        let tree = merkle::build(&cpu, &c, vec![m.clone()])?;
        let layers = tree.digest_layers();
        let leaves = std::slice::from_ref(&m);
        ok(verify::merkle::tree(&c, leaves, tree.layout(), layers, samples, &mut rng), &case)?;
        let op = time(reps, || merkle::build(&cpu, &c, vec![m.clone()]));
        let check = time(reps, || verify::merkle::tree(&c, leaves, tree.layout(), layers, samples, &mut rng));
        rows.push(CheckCost { case, cpu: op, check, separate: None });
    }
    let case = format!("babybear poseidon2-16 x 2^{} permutations", cfg.log_perms);
    progress(&case);
    let states: Vec<BabyBear> = (0..16usize << cfg.log_perms).map(|_| BabyBear::random(&mut rng)).collect();
    let mut after = states.clone();
    poseidon2::permute_batch(&cpu, &c, &mut after)?;
    let op = time(reps, || {
        let mut s = states.clone();
        poseidon2::permute_batch(&cpu, &c, &mut s)
    });
    let check = time(reps, || {
        let before = verify::merkle::sampled_states::<BabyBear, 16>(&states, samples, &mut rng);
        verify::merkle::permutations(&c, &before, &after)
    });
    rows.push(CheckCost { case, cpu: op, check, separate: None });
    for &(log_n, k) in &cfg.msm_batches {
        let case = format!("G1 MSM batch of {k} x 2^{log_n} points");
        progress(&case);
        let (bases, _) = msm_inputs::<ark_bn254::g1::Config>(1 << log_n, cfg.seed);
        let sets: Vec<Vec<Fr>> = (0..k).map(|j| msm_inputs::<ark_bn254::g1::Config>(1 << log_n, j as u64).1).collect();
        let refs: Vec<&[Fr]> = sets.iter().map(|s| &s[..]).collect();
        let opts = MsmConfig::TRUSTED;
        let outs = msm::g1_batch(&cpu, &bases, &refs, &opts)?;
        ok(verify::msm::batch(&bases, &refs, &outs, &mut rng), &case)?;
        let op = time(reps, || msm::g1_batch(&cpu, &bases, &refs, &opts));
        let check = time(reps, || verify::msm::batch(&bases, &refs, &outs, &mut rng));
        rows.push(CheckCost { case, cpu: op, check, separate: None });
    }
    Ok(rows)
}

/// The rows as a Markdown table.
pub fn table(rows: &[CheckCost]) -> String {
    let mut out = String::from(
        "| operation | cpu backend | self-check of a device result | check / cpu | as a separate pass |\n|---|---|---|---|---|\n",
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for r in rows {
        let separate =
            r.separate.map_or("—".into(), |d| format!("{:.2} ms ({:.1}%)", ms(d), 100.0 * ms(d) / ms(r.cpu)));
        out += &format!(
            "| {} | {:.1} ms | {:.2} ms | {:.1}% | {separate} |\n",
            r.case,
            ms(r.cpu),
            ms(r.check),
            r.percent()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_check_cost_bench_runs() {
        let s = |log_height, width| Shape { log_height, width };
        let cfg = VerifyBench {
            ntt_shapes: vec![s(6, 3)],
            merkle_shapes: vec![s(5, 2)],
            log_perms: 4,
            msm_batches: vec![(5, 2)],
            repetitions: 1,
            seed: 3,
        };
        let rows = run(&cfg, |_| {}).unwrap();
        assert_eq!(rows.len(), 5);
        assert!(table(&rows).contains("| babybear dft 2^6 x 3 |"));
    }
}
