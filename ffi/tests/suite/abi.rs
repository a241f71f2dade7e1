//! The C ABI called as C calls it (raw pointers, status codes), on the cpu and the emulator,
//! against independent references: Plonky3's DFT and Poseidon2 and MerkleTreeMmcs, arkworks'
//! FFT and MSM. Then one test per error code.

use crate::common;

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::PrimeField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use cherenkov::check::seed_from_env;
use cherenkov::field::{BabyBear, DeviceField, KoalaBear};
use cherenkov_ffi::*;
use p3_commit::Mmcs as _;
use p3_dft::{Radix2Dit, TwoAdicSubgroupDft};
use p3_field::{Field, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use p3_symmetric::Permutation;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// An engine handle, freed on drop.
struct Engine(*mut ChkEngine);

impl Engine {
    fn new(backend: u32) -> Self {
        let mut e = null_mut();
        assert_eq!(unsafe { chk_engine_new(backend, &mut e) }, CHK_OK, "{}", last_error());
        Self(e)
    }
    fn name(&self) -> String {
        unsafe { CStr::from_ptr(chk_engine_name(self.0)) }.to_string_lossy().into_owned()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        unsafe { chk_engine_free(self.0) }
    }
}

fn engines() -> Vec<Engine> {
    let mut v = vec![Engine::new(CHK_BACKEND_CPU), Engine::new(CHK_BACKEND_EMU)];
    let mut cuda = 0;
    assert_eq!(unsafe { chk_backend_available(CHK_BACKEND_CUDA, &mut cuda) }, CHK_OK);
    if cuda == 1 {
        v.push(Engine::new(CHK_BACKEND_CUDA));
    }
    v
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(chk_last_error()) }.to_string_lossy().into_owned()
}

fn canonical<F: PrimeField32>(v: &[F]) -> Vec<u32> {
    v.iter().map(|x| x.as_canonical_u32()).collect()
}

fn montgomery<F: DeviceField<Repr = u32>>(v: &[F]) -> Vec<u32> {
    v.iter().map(|x| x.to_repr()).collect()
}

fn random<F: DeviceField>(rng: &mut StdRng, n: usize) -> Vec<F> {
    (0..n).map(|_| F::random(rng)).collect()
}

fn fr_words(v: &[Fr], montgomery: bool) -> Vec<u64> {
    v.iter().flat_map(|x| if montgomery { x.0 .0 } else { x.into_bigint().0 }).collect()
}

#[test]
fn ntt_and_lde_equal_plonky3() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    let (log_h, w) = (6, 3);
    let m: Vec<BabyBear> = random(&mut rng, w << log_h);
    let shift = BabyBear::GENERATOR;
    let dft = Radix2Dit::<BabyBear>::default();
    let forward = dft.dft_batch(RowMajorMatrix::new(m.clone(), w)).to_row_major_matrix().values;
    let coset = dft.coset_dft_batch(RowMajorMatrix::new(m.clone(), w), shift).to_row_major_matrix().values;
    let inverse = dft.idft_batch(RowMajorMatrix::new(m.clone(), w)).values;
    let lde = dft.coset_lde_batch(RowMajorMatrix::new(m.clone(), w), 2, shift).to_row_major_matrix().values;
    for e in engines() {
        for (enc, encode) in [
            (CHK_ENCODING_CANONICAL, canonical::<BabyBear> as fn(&[BabyBear]) -> Vec<u32>),
            (CHK_ENCODING_MONTGOMERY, montgomery),
        ] {
            let shift_words = encode(&[shift]);
            let run = |dir, s: *const u32| {
                let mut data = encode(&m);
                let status = unsafe {
                    chk_ntt(e.0, CHK_FIELD_BABYBEAR, enc, data.as_mut_ptr().cast(), data.len(), w, dir, 0, s.cast())
                };
                assert_eq!(status, CHK_OK, "{}", last_error());
                data
            };
            assert_eq!(run(CHK_NTT_FORWARD, null()), encode(&forward), "forward on {}", e.name());
            assert_eq!(run(CHK_NTT_FORWARD, shift_words.as_ptr()), encode(&coset), "coset on {}", e.name());
            assert_eq!(run(CHK_NTT_INVERSE, null()), encode(&inverse), "inverse on {}", e.name());
            let input = encode(&m);
            let mut out = vec![0u32; input.len() << 2];
            let status = unsafe {
                chk_lde(
                    e.0,
                    CHK_FIELD_BABYBEAR,
                    enc,
                    input.as_ptr().cast(),
                    input.len(),
                    w,
                    2,
                    shift_words.as_ptr().cast(),
                    0,
                    out.as_mut_ptr().cast(),
                    out.len(),
                )
            };
            assert_eq!(status, CHK_OK, "{}", last_error());
            assert_eq!(out, encode(&lde), "lde on {}", e.name());
        }
    }
}

