//! The MSM checks: a batch over one base set by a random linear combination (one host MSM for
//! the whole batch), a single MSM by recomputing it (there is nothing cheaper).

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use rand::rngs::StdRng;
use rayon::prelude::*;

use crate::backend::Engine;
use crate::msm::{gpu::DeviceCurve, MsmConfig};

type Check = std::result::Result<(), String>;

/// Σ_k ρ_k · outs[k] = MSM(bases, Σ_k ρ_k · sets[k]) for random ρ.
pub(crate) fn batch<P: DeviceCurve>(
    bases: &[Affine<P>],
    sets: &[&[Fr]],
    outs: &[Projective<P>],
    rng: &mut StdRng,
) -> Check {
    if sets.len() != outs.len() {
        return Err(format!("{} results for {} scalar vectors", outs.len(), sets.len()));
    }
    if sets.is_empty() {
        return Ok(());
    }
    let rho: Vec<Fr> = (0..sets.len()).map(|_| random_fr(rng)).collect();
    let mut combined = crate::mem::vec_filled(bases.len(), Fr::from(0u64)).map_err(|e| e.to_string())?;
    combined.par_iter_mut().enumerate().for_each(|(i, s)| *s = sets.iter().zip(&rho).map(|(set, r)| set[i] * r).sum());
    let lhs: Projective<P> = outs.iter().zip(&rho).map(|(o, r)| *o * r).sum();
    let cfg = MsmConfig::TRUSTED;
    let rhs = crate::msm::msm(&Engine::Cpu, bases, &combined, &cfg).map_err(|e| e.to_string())?;
    if lhs != rhs {
        return Err(format!("a random combination of the {} results differs from the host's MSM", outs.len()));
    }
    Ok(())
}

/// One MSM, recomputed on the host.
pub(crate) fn single<P: DeviceCurve>(bases: &[Affine<P>], scalars: &[Fr], out: &Projective<P>) -> Check {
    let cfg = MsmConfig::TRUSTED;
    let want = crate::msm::msm(&Engine::Cpu, bases, scalars, &cfg).map_err(|e| e.to_string())?;
    if *out != want {
        return Err("the result differs from the host's MSM".into());
    }
    Ok(())
}

fn random_fr(rng: &mut StdRng) -> Fr {
    use ark_ff::PrimeField;
    use rand::RngExt;
    Fr::from_le_bytes_mod_order(&rng.random::<[u8; 32]>())
}
