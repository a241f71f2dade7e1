//! The cross-check behind `cherenkov check`: every primitive, on every engine given, against an
//! independent reference, on edge cases and on random inputs from a printed seed.

use std::fmt;

mod hash;
mod msm;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::backend::Engine;
use crate::field::curve::{g1_apply, G1AffineRepr, G1Op, G1XyzzRepr};
use crate::field::{self, BabyBear, BabyBear4, Bn254Fq, Bn254Fr, DeviceField, FieldOp, KoalaBear, KoalaBear4};

/// The result of one case on one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// The first index where the engine and the reference differ, with both values.
    Mismatch {
        index: usize,
        got: String,
        expected: String,
    },
    /// The engine returned an error.
    Failed(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pass => f.write_str("ok"),
            Self::Mismatch { index, got, expected } => write!(f, "MISMATCH at {index}: got {got}, expected {expected}"),
            Self::Failed(e) => write!(f, "ERROR: {e}"),
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub primitive: &'static str,
    pub case: String,
    pub engine: String,
    pub n: usize,
    pub outcome: Outcome,
}

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub seed: u64,
    /// Random elements per case, on top of the edge cases.
    pub random: usize,
    pub engines: Vec<Engine>,
    /// log2 sizes for the size-dependent cases (NTT heights, Merkle tree heights, MSM points);
    /// empty: the built-in set, chosen to cover every kernel path in about a minute.
    pub log_sizes: Vec<u32>,
}

impl CheckConfig {
    /// `log_sizes` when given, else `default`.
    fn sizes_or(&self, default: &[u32]) -> Vec<u32> {
        if self.log_sizes.is_empty() {
            default.to_vec()
        } else {
            self.log_sizes.clone()
        }
    }
}

fn compare<T: PartialEq + fmt::Debug>(got: crate::Result<Vec<T>>, expected: &[T]) -> Outcome {
    match got {
        Err(e) => Outcome::Failed(e.to_string()),
        Ok(got) if got.len() != expected.len() => {
            Outcome::Failed(format!("{} results for {} inputs", got.len(), expected.len()))
        }
        Ok(got) => match got.iter().zip(expected).position(|(g, e)| g != e) {
            None => Outcome::Pass,
            Some(i) => {
                Outcome::Mismatch { index: i, got: format!("{:?}", got[i]), expected: format!("{:?}", expected[i]) }
            }
        },
    }
}

/// The seed of a randomized test: `CHERENKOV_SEED` when set, else a fresh one; printed to stderr
/// so a failure can be replayed. Shared by this crate's tests and the adapters'.
pub fn seed_from_env() -> u64 {
    let seed = std::env::var("CHERENKOV_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    });
    eprintln!("seed = {seed} (replay with CHERENKOV_SEED={seed})");
    seed
}

/// Inputs for a binary op: every pair of edge values, then `random` random pairs.
pub fn field_inputs<F: DeviceField>(seed: u64, random: usize) -> (Vec<F>, Vec<F>) {
    let edges = F::edge_values();
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut a, mut b): (Vec<F>, Vec<F>) = edges.iter().flat_map(|&x| edges.iter().map(move |&y| (x, y))).unzip();
    for _ in 0..random {
        a.push(F::random(&mut rng));
        b.push(F::random(&mut rng));
    }
    (a, b)
}

fn check_field<F: DeviceField>(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    let (a, b) = field_inputs::<F>(cfg.seed, cfg.random);
    for op in FieldOp::ALL {
        let expected: Vec<F> = a.iter().zip(&b).map(|(&x, &y)| F::reference_op(op, x, y)).collect();
        for engine in &cfg.engines {
            rows.push(CheckRow {
                primitive: "field",
                case: format!("{} {}", F::NAME, op.name()),
                engine: engine.name(),
                n: a.len(),
                outcome: compare(field::apply(engine, op, &a, &b), &expected),
            });
        }
    }
}

