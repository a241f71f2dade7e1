//! `cherenkov::msm` and `cherenkov::arkworks::msm_g1/msm_g2` against arkworks'
//! `VariableBaseMSM::msm` on the same inputs (compared as affine points), one test body run on
//! every backend (cpu, emu under three schedules, cuda when present): random inputs from a logged
//! seed at sizes around the window and batch boundaries, and the edge cases — all-zero scalars,
//! scalars r − 1, repeated bases, identity bases, n = 1, n not a power of two, P and −P
//! together, small scalars; off-curve and out-of-subgroup bases rejected when validation is on;
//! batched, precomputed and chunked MSMs.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{Field, PrimeField, Zero};
use cherenkov::backend::{device_engines, EmuConfig, Schedule};
use cherenkov::msm::{self, gpu::DeviceCurve, MsmConfig, Precomputed};
use cherenkov::{Backend, Engine, Error};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

fn seed() -> u64 {
    let s = cherenkov::check::seed_from_env();
    println!("seed {s} (CHERENKOV_SEED to replay)");
    s
}

/// cpu, the emulator under the forward, reverse and a random schedule, cuda when present: the
/// counting sort's order within a bucket follows the schedule, the sums must not.
fn engines() -> Vec<Engine> {
    let mut e = vec![Engine::Cpu];
    e.extend(device_engines());
    e.push(Engine::emu(EmuConfig { schedule: Schedule::Random(0x5eed), ..EmuConfig::default() }));
    e
}

fn scalar(rng: &mut StdRng) -> Fr {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes[..]);
    Fr::from_le_bytes_mod_order(&bytes)
}

fn scalars(rng: &mut StdRng, n: usize) -> Vec<Fr> {
    (0..n).map(|_| scalar(rng)).collect()
}

/// `n` points k_i · G for random k_i.
fn points<P: SWCurveConfig<ScalarField = Fr>>(rng: &mut StdRng, n: usize) -> Vec<Affine<P>> {
    let ks = scalars(rng, n);
    let g = Projective::<P>::generator();
    let projective: Vec<_> = ks.par_iter().map(|k| g * k).collect();
    Projective::normalize_batch(&projective)
}

fn ark<P: SWCurveConfig<ScalarField = Fr>>(bases: &[Affine<P>], scalars: &[Fr]) -> Affine<P> {
    Projective::<P>::msm(bases, scalars).expect("equal lengths").into_affine()
}

fn ours<P: DeviceCurve>(engine: &Engine, bases: &[Affine<P>], s: &[Fr], cfg: &MsmConfig) -> Affine<P> {
    msm::msm(engine, bases, s, cfg).unwrap_or_else(|e| panic!("{}: {e}", engine.name())).into_affine()
}