#[test]
fn ntt_extension_and_bn254_equal_references() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    // KoalaBear^4, 2^4 rows of 2 elements: column by column over the base field, so Plonky3's
    // DFT of the 8 base columns is the reference.
    let m: Vec<KoalaBear> = random(&mut rng, 4 * (2 << 4));
    let expected =
        Radix2Dit::<KoalaBear>::default().dft_batch(RowMajorMatrix::new(m.clone(), 8)).to_row_major_matrix().values;
    // BN254 Fr, 2^5 points: arkworks' FFT.
    let v: Vec<Fr> = random(&mut rng, 32);
    let domain = Radix2EvaluationDomain::<Fr>::new(32).unwrap();
    let fft = domain.fft(&v);
    for e in engines() {
        let mut data = canonical(&m);
        let status = unsafe {
            chk_ntt(
                e.0,
                CHK_FIELD_KOALABEAR4,
                CHK_ENCODING_CANONICAL,
                data.as_mut_ptr().cast(),
                32,
                2,
                CHK_NTT_FORWARD,
                0,
                null(),
            )
        };
        assert_eq!(status, CHK_OK, "{}", last_error());
        assert_eq!(data, canonical(&expected), "koalabear4 on {}", e.name());
        for mont in [false, true] {
            let enc = if mont { CHK_ENCODING_MONTGOMERY } else { CHK_ENCODING_CANONICAL };
            let mut data = fr_words(&v, mont);
            let status = unsafe {
                chk_ntt(e.0, CHK_FIELD_BN254_FR, enc, data.as_mut_ptr().cast(), 32, 1, CHK_NTT_FORWARD, 0, null())
            };
            assert_eq!(status, CHK_OK, "{}", last_error());
            assert_eq!(data, fr_words(&fft, mont), "bn254 fr (montgomery: {mont}) on {}", e.name());
        }
    }
}

/// `states` permuted in place by `perm`, as the reference.
fn permuted<F: Copy, const W: usize>(states: &[F], perm: &impl Permutation<[F; W]>) -> Vec<F> {
    let mut out = states.to_vec();
    out.chunks_exact_mut(W).for_each(|s| perm.permute_mut(s.try_into().unwrap()));
    out
}

/// `chk_poseidon2_permute` on encoded states, checked to succeed.
fn permute_via_abi(e: &Engine, field: u32, params: u32, width: u32, enc: u32, mut data: Vec<u32>) -> Vec<u32> {
    let status = unsafe { chk_poseidon2_permute(e.0, field, params, width, enc, data.as_mut_ptr(), data.len()) };
    assert_eq!(status, CHK_OK, "{}", last_error());
    data
}

#[test]
fn poseidon2_equals_plonky3_and_sp1() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    let states: Vec<BabyBear> = random(&mut rng, 16 * 5);
    let expected = permuted(&states, &p3_baby_bear::default_babybear_poseidon2_16());
    let states24: Vec<KoalaBear> = random(&mut rng, 24 * 3);
    let expected24 = permuted(&states24, &p3_koala_bear::default_koalabear_poseidon2_24());
    // SP1 v5's constants, checked against SP1's own crate in the core crate's tests.
    let sp1 = cherenkov::poseidon2::Poseidon2Constants::<BabyBear, 16>::sp1_v5_babybear_16().cpu_permutation();
    let expected_sp1 = permuted(&states, &sp1);
    let (bb, kb, mont, canon) =
        (CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR, CHK_ENCODING_MONTGOMERY, CHK_ENCODING_CANONICAL);
    for e in engines() {
        let got = permute_via_abi(&e, bb, CHK_POSEIDON2_PLONKY3, 16, mont, montgomery(&states));
        assert_eq!(got, montgomery(&expected), "babybear 16 on {}", e.name());
        let got = permute_via_abi(&e, kb, CHK_POSEIDON2_PLONKY3, 24, canon, canonical(&states24));
        assert_eq!(got, canonical(&expected24), "koalabear 24 on {}", e.name());
        let got = permute_via_abi(&e, bb, CHK_POSEIDON2_SP1, 16, canon, canonical(&states));
        assert_eq!(got, canonical(&expected_sp1), "sp1 v5 on {}", e.name());
    }
}

