//! `cherenkov bench`: each primitive against its peer on the same inputs in the same process,
//! medians of several repetitions and their ratio. Criterion benches (`benches/`) stay for
//! development; this is for users comparing hardware.
//!
//! The peers run at their best only when built with their parallel features (this crate's
//! default `peers-parallel` feature) and both sides with the same `RUSTFLAGS`.

pub mod counts;
pub mod limits;
mod msm;
pub mod profile;
pub mod report;
pub mod verify;

pub use msm::{inputs as msm_inputs, msm, MsmBench};

use std::time::{Duration, Instant};

use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::Field;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use p3_commit::Mmcs as _;
use p3_field::PackedValue;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, Permutation, TruncatedPermutation};
use rayon::prelude::*;

use crate::backend::Engine;
use crate::error::Result;
use crate::field::{BabyBear, Bn254Fr, DeviceField};
use crate::ntt::{self, Direction, Order, Transform};
use crate::plonky3::Mmcs;
use crate::poseidon2::{self, Poseidon2Constants};

/// One measured case: cherenkov and its peer on the same input.
#[derive(Debug, Clone)]
pub struct BenchRow {
    pub primitive: &'static str,
    pub case: String,
    /// Field elements in the input.
    pub elements: usize,
    pub ours: Duration,
    pub peer_name: &'static str,
    pub peer: Duration,
}

impl BenchRow {
    /// Peer time over ours: above 1, cherenkov is faster.
    pub fn ratio(&self) -> f64 {
        self.peer.as_secs_f64() / self.ours.as_secs_f64()
    }
}

/// A matrix shape: 2^log_height rows of `width` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub log_height: u32,
    pub width: usize,
}

impl std::str::FromStr for Shape {
    type Err = String;
    /// `LOGxWIDTH`, e.g. `20x64` for 2^20 rows of 64 columns.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (h, w) = s.split_once(['x', 'X']).ok_or_else(|| format!("`{s}` is not LOGxWIDTH (e.g. 20x64)"))?;
        let log_height = h.trim().parse().map_err(|_| format!("`{h}` is not a log2 height"))?;
        let width = w.trim().parse().map_err(|_| format!("`{w}` is not a width"))?;
        if width == 0 || log_height > 27 {
            return Err(format!("`{s}`: width must be positive and height at most 2^27"));
        }
        Ok(Self { log_height, width })
    }
}

/// The NTT bench's settings.
#[derive(Debug, Clone)]
pub struct NttBench {
    /// BabyBear shapes, each benched as `dft_batch` and `coset_lde_batch` (+1 bit).
    pub shapes: Vec<Shape>,
    /// log2 sizes of the BN254 Fr FFT against arkworks.
    pub bn254_log_sizes: Vec<u32>,
    pub repetitions: usize,
    pub seed: u64,
}

impl Default for NttBench {
    /// The shapes of the NTT issue's targets.
    fn default() -> Self {
        Self {
            shapes: vec![
                Shape { log_height: 20, width: 64 },
                Shape { log_height: 16, width: 256 },
                Shape { log_height: 22, width: 16 },
            ],
            bn254_log_sizes: vec![20],
            repetitions: 5,
            seed: 1,
        }
    }
}

/// Medians of `reps` timed runs of each side; the two sides alternate (and swap who goes first)
/// so that drift in the machine's state hits both alike. Inputs are made and outputs dropped
/// outside the timed region.
fn median_pair<I, A, B>(
    reps: usize,
    input: impl Fn() -> I,
    ours: impl Fn(I) -> A,
    peer: impl Fn(I) -> B,
) -> (Duration, Duration) {
    let mut t_ours = Vec::with_capacity(reps);
    let mut t_peer = Vec::with_capacity(reps);
    let time_ours = |t: &mut Vec<Duration>| {
        let x = input();
        let t0 = Instant::now();
        let out = ours(x);
        t.push(t0.elapsed());
        drop(out);
    };
    let time_peer = |t: &mut Vec<Duration>| {
        let x = input();
        let t0 = Instant::now();
        let out = peer(x);
        t.push(t0.elapsed());
        drop(out);
    };
    // One untimed round of each: twiddle tables, thread pools, page-ins.
    drop(ours(input()));
    drop(peer(input()));
    for r in 0..reps.max(1) {
        if r % 2 == 0 {
            time_ours(&mut t_ours);
            time_peer(&mut t_peer);
        } else {
            time_peer(&mut t_peer);
            time_ours(&mut t_ours);
        }
    }
    (median(&mut t_ours), median(&mut t_peer))
}