/// A named input: bases and scalars.
type Case<P> = (&'static str, Vec<Affine<P>>, Vec<Fr>);

/// The edge-case inputs built from random bases and scalars.
fn edge_cases<P: SWCurveConfig<ScalarField = Fr>>(bases: &[Affine<P>], s: &[Fr]) -> Vec<Case<P>> {
    let n = bases.len();
    let minus_one = -Fr::ONE;
    let mut with_identity = bases.to_vec();
    for p in with_identity.iter_mut().step_by(3) {
        *p = Affine::identity();
    }
    let mut plus_minus = bases.to_vec();
    for i in (1..n).step_by(2) {
        plus_minus[i] = -plus_minus[i - 1];
    }
    let mixed: Vec<Fr> = s
        .iter()
        .enumerate()
        .map(|(i, &x)| match i % 5 {
            0 => Fr::ZERO,
            1 => Fr::ONE,
            2 => minus_one,
            3 => Fr::from(1u64 << (i % 64)),
            _ => x,
        })
        .collect();
    vec![
        ("random", bases.to_vec(), s.to_vec()),
        ("all-zero scalars", bases.to_vec(), vec![Fr::ZERO; n]),
        ("scalars r-1", bases.to_vec(), vec![minus_one; n]),
        ("repeated base", vec![bases[0]; n], s.to_vec()),
        ("repeated base and scalar", vec![bases[0]; n], vec![s[0]; n]),
        ("identity bases", with_identity, s.to_vec()),
        ("P and -P", plus_minus.clone(), s.to_vec()),
        ("P and -P, equal scalars", plus_minus, vec![s[0]; n]),
        ("0, 1, r-1, powers of two", bases.to_vec(), mixed),
        // Digits reach few buckets in every window (the cpu spreads them over bucket copies).
        ("small scalars (< 2^8)", bases.to_vec(), (0..n as u64).map(|i| Fr::from(i * 37 % 256)).collect()),
    ]
}

fn equals_arkworks<P: DeviceCurve>(curve: &str, sizes: &[usize]) {
    let mut rng = StdRng::seed_from_u64(seed());
    let cfg = MsmConfig::default();
    for &n in sizes {
        let bases = points::<P>(&mut rng, n);
        let s = scalars(&mut rng, n);
        for (case, b, s) in edge_cases(&bases, &s) {
            let want = ark(&b, &s);
            for engine in engines() {
                assert_eq!(ours(&engine, &b, &s, &cfg), want, "{curve}, n = {n}, {case}, {}", engine.name());
            }
        }
    }
}

#[test]
fn g1_equals_arkworks() {
    equals_arkworks::<ark_bn254::g1::Config>("G1", &[1, 2, 3, 16, 17, 100, 513, 1000, 4096]);
}

/// The portable cpu path (arkworks field arithmetic), which CPUs without AVX-512 IFMA take: on
/// the same edge cases, whatever path `msm::g1`/`msm::g2` take here, at the automatic window
/// and at `windows` (a batch takes a quarter of the buckets, 8 to 512 additions, and points for
/// a bucket already in the batch wait or go to its side sum: few buckets exercise both).
fn portable_equals_arkworks<P: DeviceCurve>(curve: &str, sizes: &[usize], windows: &[u32]) {
    println!("this machine's cpu MSM path: {}", msm::cpu::bn254_path());
    let mut rng = StdRng::seed_from_u64(seed());
    for &n in sizes {
        let bases = points::<P>(&mut rng, n);
        let s = scalars(&mut rng, n);
        let layouts = std::iter::once(msm::Layout::auto_for::<P>(n, &Engine::Cpu))
            .chain(windows.iter().map(|&c| msm::Layout::new(c, 1).unwrap()));
        for layout in layouts {
            for (case, b, s) in edge_cases(&bases, &s) {
                let ints: Vec<_> = s.iter().map(|x| x.into_bigint()).collect();
                let got = msm::cpu::msm_portable(&b, &ints, layout).unwrap().into_affine();
                assert_eq!(got, ark(&b, &s), "{curve} portable, n = {n}, c = {}, {case}", layout.c);
            }
        }
    }
}

#[test]
fn portable_cpu_path_equals_arkworks() {
    portable_equals_arkworks::<ark_bn254::g1::Config>("G1", &[17, 1000, 4096], &[3, 5, 13]);
    portable_equals_arkworks::<ark_bn254::g2::Config>("G2", &[17, 1000], &[4]);
}

/// Windows of 3 to 16 bits on the cpu (the IFMA path fills and flushes its batches at different
/// bucket counts, spreads few-bucket windows over copies, and G1's reduction cuts the buckets
/// into eight segments from 8 buckets up).
fn cpu_window_sizes<P: DeviceCurve>(curve: &str, n: usize) {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<P>(&mut rng, n);
    let s = scalars(&mut rng, n);
    for (case, b, s) in edge_cases(&bases, &s) {
        let want = ark(&b, &s);
        for c in [3, 4, 5, 8, 11, 16] {
            let cfg = MsmConfig { window_bits: Some(c), ..MsmConfig::default() };
            assert_eq!(ours(&Engine::Cpu, &b, &s, &cfg), want, "{curve}, c = {c}, {case}");
        }
    }
}

#[test]
fn cpu_window_sizes_on_edge_cases() {
    cpu_window_sizes::<ark_bn254::g1::Config>("G1", 3000);
    cpu_window_sizes::<ark_bn254::g2::Config>("G2", 3000);
}

#[test]
fn g2_equals_arkworks() {
    equals_arkworks::<ark_bn254::g2::Config>("G2", &[1, 5, 17, 300, 1024]);
}

#[test]
fn window_sizes_and_empty_input() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 200);
    let s = scalars(&mut rng, 200);
    let want = ark(&bases, &s);
    for engine in engines() {
        for c in [2, 5, 13, 16] {
            let cfg = MsmConfig { window_bits: Some(c), ..MsmConfig::default() };
            assert_eq!(ours(&engine, &bases, &s, &cfg), want, "c = {c}, {}", engine.name());
        }
        assert!(msm::g1(&engine, &[], &[], &MsmConfig::default()).unwrap().is_zero());
        assert!(msm::g2(&engine, &[], &[], &MsmConfig::default()).unwrap().is_zero());
    }
    let bad = MsmConfig { window_bits: Some(1), ..MsmConfig::default() };
    assert!(matches!(msm::g1(&Engine::Cpu, &bases, &s, &bad), Err(Error::InvalidShape(_))));
}

