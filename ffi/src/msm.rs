//! BN254 G1 and G2 multi-scalar multiplication.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use cherenkov::msm::gpu::DeviceCurve;
use cherenkov::msm::{self, MsmConfig};

use crate::engine::{engine_ref, ChkEngine};
use crate::field::{non_canonical, read_all, Element, Encoding};
use crate::status::{
    guarded, slice, slice_mut, times, vec_with_capacity, ChkStatus, Failure, FfiResult, CHK_ERR_INVALID_ARGUMENT,
};

/// Flag: check that every base is on the curve (and, for G2, in the prime-order subgroup);
/// without it an off-curve base gives a meaningless result (never undefined behaviour).
pub const CHK_MSM_VALIDATE: u32 = 1;

/// A point's coordinates as words: G1 (x, y) = 8 `uint64_t`, G2 (x.c0, x.c1, y.c0, y.c1) = 16.
trait Coordinates: SWCurveConfig + DeviceCurve {
    const WORDS: usize;
    /// The point `w` encodes ((0, …, 0) is the identity), unchecked against the curve.
    fn read(w: &[u64], enc: Encoding) -> Option<Affine<Self>>;
    fn write(p: &Affine<Self>, enc: Encoding, out: &mut [u64]);
}

fn fq(w: &[u64], enc: Encoding) -> Option<Fq> {
    Fq::read(w, enc)
}

impl Coordinates for ark_bn254::g1::Config {
    const WORDS: usize = 8;
    fn read(w: &[u64], enc: Encoding) -> Option<G1Affine> {
        let (x, y) = (fq(&w[..4], enc)?, fq(&w[4..], enc)?);
        Some(if w.iter().all(|&l| l == 0) { G1Affine::identity() } else { G1Affine::new_unchecked(x, y) })
    }
    fn write(p: &G1Affine, enc: Encoding, out: &mut [u64]) {
        out.fill(0);
        if let Some((x, y)) = p.xy() {
            x.write(enc, &mut out[..4]);
            y.write(enc, &mut out[4..]);
        }
    }
}

impl Coordinates for ark_bn254::g2::Config {
    const WORDS: usize = 16;
    fn read(w: &[u64], enc: Encoding) -> Option<G2Affine> {
        let c = |i: usize| fq(&w[4 * i..4 * i + 4], enc);
        let (x, y) = (Fq2::new(c(0)?, c(1)?), Fq2::new(c(2)?, c(3)?));
        Some(if w.iter().all(|&l| l == 0) { G2Affine::identity() } else { G2Affine::new_unchecked(x, y) })
    }
    fn write(p: &G2Affine, enc: Encoding, out: &mut [u64]) {
        out.fill(0);
        if let Some((x, y)) = p.xy() {
            for (i, c) in [x.c0, x.c1, y.c0, y.c1].into_iter().enumerate() {
                c.write(enc, &mut out[4 * i..4 * i + 4]);
            }
        }
    }
}

/// # Safety
/// As `chk_msm_g1`.
#[allow(clippy::too_many_arguments)]
unsafe fn msm_typed<P: Coordinates>(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    scalars: *const u64,
    n: usize,
    flags: u32,
    result: *mut u64,
) -> FfiResult {
    // SAFETY: forwarded, for all of these.
    let engine = unsafe { engine_ref(engine) }?;
    let enc = Encoding::from_code(encoding)?;
    if flags & !CHK_MSM_VALIDATE != 0 {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown flags {flags:#x}")));
    }
    let base_words = unsafe { slice(bases, times(n, P::WORDS, "n")?, "bases") }?;
    let scalar_words = unsafe { slice(scalars, times(n, 4, "n")?, "scalars") }?;
    let dst = unsafe { slice_mut(result, P::WORDS, "result") }?;
    let mut points = vec_with_capacity::<Affine<P>>(n)?;
    for (i, w) in base_words.chunks_exact(P::WORDS).enumerate() {
        points.push(P::read(w, enc).ok_or_else(|| non_canonical::<Fq>(&format!("bases[{i}]"), 0))?);
    }
    let scalars = read_all::<Fr>(scalar_words, enc, "scalars")?;
    let cfg = MsmConfig { validate: flags & CHK_MSM_VALIDATE != 0, ..MsmConfig::default() };
    let sum = msm::msm::<P>(engine, &points, &scalars, &cfg)?;
    P::write(&sum.into_affine(), enc, dst);
    Ok(())
}

/// Σ scalars[i] · bases[i] over BN254 G1: `bases` holds `n` affine points as (x, y), 8
/// `uint64_t` (little-endian limbs of x, then of y), the identity as all zeros; `scalars` holds
/// `n` elements of Fr (4 limbs each); coordinates and scalars in `encoding`. Writes the sum as
/// an affine point (same layout and encoding) to `result`. `flags`: `CHK_MSM_VALIDATE`. n = 0
/// gives the identity. Equal to arkworks' `VariableBaseMSM::msm`.
///
/// # Safety
/// `engine` null or live; `bases` null or valid for 8n `uint64_t`, `scalars` for 4n, `result`
/// writable for 8.
#[no_mangle]
pub unsafe extern "C" fn chk_msm_g1(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    scalars: *const u64,
    n: usize,
    flags: u32,
    result: *mut u64,
) -> ChkStatus {
    // SAFETY: forwarded.
    guarded(|| unsafe { msm_typed::<ark_bn254::g1::Config>(engine, encoding, bases, scalars, n, flags, result) })
}

/// `chk_msm_g1` over BN254 G2: a base is (x.c0, x.c1, y.c0, y.c1), 16 `uint64_t`, and so is
/// `result`. With `CHK_MSM_VALIDATE`, bases outside the prime-order subgroup are rejected too.
///
/// # Safety
/// `engine` null or live; `bases` null or valid for 16n `uint64_t`, `scalars` for 4n,
/// `result` writable for 16.
#[no_mangle]
pub unsafe extern "C" fn chk_msm_g2(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    scalars: *const u64,
    n: usize,
    flags: u32,
    result: *mut u64,
) -> ChkStatus {
    // SAFETY: forwarded.
    guarded(|| unsafe { msm_typed::<ark_bn254::g2::Config>(engine, encoding, bases, scalars, n, flags, result) })
}
