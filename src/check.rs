//! The cross-check behind `cherenkov check`: every primitive, on every engine given, against an
//! independent reference, on edge cases and on random inputs from a printed seed.

use std::fmt;

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

/// Runs every check.
pub fn run(cfg: &CheckConfig) -> Vec<CheckRow> {
    let mut rows = Vec::new();
    check_field::<BabyBear>(cfg, &mut rows);
    check_field::<KoalaBear>(cfg, &mut rows);
    check_field::<BabyBear4>(cfg, &mut rows);
    check_field::<KoalaBear4>(cfg, &mut rows);
    check_field::<Bn254Fr>(cfg, &mut rows);
    check_field::<Bn254Fq>(cfg, &mut rows);
    check_g1(cfg, &mut rows);
    rows
}