#[test]
fn bad_inputs_are_typed_errors() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 8);
    let s = scalars(&mut rng, 8);
    let cfg = MsmConfig::default();
    for engine in engines() {
        let short = msm::g1(&engine, &bases, &s[..7], &cfg);
        assert!(matches!(short, Err(Error::LengthMismatch { expected: 8, got: 7, .. })), "{short:?}");

        let mut off = bases.clone();
        off[5] = G1Affine::new_unchecked(off[5].x, off[5].y + ark_bn254::Fq::ONE);
        assert!(matches!(msm::g1(&engine, &off, &s, &cfg), Err(Error::NotOnCurve { index: 5 })));
        let batch = msm::g1_batch(&engine, &off, &[&s, &s], &cfg);
        assert!(matches!(batch, Err(Error::NotOnCurve { index: 5 })));

        let g2 = points::<ark_bn254::g2::Config>(&mut rng, 4);
        let mut off2 = g2.clone();
        off2[2] = G2Affine::new_unchecked(off2[2].x, off2[2].y + ark_bn254::Fq2::ONE);
        assert!(matches!(msm::g2(&engine, &off2, &s[..4], &cfg), Err(Error::NotOnCurve { index: 2 })));
        // A point on the twist outside the order-r subgroup (G2's cofactor is not 1).
        off2[2] = outside_g2();
        assert!(matches!(msm::g2(&engine, &off2, &s[..4], &cfg), Err(Error::NotInSubgroup { index: 2 })));
    }
}

#[test]
fn batched_msms_equal_one_at_a_time() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 300);
    let sets: Vec<Vec<Fr>> = (0..3).map(|_| scalars(&mut rng, 300)).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(Vec::as_slice).collect();
    let g2 = points::<ark_bn254::g2::Config>(&mut rng, 40);
    let cfg = MsmConfig::default();
    for engine in engines() {
        let got = msm::g1_batch(&engine, &bases, &refs, &cfg).unwrap();
        for (g, s) in got.iter().zip(&sets) {
            assert_eq!(g.into_affine(), ark(&bases, s), "{}", engine.name());
        }
        let got = msm::g2_batch(&engine, &g2, &[&sets[0][..40], &sets[1][..40]], &cfg).unwrap();
        assert_eq!(got[1].into_affine(), ark(&g2, &sets[1][..40]), "{}", engine.name());
    }
}

#[test]
fn precomputed_bases_equal_arkworks() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 257);
    let g2 = points::<ark_bn254::g2::Config>(&mut rng, 33);
    let s = scalars(&mut rng, 257);
    let cfg = MsmConfig::default();
    for (factor, c) in [(1, None), (2, Some(8)), (4, None), (7, Some(6))] {
        let table = Precomputed::new(&bases, factor, c, true).unwrap();
        assert_eq!(table.table().len(), 257 * factor as usize);
        let table2 = Precomputed::new(&g2, factor, c, true).unwrap();
        for engine in engines() {
            let got = table.msm(&engine, &s, &cfg).unwrap().into_affine();
            assert_eq!(got, ark(&bases, &s), "factor {factor}, {}", engine.name());
            let got = table2.msm(&engine, &s[..33], &cfg).unwrap().into_affine();
            assert_eq!(got, ark(&g2, &s[..33]), "G2 factor {factor}, {}", engine.name());
        }
    }
    let table = Precomputed::new(&bases, 2, None, true).unwrap();
    assert!(matches!(table.msm(&Engine::Cpu, &s[..5], &cfg), Err(Error::LengthMismatch { .. })));
    assert!(matches!(Precomputed::new(&bases, 0, None, true), Err(Error::InvalidShape(_))));
}