/// A committed tree, freed on drop.
struct Tree(*mut ChkMerkleTree);

impl Drop for Tree {
    fn drop(&mut self) {
        unsafe { chk_merkle_free(self.0) }
    }
}

#[test]
fn merkle_equals_plonky3_and_verifies() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    // Heights 8, 8 and 3 (ceil(8/4) + ... on the ladder: 8 → 4 → 2; 3 is not, 2 is).
    let shapes = [(8usize, 5usize), (8, 2), (2, 7)];
    let mats: Vec<Vec<BabyBear>> = shapes.iter().map(|&(h, w)| random(&mut rng, h * w)).collect();
    let stock = common::stock_mmcs();
    let leaves: Vec<RowMajorMatrix<BabyBear>> =
        mats.iter().zip(&shapes).map(|(m, &(_, w))| RowMajorMatrix::new(m.clone(), w)).collect();
    let (commit, data) = stock.commit(leaves);
    let (opened, proof) = {
        let o = stock.open_batch(5, &data);
        (o.opened_values.concat(), o.opening_proof)
    };
    let heights: Vec<usize> = shapes.iter().map(|s| s.0).collect();
    let widths: Vec<usize> = shapes.iter().map(|s| s.1).collect();
    let words: Vec<Vec<u32>> = mats.iter().map(|m| canonical(m)).collect();
    let pointers: Vec<*const u32> = words.iter().map(|w| w.as_ptr()).collect();
    for e in engines() {
        let mut t = null_mut();
        let status = unsafe {
            chk_merkle_commit(
                e.0,
                CHK_FIELD_BABYBEAR,
                CHK_POSEIDON2_PLONKY3,
                CHK_ENCODING_CANONICAL,
                pointers.as_ptr(),
                heights.as_ptr(),
                widths.as_ptr(),
                3,
                &mut t,
            )
        };
        assert_eq!(status, CHK_OK, "{}", last_error());
        let t = Tree(t);
        let mut root = [0u32; 8];
        assert_eq!(unsafe { chk_merkle_root(t.0, root.as_mut_ptr()) }, CHK_OK);
        assert_eq!(root.to_vec(), canonical(&commit.roots()[0]), "root on {}", e.name());
        let (mut vl, mut pl) = (0, 0);
        assert_eq!(unsafe { chk_merkle_opening_len(t.0, &mut vl, &mut pl) }, CHK_OK);
        assert_eq!((vl, pl), (14, 8 * 3));
        let (mut values, mut siblings) = (vec![0u32; vl], vec![0u32; pl]);
        let status = unsafe { chk_merkle_open(t.0, 5, values.as_mut_ptr(), vl, siblings.as_mut_ptr(), pl) };
        assert_eq!(status, CHK_OK, "{}", last_error());
        assert_eq!(values, canonical(&opened), "opened rows on {}", e.name());
        assert_eq!(siblings, canonical(&proof.concat()), "proof on {}", e.name());
        let verify = |values: &[u32], index: usize| {
            let mut valid = -1;
            let status = unsafe {
                chk_merkle_verify(
                    CHK_FIELD_BABYBEAR,
                    CHK_POSEIDON2_PLONKY3,
                    CHK_ENCODING_CANONICAL,
                    root.as_ptr(),
                    heights.as_ptr(),
                    widths.as_ptr(),
                    3,
                    index,
                    values.as_ptr(),
                    values.len(),
                    siblings.as_ptr(),
                    siblings.len(),
                    &mut valid,
                )
            };
            assert_eq!(status, CHK_OK, "{}", last_error());
            valid
        };
        assert_eq!(verify(&values, 5), 1);
        assert_eq!(verify(&values, 4), 0, "another index");
        let mut tampered = values.clone();
        tampered[13] = (tampered[13] + 1) % BabyBear::ORDER_U32;
        assert_eq!(verify(&tampered, 5), 0, "a changed value");
        assert!(last_error().contains("does not verify"), "{}", last_error());
        // Past the tree.
        let status = unsafe { chk_merkle_open(t.0, 8, values.as_mut_ptr(), vl, siblings.as_mut_ptr(), pl) };
        assert_eq!(status, CHK_ERR_INVALID_ARGUMENT);
    }
}

