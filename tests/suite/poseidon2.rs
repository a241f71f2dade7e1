//! Poseidon2 batch permutations on every backend against Plonky3's own permutations, with
//! Plonky3's default constants and with random ones, on random states and edge states.

use crate::common;

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

/// Rows of many widths (below, at and past the rate, not multiples of it) through the sponge,
/// and digest pairs through the compression, against Plonky3's `PaddingFreeSponge` and
/// `TruncatedPermutation`; 37 rows so the cpu's SIMD packs leave a remainder.
fn hashers_vs_plonky3<F, P>(engine: &Engine, c: &Poseidon2Constants<F, 16>, perm: P, rng: &mut StdRng)
where
    F: poseidon2::Poseidon2Hasher,
    P: p3_symmetric::CryptographicPermutation<[F; 16]> + Clone,
{
    use p3_symmetric::{CryptographicHasher, PaddingFreeSponge, PseudoCompressionFunction, TruncatedPermutation};
    let sponge = PaddingFreeSponge::<P, 16, 8, 8>::new(perm.clone());
    for width in [1usize, 7, 8, 9, 16, 17, 33] {
        let rows: Vec<F> = (0..37 * width).map(|_| F::random(rng)).collect();
        let got = poseidon2::hash_rows(engine, c, &rows, width).unwrap();
        for (r, d) in got.iter().enumerate() {
            let want = sponge.hash_iter(rows[r * width..(r + 1) * width].iter().copied());
            assert_eq!(d, &want, "{} row {r} of width {width} on {}", F::NAME, engine.name());
        }
    }
    let compress = TruncatedPermutation::<P, 2, 8, 16>::new(perm);
    let digests: Vec<[F; 8]> = (0..2 * 37).map(|_| core::array::from_fn(|_| F::random(rng))).collect();
    let got = poseidon2::compress_pairs(engine, c, &digests).unwrap();
    for (k, d) in got.iter().enumerate() {
        assert_eq!(d, &compress.compress([digests[2 * k], digests[2 * k + 1]]), "{} pair {k}", F::NAME);
    }
    assert!(matches!(poseidon2::hash_rows(engine, c, &[F::ONE; 5], 2), Err(Error::InvalidShape(_))));
    assert!(matches!(poseidon2::compress_pairs(engine, c, &digests[..3]), Err(Error::InvalidShape(_))));
}

fn merkle_hashers_vs_plonky3(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let bb = Poseidon2Constants::babybear_default_16();
    hashers_vs_plonky3(engine, &bb, p3_baby_bear::default_babybear_poseidon2_16(), &mut rng);
    let kb = Poseidon2Constants::koalabear_default_16();
    hashers_vs_plonky3(engine, &kb, p3_koala_bear::default_koalabear_poseidon2_16(), &mut rng);
}
backend_tests!(merkle_hashers_vs_plonky3);