#[test]
fn device_msms_larger_than_the_memory_budget_are_chunked() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 1000);
    let s = scalars(&mut rng, 1000);
    let want = ark(&bases, &s);
    let layout = msm::Layout::new(8, 1).unwrap();
    let whole = msm::device_bytes(1, 1000, 8, 1).unwrap();
    // The bucket tables are a fixed cost; a budget that fits a third of the points.
    let budget = msm::device_bytes(1, 334, 8, 1).unwrap();
    let chunk = msm::chunk_points::<ark_bn254::g1::Config>(1000, layout, budget).unwrap();
    assert!((250..=334).contains(&chunk) && msm::device_bytes(1, chunk, 8, 1).unwrap() <= budget, "chunk {chunk}");
    let cfg = MsmConfig { window_bits: Some(8), device_memory: Some(budget), ..MsmConfig::default() };
    let table = Precomputed::new(&bases, 3, Some(8), true).unwrap();
    for engine in device_engines() {
        assert_eq!(ours(&engine, &bases, &s, &cfg), want, "{}", engine.name());
        assert_eq!(table.msm(&engine, &s, &cfg).unwrap().into_affine(), want, "{}", engine.name());
        let tiny = MsmConfig { device_memory: Some(64), ..cfg };
        assert!(matches!(msm::g1(&engine, &bases, &s, &tiny), Err(Error::OutOfMemory { .. })));
    }
    // The estimate grows with n, with copies (at sizes where the points dominate), with the field.
    assert!(msm::device_bytes(1, 2000, 8, 1).unwrap() > whole);
    assert!(msm::device_bytes(1, 1 << 20, 16, 4).unwrap() > msm::device_bytes(1, 1 << 20, 16, 1).unwrap());
    assert!(msm::device_bytes(2, 1000, 8, 1).unwrap() > whole);
    assert!(msm::device_bytes(3, 1000, 8, 1).is_err());
}

/// Bases uploaded once ([`msm::DeviceBases`]): the same sums as arkworks on every engine (plain,
/// G2, precomputed, chunked, batched, identities, n = 1 and 0), and after the upload an MSM moves
/// only its scalars to the device and allocates nothing.
#[test]
fn resident_bases_equal_arkworks_and_move_only_scalars() {
    let mut rng = StdRng::seed_from_u64(seed());
    let n = 300;
    let mut bases = points::<ark_bn254::g1::Config>(&mut rng, n);
    bases[7] = G1Affine::identity();
    let g2 = points::<ark_bn254::g2::Config>(&mut rng, 40);
    let sets: Vec<Vec<Fr>> = (0..3).map(|_| scalars(&mut rng, n)).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(Vec::as_slice).collect();
    let cfg = MsmConfig::default();
    let table = Precomputed::new(&bases, 3, Some(8), true).unwrap();
    // A budget that fits about a third of the points a chunk.
    let small =
        MsmConfig { window_bits: Some(8), device_memory: Some(msm::device_bytes(1, 100, 8, 1).unwrap()), ..cfg };
    for engine in engines() {
        let name = engine.name();
        let resident = msm::DeviceBases::new(&engine, &bases, &cfg).unwrap();
        for s in &sets {
            assert_eq!(resident.msm(s).unwrap().into_affine(), ark(&bases, s), "{name}");
        }
        let batch = resident.msm_batch(&refs).unwrap();
        for (got, s) in batch.iter().zip(&sets) {
            assert_eq!(got.into_affine(), ark(&bases, s), "{name} batch");
        }
        let pre = table.to_device(&engine, &cfg).unwrap();
        assert_eq!(pre.msm(&sets[1]).unwrap().into_affine(), ark(&bases, &sets[1]), "{name} precomputed");
        let chunked = msm::DeviceBases::new(&engine, &bases, &small).unwrap();
        assert_eq!(chunked.msm(&sets[2]).unwrap().into_affine(), ark(&bases, &sets[2]), "{name} chunked");
        let pre_chunked = table.to_device(&engine, &small).unwrap();
        assert_eq!(pre_chunked.msm(&sets[2]).unwrap().into_affine(), ark(&bases, &sets[2]), "{name} pre chunked");
        let r2 = msm::ValidBases::new(&g2).unwrap().to_device(&engine, &cfg).unwrap();
        assert_eq!(r2.msm(&sets[0][..40]).unwrap().into_affine(), ark(&g2, &sets[0][..40]), "{name} G2");
        let one = msm::DeviceBases::new(&engine, &bases[..1], &cfg).unwrap();
        assert_eq!(one.msm(&sets[0][..1]).unwrap().into_affine(), ark(&bases[..1], &sets[0][..1]), "{name} n = 1");
        let none = msm::DeviceBases::<ark_bn254::g1::Config>::new(&engine, &[], &cfg).unwrap();
        assert!(none.msm(&[]).unwrap().is_zero() && none.is_empty());

        assert!(matches!(resident.msm(&sets[0][..5]), Err(Error::LengthMismatch { .. })), "{name}");
        assert!(matches!(resident.msm_batch(&[&sets[0], &sets[0][..5]]), Err(Error::LengthMismatch { .. })));
        let mut off = bases.clone();
        off[3] = G1Affine::new_unchecked(off[3].x, off[3].x);
        assert!(matches!(msm::DeviceBases::new(&engine, &off, &cfg), Err(Error::NotOnCurve { index: 3 })));

        match engine {
            Engine::Cpu => assert_eq!(resident.device_bytes(), 0),
            _ => {
                assert_eq!(resident.device_bytes(), n * 64);
                assert_eq!(pre.device_bytes(), 3 * n * 64);
                assert_eq!(chunked.device_bytes(), n * 64);
                // Once uploaded (and the scratch pooled by the calls above): scalars up, window
                // sums down, no allocation, the bases not moved again.
                engine.reset_stats();
                let _ = resident.msm(&sets[0]).unwrap();
                let stats = engine.stats();
                assert_eq!(stats.bytes_to_device, 32 * n as u64, "{name}: {stats}");
                assert_eq!(stats.allocations, 0, "{name}: {stats}");
                engine.reset_stats();
                let _ = msm::g1(&engine, &bases, &sets[0], &cfg.unvalidated()).unwrap();
                assert_eq!(engine.stats().bytes_to_device, (32 + 64) * n as u64, "{name}");
            }
        }
    }
}