fn median(t: &mut [Duration]) -> Duration {
    t.sort();
    t[t.len() / 2]
}

const P3: &str = "Plonky3 Radix2DitParallel";

/// Runs the NTT bench on `engine`; `progress` hears each case's name before it runs.
pub fn ntt(engine: &Engine, cfg: &NttBench, mut progress: impl FnMut(&str)) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let shift = BabyBear::GENERATOR;
    for &Shape { log_height, width } in &cfg.shapes {
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ (log_height as u64) << 32 ^ width as u64);
        let m: Vec<BabyBear> = (0..width << log_height).map(|_| BabyBear::random(&mut rng)).collect();
        let dims = format!("2^{log_height} x {width}");
        let case = format!("babybear dft {dims}");
        progress(&case);
        // Plonky3 returns its evaluations as bit-reversed storage behind a view (so does our
        // adapter): the native call with the same output order.
        let fwd = Transform::new(Direction::Forward).orders(Order::Natural, Order::BitReversed);
        // Errors surface before timing: one checked run.
        ntt::transform_batch(engine, m.clone(), width, fwd)?;
        let (ours, peer) = median_pair(
            cfg.repetitions,
            || m.clone(),
            |v| ntt::transform_batch(engine, v, width, fwd),
            |v| p3.dft_batch(RowMajorMatrix::new(v, width)),
        );
        rows.push(BenchRow { primitive: "ntt", case, elements: m.len(), ours, peer_name: P3, peer });
        let case = format!("babybear coset_lde +1 {dims}");
        progress(&case);
        // Plonky3's LDE result is bit-reversed storage behind a view; ours in the same order.
        ntt::coset_lde_batch(engine, m.clone(), width, 1, shift, Order::BitReversed)?;
        let (ours, peer) = median_pair(
            cfg.repetitions,
            || m.clone(),
            |v| ntt::coset_lde_batch(engine, v, width, 1, shift, Order::BitReversed),
            |v| p3.coset_lde_batch(RowMajorMatrix::new(v, width), 1, shift),
        );
        rows.push(BenchRow { primitive: "ntt", case, elements: m.len(), ours, peer_name: P3, peer });
    }
    for &log_n in &cfg.bn254_log_sizes {
        let max = <Bn254Fr as ntt::NttField>::TWO_ADICITY;
        if log_n as usize > max {
            return Err(crate::Error::HeightTooLarge { log_height: log_n as usize, max_log_height: max });
        }
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xb254 ^ log_n as u64);
        let v: Vec<Bn254Fr> = (0..1usize << log_n).map(|_| Bn254Fr::random(&mut rng)).collect();
        let domain = Radix2EvaluationDomain::<Bn254Fr>::new(v.len()).expect("2^log_n ≤ 2^TWO_ADICITY");
        let case = format!("bn254_fr fft 2^{log_n}");
        progress(&case);
        let fwd = Transform::new(Direction::Forward);
        ntt::transform_batch(engine, v.clone(), 1, fwd)?;
        let (ours, peer) = median_pair(
            cfg.repetitions,
            || v.clone(),
            |x| ntt::transform_batch(engine, x, 1, fwd),
            |mut x| {
                domain.fft_in_place(&mut x);
                x
            },
        );
        let peer_name = "arkworks Radix2EvaluationDomain";
        rows.push(BenchRow { primitive: "ntt", case, elements: v.len(), ours, peer_name, peer });
    }
    Ok(rows)
}

/// A batch of matrices committed in one tree, e.g. `20x8+19x16+18x32`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch(pub Vec<Shape>);

impl std::str::FromStr for Batch {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        s.split('+').map(str::parse).collect::<std::result::Result<Vec<Shape>, _>>().map(Self)
    }
}