fn g1_words(p: &G1Affine, mont: bool) -> Vec<u64> {
    match p.xy() {
        None => vec![0; 8],
        Some((x, y)) => [x, y].iter().flat_map(|c| if mont { c.0 .0 } else { c.into_bigint().0 }).collect(),
    }
}

fn g2_words(p: &G2Affine) -> Vec<u64> {
    match p.xy() {
        None => vec![0; 16],
        Some((x, y)) => [x.c0, x.c1, y.c0, y.c1].iter().flat_map(|c| c.into_bigint().0).collect(),
    }
}

#[test]
fn msm_equals_arkworks() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    let n = 37;
    let scalars: Vec<Fr> = random(&mut rng, n);
    let mut g1: Vec<G1Affine> =
        random::<Fr>(&mut rng, n).iter().map(|s| (G1Projective::generator() * s).into_affine()).collect();
    g1[3] = G1Affine::identity();
    g1[4] = -g1[5];
    let g2: Vec<G2Affine> =
        random::<Fr>(&mut rng, n).iter().map(|s| (G2Projective::generator() * s).into_affine()).collect();
    let want1 = G1Projective::msm(&g1, &scalars).unwrap().into_affine();
    let want2 = G2Projective::msm(&g2, &scalars).unwrap().into_affine();
    for e in engines() {
        for mont in [false, true] {
            let enc = if mont { CHK_ENCODING_MONTGOMERY } else { CHK_ENCODING_CANONICAL };
            let bases: Vec<u64> = g1.iter().flat_map(|p| g1_words(p, mont)).collect();
            let s = fr_words(&scalars, mont);
            let mut out = [0u64; 8];
            let status =
                unsafe { chk_msm_g1(e.0, enc, bases.as_ptr(), s.as_ptr(), n, CHK_MSM_VALIDATE, out.as_mut_ptr()) };
            assert_eq!(status, CHK_OK, "{}", last_error());
            assert_eq!(out.to_vec(), g1_words(&want1, mont), "g1 (montgomery: {mont}) on {}", e.name());
        }
        let bases: Vec<u64> = g2.iter().flat_map(g2_words).collect();
        let s = fr_words(&scalars, false);
        let mut out = [0u64; 16];
        let status = unsafe {
            chk_msm_g2(e.0, CHK_ENCODING_CANONICAL, bases.as_ptr(), s.as_ptr(), n, CHK_MSM_VALIDATE, out.as_mut_ptr())
        };
        assert_eq!(status, CHK_OK, "{}", last_error());
        assert_eq!(out.to_vec(), g2_words(&want2), "g2 on {}", e.name());
        // n = 0 is the identity.
        let status = unsafe { chk_msm_g1(e.0, CHK_ENCODING_CANONICAL, null(), null(), 0, 0, out.as_mut_ptr()) };
        assert_eq!(status, CHK_OK, "{}", last_error());
        assert_eq!(out[..8], [0; 8]);
    }
}

/// A bases handle, freed on drop.
struct Bases(*mut ChkMsmBases);

impl Drop for Bases {
    fn drop(&mut self) {
        unsafe { chk_msm_bases_free(self.0) }
    }
}