#[test]
fn arkworks_adapter_equals_arkworks() {
    let mut rng = StdRng::seed_from_u64(seed());
    let bases = points::<ark_bn254::g1::Config>(&mut rng, 777);
    let s = scalars(&mut rng, 777);
    let g2 = points::<ark_bn254::g2::Config>(&mut rng, 77);
    for backend in [Backend::Cpu, Backend::Emu] {
        let got = cherenkov::arkworks::msm_g1(&bases, &s, backend).unwrap();
        assert_eq!(got.into_affine(), ark(&bases, &s));
        let got = cherenkov::arkworks::msm_g2(&g2, &s[..77], backend).unwrap();
        assert_eq!(got.into_affine(), ark(&g2, &s[..77]));
        let got = cherenkov::arkworks::msm_g1_unchecked(&bases, &s, backend).unwrap();
        assert_eq!(got.into_affine(), ark(&bases, &s));
        let got = cherenkov::arkworks::msm_g2_unchecked(&g2, &s[..77], backend).unwrap();
        assert_eq!(got.into_affine(), ark(&g2, &s[..77]));
    }
}

/// A twist point on the curve but outside G2 (found by x, not built from the generator).
fn outside_g2() -> G2Affine {
    (1u64..)
        .filter_map(|i| G2Affine::get_point_from_x_unchecked(ark_bn254::Fq2::from(i), false))
        .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
        .expect("a twist point outside the subgroup")
}

