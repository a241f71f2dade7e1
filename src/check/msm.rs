//! MSM cases of `cherenkov check`: BN254 G1 and G2 against arkworks' `VariableBaseMSM::msm`
//! (compared as affine points) — random inputs and the edge cases (all-zero scalars, r − 1,
//! one repeated base, identity bases, P and −P together), batched, precomputed (factor 4) and,
//! on devices, chunked under a memory budget that forces several chunks; on CPUs where G1 runs
//! the AVX-512 IFMA path, the portable cpu path too.

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, PrimeField};

use super::{compare, CheckConfig, CheckRow, Outcome};
use crate::backend::Engine;
use crate::bench::msm_inputs;
use crate::msm::{self, gpu::DeviceCurve, MsmConfig, Precomputed};
use crate::Result;

type Case<P> = (String, Vec<Affine<P>>, Vec<Fr>);

fn cases<P: DeviceCurve>(n: usize, seed: u64) -> Vec<Case<P>> {
    let (bases, s) = msm_inputs::<P>(n, seed);
    let mut identities = bases.clone();
    identities.iter_mut().step_by(3).for_each(|p| *p = Affine::identity());
    let mut plus_minus = bases.clone();
    for i in (1..n).step_by(2) {
        plus_minus[i] = -plus_minus[i - 1];
    }
    vec![
        (format!("random n={n}"), bases.clone(), s.clone()),
        ("zero scalars".into(), bases.clone(), vec![Fr::ZERO; n]),
        ("scalars r-1".into(), bases.clone(), vec![-Fr::ONE; n]),
        ("repeated base".into(), vec![bases[0]; n], s.clone()),
        ("identity bases".into(), identities, s.clone()),
        ("P and -P".into(), plus_minus, s),
        ("n=1".into(), bases[..1].to_vec(), vec![-Fr::ONE]),
    ]
}

fn one<P: DeviceCurve>(r: Result<Projective<P>>) -> Result<Vec<Affine<P>>> {
    r.map(|p| vec![p.into_affine()])
}

fn check_curve<P: DeviceCurve>(cfg: &CheckConfig, curve: &'static str, n: usize, rows: &mut Vec<CheckRow>) {
    let opts = MsmConfig::default();
    let primitive = if curve == "G1" { "msm g1" } else { "msm g2" };
    // G1 and G2 on an IFMA CPU run vector code; the portable path (what other CPUs run) gets its
    // own rows.
    let portable = msm::cpu::bn254_path() != "portable" && cfg.engines.iter().any(|e| matches!(e, Engine::Cpu));
    let mut portable_rows = Vec::new();
    for (case, bases, s) in cases::<P>(n, cfg.seed) {
        let want = vec![Projective::<P>::msm(&bases, &s).expect("equal lengths").into_affine()];
        let outcomes: Vec<Outcome> =
            cfg.engines.iter().map(|engine| compare(one(msm::msm(engine, &bases, &s, &opts)), &want)).collect();
        if portable {
            // One row per engine, as the report expects: the cpu column is the portable path,
            // device columns repeat their outcome above.
            let ints: Vec<_> = s.iter().map(|x| x.into_bigint()).collect();
            for (engine, outcome) in cfg.engines.iter().zip(&outcomes) {
                let outcome = match engine {
                    Engine::Cpu => {
                        let layout = msm::Layout::auto_for::<P>(bases.len(), engine);
                        compare(msm::cpu::msm_portable(&bases, &ints, layout).map(|p| vec![p.into_affine()]), &want)
                    }
                    _ => outcome.clone(),
                };
                let case = format!("{case} (portable cpu path)");
                portable_rows.push(CheckRow { primitive, case, engine: engine.name(), n: bases.len(), outcome });
            }
        }
        for (engine, outcome) in cfg.engines.iter().zip(outcomes) {
            rows.push(CheckRow { primitive, case: case.clone(), engine: engine.name(), n: bases.len(), outcome });
        }
    }
    let mut push = |case: String, engine: &Engine, n: usize, got, want: &[Affine<P>]| {
        rows.push(CheckRow { primitive, case, engine: engine.name(), n, outcome: compare(got, want) });
    };
    let (bases, s) = msm_inputs::<P>(n, cfg.seed ^ 1);
    let (_, s2) = msm_inputs::<P>(1, cfg.seed ^ 2);
    let s2: Vec<Fr> = s.iter().map(|x| *x * s2[0]).collect();
    let want: Vec<Affine<P>> =
        [&s, &s2].iter().map(|s| Projective::<P>::msm(&bases, s).expect("equal lengths").into_affine()).collect();
    let table = Precomputed::new(&bases, 4, None, true);
    // One case at a time across the engines: the report lines rows up by case.
    for engine in &cfg.engines {
        let batch = msm::msm_batch(engine, &bases, &[&s, &s2], &opts).map(|v| Projective::normalize_batch(&v));
        push("batched x2".into(), engine, n, batch, &want);
    }
    for engine in &cfg.engines {
        let pre = table.as_ref().map_err(|e| crate::Error::Verification(e.to_string()));
        push("precomputed x4".into(), engine, n, pre.and_then(|t| one(t.msm(engine, &s, &opts))), &want[..1]);
    }
    // Every engine gets a row (the report lines up by case); the budget binds devices only.
    for engine in &cfg.engines {
        let layout = msm::Layout::auto_for::<P>(n, engine);
        let budget = msm::device_bytes(if curve == "G1" { 1 } else { 2 }, n / 3 + 1, layout.c, 1).unwrap_or(0);
        let chunked = MsmConfig { device_memory: Some(budget), ..opts };
        push(
            "chunked on devices (budget n/3)".into(),
            engine,
            n,
            one(msm::msm(engine, &bases, &s, &chunked)),
            &want[..1],
        );
    }
    rows.extend(portable_rows);
}

pub(super) fn run(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    let sizes: Vec<usize> = if cfg.log_sizes.is_empty() {
        vec![cfg.random.clamp(2, 1 << 12)]
    } else {
        cfg.log_sizes.iter().map(|&l| 1usize << l.min(30)).collect()
    };
    for n in sizes {
        check_curve::<ark_bn254::g1::Config>(cfg, "G1", n.max(2), rows);
        check_curve::<ark_bn254::g2::Config>(cfg, "G2", (n / 4).max(2), rows);
    }
}