#[test]
fn resident_bases_equal_arkworks() {
    let mut rng = StdRng::seed_from_u64(seed_from_env());
    let n = 29;
    let sets: Vec<Vec<Fr>> = (0..3).map(|_| random(&mut rng, n)).collect();
    let mut g1: Vec<G1Affine> =
        random::<Fr>(&mut rng, n).iter().map(|s| (G1Projective::generator() * s).into_affine()).collect();
    g1[2] = G1Affine::identity();
    let g2: Vec<G2Affine> =
        random::<Fr>(&mut rng, n).iter().map(|s| (G2Projective::generator() * s).into_affine()).collect();
    for e in engines() {
        for mont in [false, true] {
            let enc = if mont { CHK_ENCODING_MONTGOMERY } else { CHK_ENCODING_CANONICAL };
            let words: Vec<u64> = g1.iter().flat_map(|p| g1_words(p, mont)).collect();
            let mut h = null_mut();
            let status = unsafe { chk_msm_bases_g1_new(e.0, enc, words.as_ptr(), n, CHK_MSM_VALIDATE, &mut h) };
            assert_eq!(status, CHK_OK, "{}", last_error());
            let h = Bases(h);
            let scalars: Vec<u64> = sets.iter().flat_map(|s| fr_words(s, mont)).collect();
            let mut out = vec![0u64; 8 * sets.len()];
            let status = unsafe { chk_msm_bases_msm(h.0, enc, scalars.as_ptr(), n, sets.len(), out.as_mut_ptr()) };
            assert_eq!(status, CHK_OK, "{}", last_error());
            for (i, s) in sets.iter().enumerate() {
                let want = G1Projective::msm(&g1, s).unwrap().into_affine();
                assert_eq!(
                    out[8 * i..8 * i + 8],
                    g1_words(&want, mont),
                    "g1 set {i} (montgomery: {mont}) on {}",
                    e.name()
                );
            }
            // Scalars of another length than the bases'.
            let status = unsafe { chk_msm_bases_msm(h.0, enc, scalars.as_ptr(), n - 1, 1, out.as_mut_ptr()) };
            assert_eq!(status, CHK_ERR_LENGTH, "{}", last_error());
        }
        // G2, with the engine's handle freed first: the bases keep their own reference.
        let words: Vec<u64> = g2.iter().flat_map(g2_words).collect();
        let mut h = null_mut();
        let status =
            unsafe { chk_msm_bases_g2_new(e.0, CHK_ENCODING_CANONICAL, words.as_ptr(), n, CHK_MSM_VALIDATE, &mut h) };
        assert_eq!(status, CHK_OK, "{}", last_error());
        let (h, name) = (Bases(h), e.name());
        drop(e);
        let scalars: Vec<u64> = sets[..2].iter().flat_map(|s| fr_words(s, false)).collect();
        let mut out = vec![0u64; 32];
        let status =
            unsafe { chk_msm_bases_msm(h.0, CHK_ENCODING_CANONICAL, scalars.as_ptr(), n, 2, out.as_mut_ptr()) };
        assert_eq!(status, CHK_OK, "{}", last_error());
        for (i, s) in sets[..2].iter().enumerate() {
            let want = G2Projective::msm(&g2, s).unwrap().into_affine();
            assert_eq!(out[16 * i..16 * i + 16], g2_words(&want), "g2 set {i} on {name}");
        }
        // No sets: nothing written.
        let status = unsafe { chk_msm_bases_msm(h.0, CHK_ENCODING_CANONICAL, null(), n, 0, null_mut()) };
        assert_eq!(status, CHK_OK, "{}", last_error());
    }
}