#[test]
fn valid_bases_are_checked_once_and_reused() {
    let mut rng = StdRng::seed_from_u64(seed());
    let g2 = points::<ark_bn254::g2::Config>(&mut rng, 65);
    let sets: Vec<Vec<Fr>> = (0..2).map(|_| scalars(&mut rng, 65)).collect();
    let valid = msm::ValidBases::new(&g2).unwrap();
    assert_eq!((valid.len(), valid.as_slice().as_ptr()), (65, g2.as_ptr()));
    let table = valid.precompute(2, Some(6)).unwrap();
    let cfg = MsmConfig::default();
    for engine in engines() {
        let got = valid.msm(&engine, &sets[0], &cfg).unwrap().into_affine();
        assert_eq!(got, ark(&g2, &sets[0]), "{}", engine.name());
        let got = valid.msm_batch(&engine, &[&sets[0], &sets[1]], &cfg).unwrap();
        assert_eq!(got[1].into_affine(), ark(&g2, &sets[1]), "{}", engine.name());
        assert_eq!(table.msm(&engine, &sets[1], &cfg).unwrap().into_affine(), ark(&g2, &sets[1]));
        let short = valid.msm(&engine, &sets[0][..64], &cfg);
        assert!(matches!(short, Err(Error::LengthMismatch { expected: 65, got: 64, .. })), "{short:?}");
    }
    // The first bad base is named, off the curve or outside the subgroup.
    let mut bad = g2.clone();
    bad[40] = outside_g2();
    bad[50] = G2Affine::new_unchecked(bad[50].x, bad[50].y + ark_bn254::Fq2::ONE);
    assert!(matches!(msm::ValidBases::new(&bad), Err(Error::NotInSubgroup { index: 40 })));
    assert!(matches!(msm::ValidBases::new(&bad[41..]), Err(Error::NotOnCurve { index: 9 })));
    assert!(msm::ValidBases::<ark_bn254::g2::Config>::new(&[]).unwrap().is_empty());
    // Unchecked, a base outside G2 is summed as given (arkworks' semantics), not an error.
    let got = cherenkov::arkworks::msm_g2_unchecked(&bad[..41], &sets[0][..41], Backend::Cpu).unwrap();
    assert_eq!(got.into_affine(), ark(&bad[..41], &sets[0][..41]));
    let g1 = points::<ark_bn254::g1::Config>(&mut rng, 9);
    let valid = msm::ValidBases::new(&g1).unwrap();
    assert_eq!(valid.msm(&Engine::Cpu, &sets[0][..9], &cfg).unwrap().into_affine(), ark(&g1, &sets[0][..9]));
}

/// The device MSM spreads its work however the scalars fall. With every scalar equal (each
/// window's points all in one bucket) or every scalar 1 (every point in one bucket of the first
/// window), one thread a bucket made one thread add all n points; the accumulate now cuts a
/// bucket into pieces, so its busiest thread (the emulator profile's
/// `KernelProfile::busiest_thread`) performs at most 1/32 of the launch's field products, and the
/// reduce's busiest thread no more than with random scalars (half as much again). The sums still
/// equal arkworks'.
#[test]
fn skewed_scalars_spread_over_threads() {
    let mut rng = StdRng::seed_from_u64(seed());
    let n = 4096;
    let bases = points::<ark_bn254::g1::Config>(&mut rng, n);
    let random = scalars(&mut rng, n);
    // (busiest accumulate thread, the accumulate's total, busiest reduce thread), products.
    let products = |s: &[Fr]| {
        // Grids sized for an H100's 132 SMs, as `cherenkov profile` sizes them.
        let engine = Engine::emu(EmuConfig { profile: true, sm_count: 132, ..EmuConfig::default() });
        assert_eq!(ours(&engine, &bases, s, &MsmConfig::default()), ark(&bases, s));
        let launches = engine.take_profiles();
        let of = |kernel: &str| launches.iter().find(|p| p.kernel == kernel).expect("launched").clone();
        let (acc, red) = (of("chk_msm_accumulate_g1"), of("chk_msm_reduce_g1"));
        // The H100 estimate's busiest-thread floor, where the build read the kernels' SASS.
        let h100 = cherenkov::roofline::gpu("h100").expect("in the table");
        eprintln!("accumulate on an H100: {:?}", cherenkov::roofline::estimate(&acc, h100));
        (acc.busiest_thread.mont256_mul, acc.counts.ops.mont256_mul, red.busiest_thread.mont256_mul)
    };
    let random_products = products(&random);
    let random_reduce = random_products.2;
    assert!(random_reduce > 0.0);
    let equal = products(&vec![random[0]; n]);
    let ones = products(&vec![Fr::ONE; n]);
    for (case, (busiest, total, reduce)) in [("random", random_products), ("equal", equal), ("ones", ones)] {
        eprintln!("{case}: accumulate busiest thread {busiest} of {total} products, reduce busiest {reduce}");
        assert!(busiest > 0.0 && busiest * 32.0 <= total, "{case}: {busiest} of {total}");
        assert!(reduce <= 1.5 * random_reduce, "{case}: reduce {reduce} against {random_reduce}");
    }
}