/// G1 inputs: (P, P), (P, -P), identities on either side, then random pairs, each XYZZ point
/// under a random scaling of its coordinates.
pub fn g1_inputs(seed: u64, random: usize) -> (Vec<G1XyzzRepr>, Vec<G1XyzzRepr>, Vec<G1AffineRepr>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let point = |rng: &mut StdRng| (G1Projective::generator() * Fr::random(rng)).into_affine();
    let g = G1Projective::generator().into_affine();
    let p = point(&mut rng);
    let inf = G1Affine::identity();
    let neg_p = (-G1Projective::from(p)).into_affine();
    let mut pairs = vec![(p, p), (p, neg_p), (inf, p), (p, inf), (inf, inf), (g, g), (g, p)];
    for _ in 0..random {
        pairs.push((point(&mut rng), point(&mut rng)));
    }
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    for (x, y) in pairs {
        a.push(G1XyzzRepr::from_ark_scaled(&x, Fq::random(&mut rng)));
        b.push(G1XyzzRepr::from_ark_scaled(&y, Fq::random(&mut rng)));
        c.push(G1AffineRepr::from_ark(&y));
    }
    (a, b, c)
}

fn check_g1(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    let (a, b, c) = g1_inputs(cfg.seed, cfg.random);
    for op in G1Op::ALL {
        let expected = g1_apply(&Engine::Cpu, op, &a, &b, &c).expect("reference inputs are valid points");
        for engine in &cfg.engines {
            rows.push(CheckRow {
                primitive: "g1",
                case: format!("bn254_g1 {}", op.name()),
                engine: engine.name(),
                n: a.len(),
                outcome: compare(g1_apply(engine, op, &a, &b, &c), &expected),
            });
        }
    }
}

/// One NTT call on an engine.
type NttRun<F> = Box<dyn Fn(&Engine) -> crate::Result<Vec<F>>>;

/// NTTs against Plonky3's `Radix2DitParallel` (31-bit fields and BabyBear^4) and arkworks'
/// `Radix2EvaluationDomain` (BN254 Fr): dft, idft, coset dft and coset LDE.
fn check_ntt<F>(cfg: &CheckConfig, rows: &mut Vec<CheckRow>)
where
    F: crate::ntt::NttField + p3_field::TwoAdicField + Ord,
{
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::{dense::RowMajorMatrix, Matrix};

    use crate::ntt::{self, Direction, Order, Transform};
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x4e54);
    let p3 = Radix2DitParallel::<F>::default();
    let shift = F::GENERATOR;
    // 2^13 rows take two passes on a device (a shared-memory pass holds up to 2^11).
    let shapes: Vec<(usize, usize)> = if cfg.log_sizes.is_empty() {
        vec![(0, 3), (1, 1), (6, 5), (11, 4), (13, 2)]
    } else {
        // The LDE case doubles the height: stay within the two-adicity.
        cfg.log_sizes.iter().map(|&l| ((l as usize).min(<F as crate::ntt::NttField>::TWO_ADICITY - 1), 2)).collect()
    };
    for &(log_n, w) in &shapes {
        let m: Vec<F> = (0..w << log_n).map(|_| F::random(&mut rng)).collect();
        let mat = RowMajorMatrix::new(m.clone(), w);
        let cases: [(&str, Vec<F>, NttRun<F>); 4] = [
            ("dft", p3.dft_batch(mat.clone()).to_row_major_matrix().values, {
                let m = m.clone();
                Box::new(move |e| ntt::transform_batch(e, m.clone(), w, Transform::new(Direction::Forward)))
            }),
            ("idft", p3.idft_batch(mat.clone()).values, {
                let m = m.clone();
                Box::new(move |e| ntt::transform_batch(e, m.clone(), w, Transform::new(Direction::Inverse)))
            }),
            ("coset dft", p3.coset_dft_batch(mat.clone(), shift).to_row_major_matrix().values, {
                let m = m.clone();
                Box::new(move |e| {
                    ntt::transform_batch(e, m.clone(), w, Transform::new(Direction::Forward).coset(shift))
                })
            }),
            ("coset lde +1", p3.coset_lde_batch(mat.clone(), 1, shift).to_row_major_matrix().values, {
                let m = m.clone();
                Box::new(move |e| ntt::coset_lde_batch(e, m.clone(), w, 1, shift, Order::Natural))
            }),
        ];
        for (name, want, run) in &cases {
            for engine in &cfg.engines {
                rows.push(CheckRow {
                    primitive: "ntt",
                    case: format!("{} {name} 2^{log_n}x{w}", F::NAME),
                    engine: engine.name(),
                    n: want.len(),
                    outcome: compare(run(engine), want),
                });
            }
        }
    }
}