#[test]
fn resident_bases_edges() {
    let e = Engine::new(CHK_BACKEND_EMU);
    // No bases: every MSM is the identity.
    let mut h = null_mut();
    assert_eq!(unsafe { chk_msm_bases_g1_new(e.0, CHK_ENCODING_CANONICAL, null(), 0, 0, &mut h) }, CHK_OK);
    let h = Bases(h);
    let mut out = [7u64; 16];
    assert_eq!(unsafe { chk_msm_bases_msm(h.0, CHK_ENCODING_CANONICAL, null(), 0, 2, out.as_mut_ptr()) }, CHK_OK);
    assert_eq!(out, [0; 16]);
    // Null handle, null output slot, unknown flags, an off-curve base under CHK_MSM_VALIDATE.
    let s = fr_words(&[Fr::from(3u64)], false);
    let status = unsafe { chk_msm_bases_msm(null(), CHK_ENCODING_CANONICAL, s.as_ptr(), 1, 1, out.as_mut_ptr()) };
    assert_eq!(status, CHK_ERR_NULL_POINTER);
    let g = g1_words(&G1Affine::generator(), false);
    let status = unsafe { chk_msm_bases_g1_new(e.0, CHK_ENCODING_CANONICAL, g.as_ptr(), 1, 0, null_mut()) };
    assert_eq!(status, CHK_ERR_NULL_POINTER);
    let mut h = null_mut();
    let status = unsafe { chk_msm_bases_g1_new(e.0, CHK_ENCODING_CANONICAL, g.as_ptr(), 1, 1 << 7, &mut h) };
    assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "{}", last_error());
    let mut off = g.clone();
    off[4] ^= 1;
    let status =
        unsafe { chk_msm_bases_g1_new(e.0, CHK_ENCODING_CANONICAL, off.as_ptr(), 1, CHK_MSM_VALIDATE, &mut h) };
    assert_eq!(status, CHK_ERR_NOT_ON_CURVE, "{}", last_error());
    assert!(h.is_null(), "no handle on failure");
    unsafe { chk_msm_bases_free(null_mut()) };
}

// One test per error code, each through the function where a prover would meet it.

fn ntt_status(data: *mut u32, len: usize, width: usize) -> ChkStatus {
    let e = Engine::new(CHK_BACKEND_CPU);
    unsafe {
        chk_ntt(e.0, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, data.cast(), len, width, CHK_NTT_FORWARD, 0, null())
    }
}

#[test]
fn null_pointer() {
    assert_eq!(ntt_status(null_mut(), 8, 1), CHK_ERR_NULL_POINTER);
    assert!(last_error().contains("data is null"), "{}", last_error());
    let mut data = [1u32; 8];
    let status = unsafe {
        chk_ntt(
            null(),
            CHK_FIELD_BABYBEAR,
            CHK_ENCODING_CANONICAL,
            data.as_mut_ptr().cast(),
            8,
            1,
            CHK_NTT_FORWARD,
            0,
            null(),
        )
    };
    assert_eq!(status, CHK_ERR_NULL_POINTER, "a null engine");
    assert_eq!(unsafe { chk_engine_new(CHK_BACKEND_CPU, null_mut()) }, CHK_ERR_NULL_POINTER);
    assert_eq!(unsafe { chk_merkle_root(null(), data.as_mut_ptr()) }, CHK_ERR_NULL_POINTER);
    unsafe { chk_engine_free(null_mut()) };
    unsafe { chk_merkle_free(null_mut()) };
}

#[test]
fn misaligned() {
    let mut data = [0u32; 9];
    let odd = unsafe { data.as_mut_ptr().cast::<u8>().add(1) }.cast::<u32>();
    assert_eq!(ntt_status(odd, 8, 1), CHK_ERR_MISALIGNED);
}

#[test]
fn length_mismatch() {
    let mut data = [1u32; 8];
    assert_eq!(ntt_status(data.as_mut_ptr(), 7, 2), CHK_ERR_LENGTH, "7 elements in rows of 2");
    let e = Engine::new(CHK_BACKEND_CPU);
    let mut out = [0u32; 8];
    let status = unsafe {
        chk_lde(
            e.0,
            CHK_FIELD_BABYBEAR,
            CHK_ENCODING_CANONICAL,
            data.as_ptr().cast(),
            8,
            1,
            1,
            null(),
            0,
            out.as_mut_ptr().cast(),
            8,
        )
    };
    assert_eq!(status, CHK_ERR_LENGTH, "an LDE output of the input's size");
    let status = unsafe {
        chk_poseidon2_permute(
            e.0,
            CHK_FIELD_BABYBEAR,
            CHK_POSEIDON2_PLONKY3,
            16,
            CHK_ENCODING_CANONICAL,
            data.as_mut_ptr(),
            8,
        )
    };
    assert_eq!(status, CHK_ERR_LENGTH, "half a state");
}