impl std::fmt::Display for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|s| format!("2^{} x {}", s.log_height, s.width)).collect();
        f.write_str(&parts.join(" + "))
    }
}

/// The Merkle bench's settings.
#[derive(Debug, Clone)]
pub struct MerkleBench {
    /// Batches committed with Plonky3's Poseidon2-16 (BabyBear, default constants).
    pub batches: Vec<Batch>,
    /// log2 of the number of width-16 states permuted in the raw permutation case (`None`: no
    /// such case).
    pub log_perms: Option<u32>,
    pub repetitions: usize,
    pub seed: u64,
}

impl Default for MerkleBench {
    /// The shapes of the Poseidon2/Merkle issue's targets.
    fn default() -> Self {
        let s = |log_height, width| Shape { log_height, width };
        Self {
            batches: vec![Batch(vec![s(20, 16)]), Batch(vec![s(20, 8), s(19, 16), s(18, 32)])],
            log_perms: Some(20),
            repetitions: 5,
            seed: 1,
        }
    }
}

type P3Perm = p3_baby_bear::Poseidon2BabyBear<16>;
type P3Packing = <BabyBear as Field>::Packing;
type P3Mmcs = MerkleTreeMmcs<
    P3Packing,
    P3Packing,
    PaddingFreeSponge<P3Perm, 16, 8, 8>,
    TruncatedPermutation<P3Perm, 2, 8, 16>,
    2,
    8,
>;
const P3_MMCS: &str = "Plonky3 MerkleTreeMmcs (packed)";

/// Runs the Merkle bench on `engine`: commits against Plonky3's `MerkleTreeMmcs` (packed
/// Poseidon2, cap height 0), and raw Poseidon2-16 permutations against Plonky3's packed
/// permutation on rayon. Roots are compared before timing.
pub fn merkle(engine: &Engine, cfg: &MerkleBench, mut progress: impl FnMut(&str)) -> Result<Vec<BenchRow>> {
    let c = Poseidon2Constants::babybear_default_16();
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let ours = Mmcs::on(c.clone(), 0, engine.clone());
    let p3 = P3Mmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm.clone()), 0);
    let mut rows = Vec::new();
    for (b, batch) in cfg.batches.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ (b as u64) << 40);
        let mats: Vec<RowMajorMatrix<BabyBear>> = batch
            .0
            .iter()
            .map(|s| {
                RowMajorMatrix::new((0..s.width << s.log_height).map(|_| BabyBear::random(&mut rng)).collect(), s.width)
            })
            .collect();
        let elements = mats.iter().map(|m| m.values.len()).sum();
        let case = format!("babybear commit {batch}");
        progress(&case);
        let (cap, _) = ours.try_commit(mats.clone())?;
        if cap != p3.commit(mats.clone()).0 {
            return Err(crate::Error::Verification(format!("{case}: the roots differ from Plonky3's")));
        }
        let (t_ours, t_peer) = median_pair(cfg.repetitions, || mats.clone(), |m| ours.try_commit(m), |m| p3.commit(m));
        rows.push(BenchRow { primitive: "merkle", case, elements, ours: t_ours, peer_name: P3_MMCS, peer: t_peer });
    }
    let Some(log_perms) = cfg.log_perms else {
        return Ok(rows);
    };
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x9e2);
    let states: Vec<BabyBear> = (0..16usize << log_perms).map(|_| BabyBear::random(&mut rng)).collect();
    let case = format!("babybear poseidon2-16 x 2^{log_perms} permutations");
    progress(&case);
    let lanes = P3Packing::WIDTH;
    let p3_permute = |mut v: Vec<BabyBear>| {
        // Plonky3's packed permutation over lane-interleaved states, on rayon.
        v.par_chunks_exact_mut(16 * lanes).for_each(|chunk| {
            let packed: &mut [P3Packing] = P3Packing::pack_slice_mut(chunk);
            perm.permute_mut(<&mut [P3Packing; 16]>::try_from(packed).expect("16 packs"));
        });
        v
    };
    let (t_ours, t_peer) = median_pair(
        cfg.repetitions,
        || states.clone(),
        |mut v| poseidon2::permute_batch(engine, &c, &mut v).map(|_| v),
        p3_permute,
    );
    let peer_name = "Plonky3 Poseidon2BabyBear<16> (packed)";
    rows.push(BenchRow { primitive: "poseidon2", case, elements: states.len(), ours: t_ours, peer_name, peer: t_peer });
    Ok(rows)
}

