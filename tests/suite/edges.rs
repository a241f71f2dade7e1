//! Edges a new user of the Rust API met, each a typed error: a coset shift of 0 on every
//! engine, MSM sizes that overflow, a malformed emulator setting, FRI settings p3-fri would
//! panic on.

use crate::common;

use cherenkov::backend::{EmuConfig, Schedule};
use cherenkov::field::{BabyBear, Bn254Fr, KoalaBear};
use cherenkov::msm;
use cherenkov::ntt::{self, Direction, NttField, Order, Transform};
use cherenkov::plonky3::config::FriSettings;
use cherenkov::{Engine, Error};

fn zero_shift_is_refused<F: NttField>(engine: &Engine) {
    let x = vec![F::one(); 8];
    for direction in [Direction::Forward, Direction::Inverse] {
        let t = Transform::new(direction).coset(F::zero());
        let r = ntt::transform_batch(engine, x.clone(), 2, t);
        assert!(matches!(&r, Err(Error::InvalidArgument(m)) if m.contains("coset shift is 0")), "{r:?}");
    }
    let r = ntt::coset_lde_batch(engine, x.clone(), 2, 1, F::zero(), Order::Natural);
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    let ext: Vec<cherenkov::field::BabyBear4> = vec![Default::default(); 4];
    let t = Transform::new(Direction::Inverse).coset(BabyBear::zero());
    assert!(ntt::transform_batch_algebra(engine, ext, 1, t).is_err());
}

fn zero_shifts(engine: &Engine, _seed: u64) {
    zero_shift_is_refused::<BabyBear>(engine);
    zero_shift_is_refused::<KoalaBear>(engine);
    zero_shift_is_refused::<Bn254Fr>(engine);
    let mut v = vec![Bn254Fr::from(3u64); 4];
    assert!(cherenkov::arkworks::coset_ifft(&mut v, Bn254Fr::from(0u64), engine.kind()).is_err());
}
backend_tests!(zero_shifts);

#[test]
fn msm_sizes_that_overflow_are_errors() {
    for (curve, copies) in [(1, 1), (2, 1), (1, 16)] {
        let r = msm::device_bytes(curve, usize::MAX, 16, copies);
        assert!(matches!(r, Err(Error::SizeOverflow(_))), "G{curve} x{copies}: {r:?}");
        let r = msm::device_bytes(curve, usize::MAX / 64, 16, copies);
        assert!(matches!(r, Err(Error::SizeOverflow(_))), "G{curve} x{copies}: {r:?}");
    }
    assert!(msm::device_bytes(1, 1 << 20, 16, 1).unwrap() > 64 << 20);
}

#[test]
fn malformed_emulator_settings_are_configuration_errors() {
    let with =
        |name: &'static str, value: &'static str| EmuConfig::from_vars(move |n| (n == name).then(|| value.to_string()));
    for (name, value) in [
        ("CHERENKOV_EMU_SCHEDULE", "sideways"),
        ("CHERENKOV_EMU_THREADS", "many"),
        ("CHERENKOV_EMU_STACK_KB", "18446744073709551615"),
        ("CHERENKOV_EMU_SHARED_BYTES", "1"),
        ("CHERENKOV_EMU_FAULT", "-1"),
    ] {
        match with(name, value) {
            Err(Error::Config { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}={value}: {other:?}"),
        }
    }
    assert_eq!(with("CHERENKOV_EMU_SCHEDULE", "reverse").unwrap().schedule, Schedule::Reverse);
    let e = with("CHERENKOV_EMU_SCHEDULE", "random:x").unwrap_err();
    assert!(e.to_string().starts_with("configuration: CHERENKOV_EMU_SCHEDULE"), "{e}");
}

#[test]
fn fri_settings_p3_fri_would_panic_on_are_errors() {
    assert!(FriSettings::default().check::<BabyBear>().is_ok());
    let bad = [
        FriSettings { num_queries: 0, ..FriSettings::default() },
        FriSettings { log_blowup: 0, ..FriSettings::default() },
        FriSettings { max_log_arity: 0, ..FriSettings::default() },
        FriSettings { query_proof_of_work_bits: 64, ..FriSettings::default() },
        FriSettings { query_proof_of_work_bits: 31, ..FriSettings::default() },
        FriSettings { commit_proof_of_work_bits: 40, ..FriSettings::default() },
    ];
    for fri in bad {
        assert!(matches!(fri.check::<BabyBear>(), Err(Error::InvalidArgument(_))), "{fri:?}");
        assert!(cherenkov::plonky3::config::babybear(cherenkov::Backend::Cpu, fri).is_err());
    }
    let max = FriSettings { query_proof_of_work_bits: 30, ..FriSettings::default() };
    assert!(max.check::<BabyBear>().is_ok() && max.check::<KoalaBear>().is_ok());
}