#[test]
fn not_power_of_two() {
    let mut data = [1u32; 12];
    assert_eq!(ntt_status(data.as_mut_ptr(), 12, 2), CHK_ERR_NOT_POWER_OF_TWO);
    assert!(last_error().contains("not a power of two"), "{}", last_error());
    assert_eq!(data, [1u32; 12], "the input is untouched");
}

#[test]
fn non_canonical() {
    let mut data = [1u32; 8];
    data[5] = BabyBear::ORDER_U32;
    assert_eq!(ntt_status(data.as_mut_ptr(), 8, 1), CHK_ERR_NON_CANONICAL);
    assert!(last_error().contains("element 5"), "{}", last_error());
    let e = Engine::new(CHK_BACKEND_CPU);
    // p − 1 is canonical; r (the modulus) as a scalar is not.
    let mut s = Fr::MODULUS.0;
    let g = g1_words(&G1Affine::generator(), false);
    let mut out = [0u64; 8];
    let status = unsafe { chk_msm_g1(e.0, CHK_ENCODING_CANONICAL, g.as_ptr(), s.as_ptr(), 1, 0, out.as_mut_ptr()) };
    assert_eq!(status, CHK_ERR_NON_CANONICAL);
    s[0] -= 1;
    let status = unsafe { chk_msm_g1(e.0, CHK_ENCODING_CANONICAL, g.as_ptr(), s.as_ptr(), 1, 0, out.as_mut_ptr()) };
    assert_eq!(status, CHK_OK, "r − 1 is canonical: {}", last_error());
    assert_eq!(out.to_vec(), g1_words(&(-G1Affine::generator()), false), "(r − 1)·G = −G");
    let mut unknown = [1u32; 8];
    let status =
        unsafe { chk_ntt(e.0, CHK_FIELD_BABYBEAR, 7, unknown.as_mut_ptr().cast(), 8, 1, CHK_NTT_FORWARD, 0, null()) };
    assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "an unknown encoding");
}

#[test]
fn not_on_curve() {
    let e = Engine::new(CHK_BACKEND_CPU);
    let mut bases: Vec<u64> = [G1Affine::generator(); 3].iter().flat_map(|p| g1_words(p, false)).collect();
    bases[8 + 4] ^= 2; // y of base 1 moved off the curve
    let s = fr_words(&[Fr::from(1u64); 3], false);
    let mut out = [0u64; 8];
    let status = unsafe {
        chk_msm_g1(e.0, CHK_ENCODING_CANONICAL, bases.as_ptr(), s.as_ptr(), 3, CHK_MSM_VALIDATE, out.as_mut_ptr())
    };
    assert_eq!(status, CHK_ERR_NOT_ON_CURVE);
    assert!(last_error().contains("index 1"), "{}", last_error());
    // Without validation it is not checked (and not undefined behaviour).
    let status = unsafe { chk_msm_g1(e.0, CHK_ENCODING_CANONICAL, bases.as_ptr(), s.as_ptr(), 3, 0, out.as_mut_ptr()) };
    assert_eq!(status, CHK_OK);
}

#[test]
fn not_in_subgroup() {
    // A point on the G2 curve outside the prime-order subgroup: the first x = 1, 2, ... with a
    // square right-hand side, not cleared of the cofactor.
    use ark_ff::Field;
    let b = <ark_bn254::g2::Config as ark_ec::short_weierstrass::SWCurveConfig>::COEFF_B;
    let p = (1u64..)
        .find_map(|i| {
            let x = ark_bn254::Fq2::from(i);
            (x.square() * x + b).sqrt().map(|y| G2Affine::new_unchecked(x, y))
        })
        .unwrap();
    assert!(p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve());
    let e = Engine::new(CHK_BACKEND_CPU);
    let bases = g2_words(&p);
    let s = fr_words(&[Fr::from(3u64)], false);
    let mut out = [0u64; 16];
    let status = unsafe {
        chk_msm_g2(e.0, CHK_ENCODING_CANONICAL, bases.as_ptr(), s.as_ptr(), 1, CHK_MSM_VALIDATE, out.as_mut_ptr())
    };
    assert_eq!(status, CHK_ERR_NOT_IN_SUBGROUP);
}