/// The textbook O(n²) DFT of each column on shift·H: a reference that shares no code or
/// algorithm with any NTT.
fn naive_dft<F: crate::ntt::NttField>(coeffs: &[F], width: usize, shift: F) -> Vec<F> {
    let n = coeffs.len() / width;
    let g = F::root_of_unity(n.trailing_zeros() as usize);
    let mut out = vec![F::zero(); coeffs.len()];
    for i in 0..n {
        let x = shift * g.pow_u64(i as u64);
        for c in 0..width {
            let mut acc = F::zero();
            for j in (0..n).rev() {
                acc = acc * x + coeffs[j * width + c]; // Horner
            }
            out[i * width + c] = acc;
        }
    }
    out
}

fn bitrev_rows<T: Copy>(v: &[T], width: usize) -> Vec<T> {
    let n = v.len() / width;
    let bits = n.trailing_zeros();
    (0..n)
        .flat_map(|r| {
            let s = if bits == 0 { 0 } else { r.reverse_bits() >> (usize::BITS - bits) };
            v[s * width..(s + 1) * width].iter().copied()
        })
        .collect()
}

/// Every order combination, forward and inverse on a coset, against the naive DFT.
fn check_ntt_orders<F: crate::ntt::NttField>(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    use crate::ntt::{self, Direction, Order, Transform};
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x0d7);
    let shift = F::from_u64(7);
    for &(log_n, w) in &[(1usize, 2usize), (4, 3), (7, 1)] {
        let coeffs: Vec<F> = (0..w << log_n).map(|_| F::random(&mut rng)).collect();
        let evals = naive_dft(&coeffs, w, shift);
        for (input, output) in [(Order::Natural, Order::BitReversed), (Order::BitReversed, Order::Natural)] {
            let arrange = |v: &[F], o: Order| if o == Order::BitReversed { bitrev_rows(v, w) } else { v.to_vec() };
            let fwd = Transform::new(Direction::Forward).coset(shift).orders(input, output);
            let inv = Transform::new(Direction::Inverse).coset(shift).orders(output, input);
            let (c_in, e_out) = (arrange(&coeffs, input), arrange(&evals, output));
            for engine in &cfg.engines {
                for (name, got, want) in [
                    ("forward", ntt::transform_batch(engine, c_in.clone(), w, fwd), &e_out),
                    ("inverse", ntt::transform_batch(engine, e_out.clone(), w, inv), &c_in),
                ] {
                    rows.push(CheckRow {
                        primitive: "ntt",
                        case: format!("{} naive {name} {input:?}->{output:?} 2^{log_n}x{w}", F::NAME),
                        engine: engine.name(),
                        n: want.len(),
                        outcome: compare(got, want),
                    });
                }
            }
        }
    }
}

/// BabyBear^4 matrices through the `*_algebra` path, against Plonky3's.
fn check_ntt_extension(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_field::Field;
    use p3_matrix::{dense::RowMajorMatrix, Matrix};

    use crate::ntt::{self, Direction, Order, Transform};
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xe474);
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let shift = BabyBear::GENERATOR;
    let (log_n, w) = (6usize, 3usize);
    let m: Vec<BabyBear4> = (0..w << log_n).map(|_| BabyBear4::random(&mut rng)).collect();
    let mat = RowMajorMatrix::new(m.clone(), w);
    let dft_want = p3.coset_dft_algebra_batch(mat.clone(), shift).to_row_major_matrix().values;
    let lde_want = p3.coset_lde_algebra_batch(mat, 1, shift).to_row_major_matrix().values;
    for engine in &cfg.engines {
        let t = Transform::new(Direction::Forward).coset(shift);
        let dft = ntt::transform_batch_algebra(engine, m.clone(), w, t);
        let lde = ntt::coset_lde_batch_algebra(engine, m.clone(), w, 1, shift, Order::Natural);
        for (name, got, want) in [("coset dft", dft, &dft_want), ("coset lde +1", lde, &lde_want)] {
            rows.push(CheckRow {
                primitive: "ntt",
                case: format!("babybear4 {name} 2^{log_n}x{w}"),
                engine: engine.name(),
                n: want.len(),
                outcome: compare(got, want),
            });
        }
    }
}

