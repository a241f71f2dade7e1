//! BN254 G1 and G2 multi-scalar multiplication.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use cherenkov::msm::gpu::DeviceCurve;
use cherenkov::msm::{self, DeviceBases, MsmConfig};
use cherenkov::Error;

use crate::engine::{engine_ref, ChkEngine};
use crate::field::{non_canonical, read_all, Element, Encoding};
use crate::status::{
    guarded, out, slice, slice_mut, times, vec_with_capacity, ChkStatus, Failure, FfiResult, CHK_ERR_INVALID_ARGUMENT,
    CHK_ERR_NULL_POINTER,
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
    let cfg = config(flags)?;
    let points = unsafe { read_points::<P>(bases, n, enc) }?;
    let scalar_words = unsafe { slice(scalars, times(n, 4, "n")?, "scalars") }?;
    let dst = unsafe { slice_mut(result, P::WORDS, "result") }?;
    let scalars = read_all::<Fr>(scalar_words, enc, "scalars")?;
    let sum = msm::msm::<P>(engine, &points, &scalars, &cfg)?;
    P::write(&sum.into_affine(), enc, dst);
    Ok(())
}

/// The MSM configuration `flags` ask for.
fn config(flags: u32) -> FfiResult<MsmConfig> {
    if flags & !CHK_MSM_VALIDATE != 0 {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown flags {flags:#x}")));
    }
    Ok(MsmConfig { validate: flags & CHK_MSM_VALIDATE != 0, ..MsmConfig::default() })
}

/// The `n` points at `bases` (`P::WORDS` words each), each coordinate canonical.
///
/// # Safety
/// `bases` null or valid for `n · P::WORDS` words.
unsafe fn read_points<P: Coordinates>(bases: *const u64, n: usize, enc: Encoding) -> FfiResult<Vec<Affine<P>>> {
    // SAFETY: forwarded.
    let words = unsafe { slice(bases, times(n, P::WORDS, "n")?, "bases") }?;
    let mut points = vec_with_capacity::<Affine<P>>(n)?;
    for (i, w) in words.chunks_exact(P::WORDS).enumerate() {
        points.push(P::read(w, enc).ok_or_else(|| non_canonical::<Fq>(&format!("bases[{i}]"), 0))?);
    }
    Ok(points)
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

/// BN254 G1 or G2 bases kept on an engine's device for any number of MSMs over them (an SRS, a
/// commitment key): each MSM then moves only its scalars up and its window sums down, where
/// `chk_msm_g1` uploads every base on every call. Create with `chk_msm_bases_g1_new` or
/// `chk_msm_bases_g2_new`, use with `chk_msm_bases_msm`, release with `chk_msm_bases_free`. The
/// handle holds its own reference to the engine (freeing the engine first is allowed) and may
/// be used from several threads at once. On the cpu engine nothing is uploaded and the MSMs
/// run on the cpu.
pub struct ChkMsmBases {
    bases: ResidentBases,
}

enum ResidentBases {
    G1(DeviceBases<'static, ark_bn254::g1::Config>),
    G2(DeviceBases<'static, ark_bn254::g2::Config>),
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<ChkMsmBases>()
};

/// # Safety
/// As `chk_msm_bases_g1_new`.
unsafe fn bases_new<P: Coordinates>(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    n: usize,
    flags: u32,
    bases_out: *mut *mut ChkMsmBases,
    wrap: fn(DeviceBases<'static, P>) -> ResidentBases,
) -> FfiResult {
    // SAFETY: forwarded, for all of these.
    let engine = unsafe { engine_ref(engine) }?;
    let slot = unsafe { out(bases_out, "bases_out") }?;
    let enc = Encoding::from_code(encoding)?;
    let cfg = config(flags)?;
    let points = unsafe { read_points::<P>(bases, n, enc) }?;
    let resident = DeviceBases::from_vec(engine, points, &cfg)?;
    *slot = Box::into_raw(Box::new(ChkMsmBases { bases: wrap(resident) }));
    Ok(())
}

/// Uploads `n` BN254 G1 bases (as `chk_msm_g1` takes them: (x, y), 8 `uint64_t` each, the
/// identity as zeros, in `encoding`) to `engine`'s device and writes the handle to
/// `*bases_out`. `flags`: `CHK_MSM_VALIDATE` checks the bases here, once (the MSMs never check
/// them again). `CHK_ERR_OUT_OF_MEMORY` when the device has no room for them.
///
/// # Safety
/// `engine` null or live; `bases` null or valid for 8n `uint64_t`; `bases_out` null or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn chk_msm_bases_g1_new(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    n: usize,
    flags: u32,
    bases_out: *mut *mut ChkMsmBases,
) -> ChkStatus {
    // SAFETY: forwarded.
    guarded(|| unsafe { bases_new(engine, encoding, bases, n, flags, bases_out, ResidentBases::G1) })
}

/// `chk_msm_bases_g1_new` over BN254 G2: a base is (x.c0, x.c1, y.c0, y.c1), 16 `uint64_t`;
/// with `CHK_MSM_VALIDATE`, bases outside the prime-order subgroup are rejected too.
///
/// # Safety
/// `engine` null or live; `bases` null or valid for 16n `uint64_t`; `bases_out` null or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn chk_msm_bases_g2_new(
    engine: *const ChkEngine,
    encoding: u32,
    bases: *const u64,
    n: usize,
    flags: u32,
    bases_out: *mut *mut ChkMsmBases,
) -> ChkStatus {
    // SAFETY: forwarded.
    guarded(|| unsafe { bases_new(engine, encoding, bases, n, flags, bases_out, ResidentBases::G2) })
}

/// # Safety
/// As `chk_msm_bases_msm`.
unsafe fn bases_msm<P: Coordinates>(
    bases: &DeviceBases<'static, P>,
    enc: Encoding,
    scalars: *const u64,
    n: usize,
    sets: usize,
    results: *mut u64,
) -> FfiResult {
    if n != bases.len() {
        return Err(Error::LengthMismatch {
            what: "scalars per MSM (the handle's bases)",
            expected: bases.len(),
            got: n,
        }
        .into());
    }
    // SAFETY: forwarded, for both.
    let words = unsafe { slice(scalars, times(times(n, 4, "n")?, sets, "sets")?, "scalars") }?;
    let dst = unsafe { slice_mut(results, times(sets, P::WORDS, "sets")?, "results") }?;
    if n == 0 {
        dst.chunks_exact_mut(P::WORDS).for_each(|out| P::write(&Affine::identity(), enc, out));
        return Ok(());
    }
    let scalars = read_all::<Fr>(words, enc, "scalars")?;
    let sets: Vec<&[Fr]> = scalars.chunks_exact(n).collect();
    for (sum, out) in bases.msm_batch(&sets)?.iter().zip(dst.chunks_exact_mut(P::WORDS)) {
        P::write(&sum.into_affine(), enc, out);
    }
    Ok(())
}

/// `sets` MSMs over the handle's bases: `scalars` holds `sets` vectors of `n` Fr elements (4
/// `uint64_t` each, in `encoding`; `n` must equal the number of bases, else
/// `CHK_ERR_LENGTH`), one after another; `results` gets `sets` affine points in `encoding` (8
/// `uint64_t` each for G1 bases, 16 for G2). Each equals `chk_msm_g1` (`chk_msm_g2`) over the
/// same bases and that vector. `sets` = 0 does nothing.
///
/// # Safety
/// `bases` null or live; `scalars` null or valid for 4 · n · sets `uint64_t`; `results` null
/// or writable for 8 · sets (G1) or 16 · sets (G2).
#[no_mangle]
pub unsafe extern "C" fn chk_msm_bases_msm(
    bases: *const ChkMsmBases,
    encoding: u32,
    scalars: *const u64,
    n: usize,
    sets: usize,
    results: *mut u64,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded, for all of these.
        let handle = unsafe { bases.as_ref() }.ok_or_else(|| Failure::new(CHK_ERR_NULL_POINTER, "bases is null"))?;
        let enc = Encoding::from_code(encoding)?;
        match &handle.bases {
            ResidentBases::G1(b) => unsafe { bases_msm(b, enc, scalars, n, sets, results) },
            ResidentBases::G2(b) => unsafe { bases_msm(b, enc, scalars, n, sets, results) },
        }
    })
}

/// Releases a bases handle and its device memory. Null is ignored.
///
/// # Safety
/// `bases` null or a handle from `chk_msm_bases_g1_new` / `chk_msm_bases_g2_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn chk_msm_bases_free(bases: *mut ChkMsmBases) {
    if !bases.is_null() {
        // SAFETY: the caller hands back a handle we boxed.
        let _ = std::panic::catch_unwind(|| drop(unsafe { Box::from_raw(bases) }));
    }
}
