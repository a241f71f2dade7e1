//! `cherenkov bench msm`: BN254 G1 and G2 MSMs against arkworks' `VariableBaseMSM::msm` on the
//! same inputs (results compared before timing).

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::PrimeField;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

use super::{median_pair, BenchRow};
use crate::backend::Engine;
use crate::error::{Error, Result};
use crate::msm::{self, gpu::DeviceCurve, MsmConfig};

/// The MSM bench's settings.
#[derive(Debug, Clone)]
pub struct MsmBench {
    /// log2 numbers of points of the G1 cases.
    pub g1_log_sizes: Vec<u32>,
    /// log2 numbers of points of the G2 cases.
    pub g2_log_sizes: Vec<u32>,
    pub repetitions: usize,
    pub seed: u64,
}

impl Default for MsmBench {
    /// The MSM issue's targets: G1 at 2^16 and 2^20, G2 at 2^16.
    fn default() -> Self {
        Self { g1_log_sizes: vec![16, 20], g2_log_sizes: vec![16], repetitions: 5, seed: 1 }
    }
}

/// `n` random scalars and `n` distinct points (a random start, then steps of a random point,
/// in parallel chunks: far cheaper than n scalar multiplications).
pub fn inputs<P: SWCurveConfig<ScalarField = Fr>>(n: usize, seed: u64) -> (Vec<Affine<P>>, Vec<Fr>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut scalar = || Fr::from_le_bytes_mod_order(&rng.random::<[u8; 32]>());
    let scalars: Vec<Fr> = (0..n).map(|_| scalar()).collect();
    let (start, step) = (scalar(), Projective::<P>::generator() * scalar());
    let points: Vec<Projective<P>> = (0..n)
        .into_par_iter()
        .chunks(4096)
        .flat_map_iter(|chunk| {
            let mut p = Projective::<P>::generator() * (start + Fr::from(chunk[0] as u64));
            chunk.into_iter().map(move |_| {
                p += step;
                p
            })
        })
        .collect();
    (Projective::normalize_batch(&points), scalars)
}

const ARK: &str = "arkworks VariableBaseMSM::msm";

/// The raw MSM on trusted inputs (`adapter` false: arkworks does not validate either), or the
/// drop-in as users meet it (`adapter` true: `arkworks::msm_g1`/`msm_g2` build the engine and
/// check every base, on the curve and in the subgroup, on every call).
fn case<P: DeviceCurve>(engine: &Engine, curve: &str, log_n: u32, adapter: bool, cfg: &MsmBench) -> Result<BenchRow> {
    let (bases, scalars) = inputs::<P>(1 << log_n, cfg.seed ^ u64::from(log_n) << 32);
    let backend = engine.kind();
    let ours = |(): ()| {
        let sum = if adapter {
            msm::msm(&backend.engine()?, &bases, &scalars, &MsmConfig::default())
        } else {
            msm::msm(engine, &bases, &scalars, &MsmConfig::TRUSTED)
        };
        sum.map(|p| p.into_affine())
    };
    let peer = |(): ()| Projective::<P>::msm(&bases, &scalars).map(|p| p.into_affine());
    let mut case = format!("{curve} MSM 2^{log_n} points");
    if adapter {
        case += &format!(", arkworks::msm_{} (bases checked)", curve.to_lowercase());
    }
    if ours(())? != peer(()).map_err(|_| Error::Verification("arkworks: lengths".into()))? {
        return Err(Error::Verification(format!("{case}: the result differs from arkworks'")));
    }
    let (t_ours, t_peer) = median_pair(cfg.repetitions, || (), ours, peer);
    Ok(BenchRow { primitive: "msm", case, elements: 1 << log_n, ours: t_ours, peer_name: ARK, peer: t_peer })
}

/// Runs the MSM bench on `engine` (the raw MSMs, then the same cases through the arkworks
/// adapters); `progress` hears each case's name before it runs.
pub fn msm(engine: &Engine, cfg: &MsmBench, mut progress: impl FnMut(&str)) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    for (adapter, how) in [(false, ""), (true, " through the arkworks adapter")] {
        for &log_n in &cfg.g1_log_sizes {
            progress(&format!("G1 MSM 2^{log_n} points{how}"));
            rows.push(case::<ark_bn254::g1::Config>(engine, "G1", log_n, adapter, cfg)?);
        }
        for &log_n in &cfg.g2_log_sizes {
            progress(&format!("G2 MSM 2^{log_n} points{how}"));
            rows.push(case::<ark_bn254::g2::Config>(engine, "G2", log_n, adapter, cfg)?);
        }
    }
    Ok(rows)
}