#[test]
fn invalid_argument_and_size() {
    let mut data = [1u32; 8];
    assert_eq!(ntt_status(data.as_mut_ptr(), 8, 0), CHK_ERR_INVALID_ARGUMENT, "width 0");
    let e = Engine::new(CHK_BACKEND_CPU);
    let status =
        unsafe { chk_ntt(e.0, 42, CHK_ENCODING_CANONICAL, data.as_mut_ptr().cast(), 8, 1, CHK_NTT_FORWARD, 0, null()) };
    assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "an unknown field");
    let status = unsafe {
        chk_ntt(
            e.0,
            CHK_FIELD_BABYBEAR,
            CHK_ENCODING_CANONICAL,
            data.as_mut_ptr().cast(),
            8,
            1,
            CHK_NTT_FORWARD,
            4,
            null(),
        )
    };
    assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "an unknown flag");
    // Merkle heights off Plonky3's ladder (8 and 3).
    let (a, b) = ([0u32; 8], [0u32; 3]);
    let (pointers, heights, widths) = ([a.as_ptr(), b.as_ptr()], [8usize, 3], [1usize, 1]);
    let mut t = null_mut();
    let status = unsafe {
        chk_merkle_commit(
            e.0,
            CHK_FIELD_BABYBEAR,
            0,
            0,
            pointers.as_ptr(),
            heights.as_ptr(),
            widths.as_ptr(),
            2,
            &mut t,
        )
    };
    assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "{}", last_error());
    assert!(t.is_null());
    // len × 4 words of an extension field overflows.
    let status = unsafe {
        chk_ntt(e.0, CHK_FIELD_BABYBEAR4, 0, data.as_mut_ptr().cast(), usize::MAX / 2, 1, CHK_NTT_FORWARD, 0, null())
    };
    assert_eq!(status, CHK_ERR_SIZE);
    // An LDE past BabyBear's two-adicity (2^27): rejected before the (too short) output buffer
    // is looked at.
    let mut out = [0u32; 2];
    let status = unsafe {
        chk_lde(e.0, CHK_FIELD_BABYBEAR, 0, data.as_ptr().cast(), 1, 1, 40, null(), 0, out.as_mut_ptr().cast(), 1 << 40)
    };
    assert_eq!(status, CHK_ERR_SIZE, "{}", last_error());
}

#[test]
fn backend_unavailable() {
    let mut available = -1;
    assert_eq!(unsafe { chk_backend_available(CHK_BACKEND_CUDA, &mut available) }, CHK_OK);
    let mut e = null_mut();
    let status = unsafe { chk_engine_new(CHK_BACKEND_CUDA, &mut e) };
    if available == 1 {
        assert_eq!(status, CHK_OK);
        unsafe { chk_engine_free(e) };
    } else {
        assert_eq!(status, CHK_ERR_BACKEND_UNAVAILABLE);
        assert!(e.is_null());
    }
    assert_eq!(unsafe { chk_engine_new(9, &mut e) }, CHK_ERR_INVALID_ARGUMENT);
    let mut needed = 0;
    assert_eq!(unsafe { chk_info(null_mut(), 0, &mut needed) }, CHK_ERR_LENGTH);
    let mut buf = vec![0u8; needed];
    assert_eq!(unsafe { chk_info(buf.as_mut_ptr().cast(), needed, null_mut()) }, CHK_OK);
    let text = CStr::from_bytes_with_nul(&buf).unwrap().to_str().unwrap();
    assert!(text.starts_with("cpu available") && text.contains("\ncuda "), "{text}");
}

#[test]
fn panic_becomes_a_code() {
    assert_eq!(chk_selftest_panic(), CHK_ERR_PANIC);
    assert!(last_error().contains("chk_selftest_panic was called"), "{}", last_error());
    // The library still works afterwards.
    let mut data = [1u32; 4];
    assert_eq!(ntt_status(data.as_mut_ptr(), 4, 1), CHK_OK);
    assert_eq!(data, [4, 0, 0, 0]);
}

#[test]
fn version_is_the_crate_version() {
    let v = unsafe { CStr::from_ptr(chk_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
