//! Poseidon2 batch permutations on every backend against Plonky3's own permutations, with
//! Plonky3's default constants and with random ones, on random states and edge states.

mod common;

use cherenkov::field::{BabyBear, KoalaBear};
use cherenkov::poseidon2::{self, Poseidon2Constants, Poseidon2Field};
use cherenkov::{Engine, Error};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_poseidon2::ExternalLayerConstants;
use p3_symmetric::Permutation;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Edge states (all zero, all p-1, one nonzero lane) then `random` random states.
fn states<F: Field + cherenkov::field::DeviceField, const W: usize>(rng: &mut StdRng, random: usize) -> Vec<[F; W]> {
    let mut out =
        vec![[F::ZERO; W], [F::NEG_ONE; W], core::array::from_fn(|i| if i == W - 1 { F::ONE } else { F::ZERO })];
    out.extend((0..random).map(|_| core::array::from_fn(|_| F::random(rng))));
    out
}

/// `c` on `engine` against `reference` on the same states (a count that is not a multiple of
/// the SIMD width, so the cpu's remainder path runs too).
fn against<F: Poseidon2Field<W>, const W: usize>(
    engine: &Engine,
    c: &Poseidon2Constants<F, W>,
    reference: &impl Permutation<[F; W]>,
    rng: &mut StdRng,
    what: &str,
) {
    let input = states::<F, W>(rng, 100);
    let mut flat: Vec<F> = input.iter().flatten().copied().collect();
    poseidon2::permute_batch(engine, c, &mut flat).unwrap();
    for (k, (got, s)) in flat.chunks(W).zip(&input).enumerate() {
        assert_eq!(got, reference.permute(*s).as_slice(), "{what} state {k} on {}", engine.name());
    }
}

fn defaults_vs_plonky3(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let bb16 = p3_baby_bear::default_babybear_poseidon2_16();
    against(engine, &Poseidon2Constants::babybear_default_16(), &bb16, &mut rng, "babybear 16");
    let bb24 = p3_baby_bear::default_babybear_poseidon2_24();
    against(engine, &Poseidon2Constants::babybear_default_24(), &bb24, &mut rng, "babybear 24");
    let kb16 = p3_koala_bear::default_koalabear_poseidon2_16();
    against(engine, &Poseidon2Constants::koalabear_default_16(), &kb16, &mut rng, "koalabear 16");
    let kb24 = p3_koala_bear::default_koalabear_poseidon2_24();
    against(engine, &Poseidon2Constants::koalabear_default_24(), &kb24, &mut rng, "koalabear 24");
}
backend_tests!(defaults_vs_plonky3);

/// Constants are an input: random ones, through `Poseidon2Constants::new` and `Poseidon2::new`.
fn random_constants_vs_plonky3(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let ext = ExternalLayerConstants::<BabyBear, 16>::new_from_rng(8, &mut rng);
    let int: Vec<BabyBear> = (0..13).map(|_| rng.random()).collect();
    let perm = p3_baby_bear::Poseidon2BabyBear::<16>::new(ext.clone(), int.clone());
    against(engine, &Poseidon2Constants::new(ext, int).unwrap(), &perm, &mut rng, "babybear 16 random constants");
    let ext = ExternalLayerConstants::<KoalaBear, 24>::new_from_rng(8, &mut rng);
    let int: Vec<KoalaBear> = (0..23).map(|_| rng.random()).collect();
    let perm = p3_koala_bear::Poseidon2KoalaBear::<24>::new(ext.clone(), int.clone());
    against(engine, &Poseidon2Constants::new(ext, int).unwrap(), &perm, &mut rng, "koalabear 24 random constants");
}
backend_tests!(random_constants_vs_plonky3);

#[test]
fn bad_inputs_are_errors() {
    let c = Poseidon2Constants::babybear_default_16();
    let mut ragged = vec![BabyBear::ONE; 17];
    assert!(matches!(poseidon2::permute_batch(&Engine::Cpu, &c, &mut ragged), Err(Error::InvalidShape(_))));
    assert!(poseidon2::permute_batch(&Engine::Cpu, &c, &mut []).is_ok());
    // Round counts the kernels do not run.
    let mut rng = StdRng::seed_from_u64(1);
    let ext = ExternalLayerConstants::<BabyBear, 16>::new_from_rng(8, &mut rng);
    assert!(matches!(Poseidon2Constants::new(ext, vec![BabyBear::ONE; 12]), Err(Error::InvalidShape(_))));
    let ext = ExternalLayerConstants::<BabyBear, 16>::new_from_rng(6, &mut rng);
    assert!(matches!(Poseidon2Constants::new(ext, vec![BabyBear::ONE; 13]), Err(Error::InvalidShape(_))));
}

/// The internal diagonal read off Plonky3 is the one its documentation states for BabyBear-16:
/// V = [-2, 1, 2, 1/2, 3, 4, ...].
#[test]
fn probed_internal_diagonal_matches_plonky3_docs() {
    let v = <BabyBear as Poseidon2Field<16>>::plonky3_internal_diag();
    let half = BabyBear::TWO.inverse();
    assert_eq!(
        v[..6],
        [-BabyBear::TWO, BabyBear::ONE, BabyBear::TWO, half, BabyBear::from_u8(3), BabyBear::from_u8(4)]
    );
}