fn check_ntt_bn254(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

    use crate::ntt::{self, Direction, Transform};
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xb254);
    for log_n in cfg.sizes_or(&[0, 3, 11]) {
        let log_n = (log_n as usize).min(<Fr as crate::ntt::NttField>::TWO_ADICITY);
        let v: Vec<Fr> = (0..1 << log_n).map(|_| Fr::random(&mut rng)).collect();
        let d = Radix2EvaluationDomain::<Fr>::new(1 << log_n).expect("power of two below 2^28");
        let g = Fr::from(5u64);
        let dc = d.get_coset(g).expect("5 is not in the subgroup");
        for (name, want, t) in [
            ("fft", d.fft(&v), Transform::new(Direction::Forward)),
            ("ifft", d.ifft(&v), Transform::new(Direction::Inverse)),
            ("coset fft", dc.fft(&v), Transform::new(Direction::Forward).coset(g)),
        ] {
            for engine in &cfg.engines {
                rows.push(CheckRow {
                    primitive: "ntt",
                    case: format!("bn254_fr {name} 2^{log_n}"),
                    engine: engine.name(),
                    n: v.len(),
                    outcome: compare(ntt::transform_batch(engine, v.clone(), 1, t), &want),
                });
            }
        }
    }
}

/// Runs every check.
pub fn run(cfg: &CheckConfig) -> Vec<CheckRow> {
    run_with_progress(cfg, |_, _| {})
}

/// The groups of cases [`run_with_progress`] reports, in order.
pub const GROUPS: [&str; 5] =
    ["field arithmetic", "BN254 G1 point arithmetic", "NTT", "Poseidon2 and Merkle trees", "MSM"];

/// Runs every check, telling `progress` the index (into [`GROUPS`]) and name of each group of
/// cases before it runs.
pub fn run_with_progress(cfg: &CheckConfig, mut on_group: impl FnMut(usize, &str)) -> Vec<CheckRow> {
    let mut step = 0;
    // Announces the next of GROUPS.
    let mut progress = || {
        on_group(step, GROUPS[step]);
        step += 1;
    };
    let mut rows = Vec::new();
    progress(); // field arithmetic
    check_field::<BabyBear>(cfg, &mut rows);
    check_field::<KoalaBear>(cfg, &mut rows);
    check_field::<BabyBear4>(cfg, &mut rows);
    check_field::<KoalaBear4>(cfg, &mut rows);
    check_field::<Bn254Fr>(cfg, &mut rows);
    check_field::<Bn254Fq>(cfg, &mut rows);
    progress(); // BN254 G1 point arithmetic
    check_g1(cfg, &mut rows);
    progress(); // NTT
    check_ntt::<BabyBear>(cfg, &mut rows);
    check_ntt::<KoalaBear>(cfg, &mut rows);
    check_ntt_extension(cfg, &mut rows);
    check_ntt_orders::<BabyBear>(cfg, &mut rows);
    check_ntt_orders::<Bn254Fr>(cfg, &mut rows);
    check_ntt_bn254(cfg, &mut rows);
    progress(); // Poseidon2 and Merkle trees
    hash::run(cfg, &mut rows);
    progress(); // MSM
    msm::run(cfg, &mut rows);
    rows
}

/// The rows as JSON: the seed, then one object per row with the outcome as `"ok"`,
/// `{"mismatch": {"index", "got", "expected"}}` or `{"error": "..."}`.
pub fn to_json(seed: u64, rows: &[CheckRow]) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                Outcome::Pass => serde_json::json!("ok"),
                Outcome::Mismatch { index, got, expected } => {
                    serde_json::json!({ "mismatch": { "index": index, "got": got, "expected": expected } })
                }
                Outcome::Failed(e) => serde_json::json!({ "error": e }),
            };
            serde_json::json!({
                "primitive": r.primitive, "case": r.case, "engine": r.engine, "n": r.n, "outcome": outcome,
            })
        })
        .collect();
    let failed = rows.iter().filter(|r| r["outcome"] != "ok").count();
    serde_json::json!({ "seed": seed, "passed": rows.len() - failed, "failed": failed, "rows": rows })
}