/// The rows as a Markdown table (what the README shows).
pub fn table(engine: &str, rows: &[BenchRow]) -> String {
    let mut out = format!("| case | cherenkov {engine} | peer | peer time | ratio |\n|---|---|---|---|---|\n");
    for r in rows {
        // Raw permutations also read as a rate.
        let rate = |t: Duration| match r.primitive {
            "poseidon2" => format!(" ({:.1} M perms/s)", (r.elements / 16) as f64 / t.as_secs_f64() / 1e6),
            _ => String::new(),
        };
        out += &format!(
            "| {} | {:.1} ms{} | {} | {:.1} ms{} | {}{:.2}×{} |\n",
            r.case,
            r.ours.as_secs_f64() * 1e3,
            rate(r.ours),
            r.peer_name,
            r.peer.as_secs_f64() * 1e3,
            rate(r.peer),
            if r.ratio() >= 1.0 { "**" } else { "" },
            r.ratio(),
            if r.ratio() >= 1.0 { "**" } else { "" },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse() {
        assert_eq!("20x64".parse::<Shape>().unwrap(), Shape { log_height: 20, width: 64 });
        assert!("20".parse::<Shape>().is_err());
        assert!("28x1".parse::<Shape>().is_err());
        assert!("4x0".parse::<Shape>().is_err());
    }

    #[test]
    fn a_small_bench_runs_on_every_engine_here() {
        let cfg = NttBench {
            shapes: vec![Shape { log_height: 6, width: 3 }],
            bn254_log_sizes: vec![5],
            repetitions: 3,
            seed: 9,
        };
        let mut seen = Vec::new();
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            let rows = ntt(&engine, &cfg, |c| seen.push(c.to_string())).unwrap();
            assert_eq!(rows.len(), 3);
            assert!(rows.iter().all(|r| r.ours > Duration::ZERO && r.peer > Duration::ZERO && r.ratio().is_finite()));
            let t = table(&engine.name(), &rows);
            assert_eq!(t.lines().count(), 5, "{t}");
        }
        assert_eq!(seen.len(), 6);
    }

    #[test]
    fn a_small_msm_bench_runs_on_every_engine_here() {
        let cfg = MsmBench { g1_log_sizes: vec![6], g2_log_sizes: vec![4], repetitions: 3, seed: 9 };
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            let rows = msm(&engine, &cfg, |_| {}).unwrap();
            let cases: Vec<&str> = rows.iter().map(|r| r.case.as_str()).collect();
            assert_eq!(
                cases,
                [
                    "G1 MSM 2^6 points",
                    "G2 MSM 2^4 points",
                    "G1 MSM 2^6 points, arkworks::msm_g1 (bases checked)",
                    "G2 MSM 2^4 points, arkworks::msm_g2 (bases checked)"
                ]
            );
            assert!(rows.iter().all(|r| r.ratio().is_finite() && r.primitive == "msm"));
        }
    }

    #[test]
    fn a_small_merkle_bench_runs_on_every_engine_here() {
        assert_eq!("8x3+7x5".parse::<Batch>().unwrap().to_string(), "2^8 x 3 + 2^7 x 5");
        let cfg = MerkleBench {
            batches: vec!["6x3".parse().unwrap(), "6x9+5x16+4x2".parse().unwrap()],
            log_perms: Some(5),
            repetitions: 3,
            seed: 9,
        };
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            let rows = merkle(&engine, &cfg, |_| {}).unwrap();
            assert_eq!(rows.len(), 3);
            assert!(rows.iter().all(|r| r.ratio().is_finite()));
            assert!(table(&engine.name(), &rows).contains("M perms/s"));
        }
    }
}
