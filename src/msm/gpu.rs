//! The device MSM: the kernels of `kernels/msm` (see msm.cuh) in order on one chunk of points,
//! each window's sum on the device, the windows combined on the host (c doublings and an
//! addition per window). [`Plan`] is the pure part — window size, precomputed copies, buckets,
//! segments and the device bytes they take — shared by the emulator and CUDA.

use ark_bn254::{Fq, Fq2, Fr};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::{Field, PrimeField, Zero};
use rayon::prelude::*;

use super::{Layout, MAX_CHUNK};
use crate::backend::{plan, DeviceBuffer, Dim3, Gpu, Launch};
use crate::error::{Error, Result};
use crate::field::bn254::{from_limbs, limbs};
use crate::mem::{self, Size};

/// Threads of the scan kernel's one block per window (`SCAN_THREADS` in msm.cuh).
const SCAN_THREADS: u32 = 256;
/// Points an accumulate thread adds at most once the MSM is large enough to fill a device with
/// such pieces: a bucket is cut into pieces of [`Plan::piece`] points, so a bucket that holds
/// every point (equal scalars, a witness of zeros and ones, the few buckets of a scalar's top
/// window) is added by many threads instead of one.
const FULL_PIECE: u32 = 64;
/// Smaller MSMs cut shorter pieces, down to this: at 64 points their accumulate was one chain of
/// dependent additions a thread, bound by its busiest thread (G1 2^14 75 µs of 123 µs, G2 2^12
/// 300 of 436 µs, the emulator profile's H100 estimate). Each piece is one more addition in the
/// reduce, whose busiest thread then binds instead.
const MIN_PIECE: u32 = 4;
/// Pieces over all windows that a small MSM still makes: the piece is the largest power of two
/// (from [`MIN_PIECE`] to [`FULL_PIECE`]) that gives at least this many. In the profile's
/// estimate a G1 MSM of 2^16 points (1.4 M additions) is issue-bound at 32- and 64-point pieces
/// (174 µs both) and slower at 16 (190 µs), and 2^12 to 2^14 points gain down to 4 to 8 points.
/// A fixed figure rather than the device's: the plan's memory must not depend on which GPU sizes
/// it, and shorter pieces make fewer than 2 · 2^15 pieces over all windows besides one a bucket
/// (G2: under 16 MiB of piece sums).
const FILL_PIECES: u64 = 1 << 15;
/// Pieces a window has at most besides one a bucket ([`Plan::piece`]).
const MAX_SPARE_PIECES: u64 = 1 << 16;
/// Items (bucket steps and pieces, msm.cuh) one reduce thread folds: at least this many (a
/// segment also pays a double-and-add for its offset)...
const MIN_SEGMENT: u32 = 4;
/// ... at most this many, and otherwise as few as fill the device with this many threads an SM.
const MAX_SEGMENT: u32 = 64;
const REDUCE_THREADS_PER_SM: u64 = 512;

/// Items per reduce thread on a device of `sm_count` SMs: the segments of all windows spread
/// over every SM (the reduce was 2 blocks for 2^14 G1 points, 301 of the MSM's 340 µs kernel
/// time in the emulator profile's H100 estimate).
fn segment(windows: u32, items: u32, sm_count: u32) -> u32 {
    let per_thread = (windows as u64 * items as u64) / (sm_count.max(1) as u64 * REDUCE_THREADS_PER_SM);
    (per_thread.max(1).next_power_of_two() as u32).clamp(MIN_SEGMENT, MAX_SEGMENT)
}

/// Threads of the sum kernel's block per window (its shared memory holds one XYZZ point each).
fn sum_threads(field_words: usize) -> u32 {
    if field_words > 4 {
        128
    } else {
        256
    }
}

/// Dynamic shared memory a reduce block may take: the 48 KiB every device gives without opt-in.
const REDUCE_SHARED_BUDGET: u32 = 48 * 1024;

/// Threads and dynamic shared bytes of a reduce block: as many threads (a power of two) as their
/// slots fit in the budget, at most an elementwise block. G2: 64 threads, 33792 bytes.
fn reduce_block<P: DeviceCurve>() -> (u32, u32) {
    let slot = (4 * P::FIELD_WORDS as u32 + 1) * 8; // msm.cuh: smem_slot, a point and 8 bytes
    if P::REDUCE_SLOTS == 0 {
        return (plan::ELEMENTWISE_BLOCK, 0);
    }
    let fit = REDUCE_SHARED_BUDGET / (P::REDUCE_SLOTS * slot);
    let threads = (1u32 << fit.ilog2()).min(plan::ELEMENTWISE_BLOCK);
    (threads, threads * P::REDUCE_SLOTS * slot)
}

/// What the device MSM needs of a curve: its points as the kernels store them (arkworks'
/// Montgomery limbs, (0, 0) for infinity) and its kernels.
pub trait DeviceCurve: super::cpu::CpuCurve + super::subgroup::SubgroupCheck + SWCurveConfig<ScalarField = Fr> {
    /// u64 words of one base-field element.
    const FIELD_WORDS: usize;
    const ACCUMULATE: &'static str;
    const REDUCE: &'static str;
    const SUM: &'static str;
    /// Padded point slots a thread of the reduce kernel keeps in dynamic shared memory (G2's
    /// running sum and offset: `reduce_in_memory` in msm.cu; G1's live in registers).
    const REDUCE_SLOTS: u32;
    /// The element's Montgomery limbs into `out` (`FIELD_WORDS` words).
    fn write_field(x: &Self::BaseField, out: &mut [u64]);
    /// The element with Montgomery limbs `words`, if canonical.
    fn read_field(words: &[u64]) -> Option<Self::BaseField>;
}

impl DeviceCurve for ark_bn254::g1::Config {
    const FIELD_WORDS: usize = 4;
    const ACCUMULATE: &'static str = "chk_msm_accumulate_g1";
    const REDUCE: &'static str = "chk_msm_reduce_g1";
    const SUM: &'static str = "chk_msm_sum_g1";
    const REDUCE_SLOTS: u32 = 0;
    fn write_field(x: &Fq, out: &mut [u64]) {
        out.copy_from_slice(&limbs(*x));
    }
    fn read_field(w: &[u64]) -> Option<Fq> {
        from_limbs::<ark_bn254::FqConfig>(w.try_into().ok()?)
    }
}

impl DeviceCurve for ark_bn254::g2::Config {
    const FIELD_WORDS: usize = 8;
    const ACCUMULATE: &'static str = "chk_msm_accumulate_g2";
    const REDUCE: &'static str = "chk_msm_reduce_g2";
    const SUM: &'static str = "chk_msm_sum_g2";
    const REDUCE_SLOTS: u32 = 2;
    fn write_field(x: &Fq2, out: &mut [u64]) {
        out[..4].copy_from_slice(&limbs(x.c0));
        out[4..].copy_from_slice(&limbs(x.c1));
    }
    fn read_field(w: &[u64]) -> Option<Fq2> {
        let c0 = from_limbs::<ark_bn254::FqConfig>(w[..4].try_into().ok()?)?;
        let c1 = from_limbs::<ark_bn254::FqConfig>(w[4..].try_into().ok()?)?;
        Some(Fq2::new(c0, c1))
    }
}

/// The shape of one device MSM over `n` scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub n: usize,
    pub layout: Layout,
    /// Buckets per window: 2^(c-1).
    pub buckets: u32,
    /// Points of a bucket one accumulate thread adds at most: [`FULL_PIECE`]; fewer (down to
    /// [`MIN_PIECE`]) for small MSMs, so that their pieces still fill a device
    /// ([`FILL_PIECES`]); more above 2^22 points, so that a window has at most
    /// [`MAX_SPARE_PIECES`] pieces besides one a bucket (the piece sums' device memory stays
    /// within a few times the buckets'). The device's window (c = log2 n − 4,
    /// [`Layout::auto_for`]) puts about 32 random points in a bucket up to 2^20 points.
    pub piece: u32,
    /// Pieces per window, at most: Σ ⌈count / piece⌉ over the buckets ≤ points / piece + the
    /// buckets that hold a point.
    pub pieces: u32,
    /// Reduce segments per window, at most (the smallest segment: what the partial sums take).
    pub segments: u32,
}

impl Plan {
    pub fn new(n: usize, layout: Layout) -> Self {
        let buckets = 1u32 << (layout.c - 1);
        // Points ≤ MAX_CHUNK = 2^30 in a chunk the kernels see, so this stays below 2^32 for
        // them; larger n (only sized here, then split into chunks) saturates.
        let points = (n as u64).saturating_mul(layout.copies as u64);
        let fill = (points.saturating_mul(layout.windows as u64) / FILL_PIECES).max(1);
        let fill = (1u64 << fill.ilog2()).clamp(MIN_PIECE as u64, FULL_PIECE as u64);
        let piece = points.div_ceil(MAX_SPARE_PIECES).next_power_of_two().clamp(fill, 1 << 30);
        let pieces = (points / piece + points.min(buckets as u64)).min(u32::MAX as u64 / 2) as u32;
        Self { n, layout, buckets, piece: piece as u32, pieces, segments: (buckets + pieces).div_ceil(MIN_SEGMENT) }
    }

    /// Items per window, at most: a step per bucket and the pieces.
    pub fn items(&self) -> u32 {
        self.buckets + self.pieces
    }

    /// Points the kernels see: every precomputed copy of every base.
    pub fn points(&self) -> Result<usize> {
        Size::of(self.n, "MSM points").times(self.layout.copies as usize).get()
    }

    /// Device bytes the plan allocates for a curve whose field elements take `field_words`
    /// (checked: a size that overflows is `SizeOverflow`, never a wrapped value).
    pub fn device_bytes(&self, field_words: usize) -> Result<usize> {
        let (w, b, pts) = (self.layout.windows as usize, self.buckets as usize, self.points()?);
        let what = "MSM device bytes";
        let affine = Size::of(pts, what).times(2 * field_words * 8);
        let scalars = Size::of(self.n, what).times(32);
        let keys_and_sorted = Size::of(pts, what).times(2 * w * 4);
        // counts, offsets, cursors and piece offsets
        let bucket_tables = Size::of(w * b, what).times(4 * 4);
        let piece_sums = Size::of(w, what).times(self.pieces as usize).times(4 * field_words * 8);
        let partials = Size::of(w * (self.segments as usize + 1), what).times(4 * field_words * 8);
        affine.and(scalars).and(keys_and_sorted).and(bucket_tables).and(piece_sums).and(partials).get()
    }
}

/// The points of `bases` (already expanded to `layout.copies` copies) as kernel words.
pub fn base_words<P: DeviceCurve>(bases: &[Affine<P>]) -> Result<Vec<u64>> {
    let k = P::FIELD_WORDS;
    // Zeroed: the identity's words stay (0, 0).
    let mut words = mem::zeroed::<u64>(Size::of(bases.len(), "MSM base words").times(2 * k).get()?)?;
    words.par_chunks_mut(2 * k).zip(bases).for_each(|(out, p)| {
        if !p.is_zero() {
            P::write_field(&p.x, &mut out[..k]);
            P::write_field(&p.y, &mut out[k..]);
        }
    });
    Ok(words)
}

/// An XYZZ point from kernel words as a Jacobian point, without an inversion: Z = ZZ·ZZZ,
/// X = X·ZZ·ZZZ², Y = Y·ZZZ⁴ (using ZZ³ = ZZZ²).
fn from_xyzz<P: DeviceCurve>(w: &[u64]) -> Result<Projective<P>> {
    let k = P::FIELD_WORDS;
    let coord =
        |i: usize| P::read_field(&w[i * k..(i + 1) * k]).ok_or(Error::NonCanonical { field: "bn254_fq", index: i });
    let (x, y, zz, zzz) = (coord(0)?, coord(1)?, coord(2)?, coord(3)?);
    if zz.is_zero() {
        return Ok(Projective::zero());
    }
    let zzz2 = zzz.square();
    Ok(Projective::new_unchecked(x * zz * zzz2, y * zzz2.square(), zz * zzz))
}

/// Σ scalars[i] · bases[i] on `gpu` for one chunk: `table` holds `layout.copies` copies of the
/// chunk's bases (copy j scaled by 2^(j·c·windows)), `scalars` the chunk's scalars.
pub fn msm<P: DeviceCurve>(gpu: &Gpu, table: &[Affine<P>], scalars: &[Fr], layout: Layout) -> Result<Projective<P>> {
    if scalars.is_empty() {
        return Ok(Projective::zero());
    }
    let points = Plan::new(scalars.len(), layout).points()?;
    if points > MAX_CHUNK || table.len() != points {
        return Err(Error::SizeOverflow(format!("{points} points in one device MSM")));
    }
    msm_resident(gpu, &upload_bases(gpu, table)?, scalars, layout)
}

/// `table`'s points in device memory as the kernels read them ([`base_words`]).
pub fn upload_bases<P: DeviceCurve>(gpu: &Gpu, table: &[Affine<P>]) -> Result<DeviceBuffer<u64>> {
    gpu.upload(&base_words(table)?)
}

/// [`msm`] over bases already on the device ([`upload_bases`] of the chunk's table): only the
/// scalars go up and the window sums come back.
#[allow(unsafe_code)] // launches whose index ranges are the plan's, buffers sized from it
pub fn msm_resident<P: DeviceCurve>(
    gpu: &Gpu,
    d_bases: &DeviceBuffer<u64>,
    scalars: &[Fr],
    layout: Layout,
) -> Result<Projective<P>> {
    let n = scalars.len();
    let p = Plan::new(n, layout);
    if n == 0 {
        return Ok(Projective::zero());
    }
    let points = p.points()?;
    if points > MAX_CHUNK || d_bases.len() != points * 2 * P::FIELD_WORDS {
        return Err(Error::SizeOverflow(format!(
            "{points} points in one device MSM over a table of {} words",
            d_bases.len()
        )));
    }
    let (windows, buckets, pts) = (layout.windows, p.buckets, points as u64);
    let props = gpu.props();
    let mut ints = mem::zeroed::<u64>(Size::of(n, "MSM scalar words").times(4).get()?)?;
    ints.par_chunks_mut(4).zip(scalars).for_each(|(out, s)| out.copy_from_slice(&s.into_bigint().0));
    let d_scalars = gpu.upload(&ints)?;
    let keys = gpu.alloc::<u32>(windows as usize * pts as usize)?;
    let counts = gpu.alloc::<u32>((windows * buckets) as usize)?;
    // The scan writes every entry of these three; the scatter every slot the accumulate reads
    // (a window's first Σ counts).
    let offsets = gpu.alloc_uninit::<u32>((windows * buckets) as usize)?;
    let cursors = gpu.alloc_uninit::<u32>((windows * buckets) as usize)?;
    let piece_offsets = gpu.alloc_uninit::<u32>((windows * buckets) as usize)?;
    let sorted = gpu.alloc_uninit::<u32>(windows as usize * pts as usize)?;
    let xyzz = 4 * P::FIELD_WORDS;
    let max_pieces = p.pieces;
    // Written for the pieces a window has, read only there.
    let sums = gpu.alloc_uninit::<u64>(windows as usize * max_pieces as usize * xyzz)?;
    let seg = segment(windows, p.items(), props.sm_count);
    let segs = p.items().div_ceil(seg);
    let partials = gpu.alloc_uninit::<u64>((windows * segs) as usize * xyzz)?;
    let window_sums = gpu.alloc_uninit::<u64>(windows as usize * xyzz)?;

    let grid = |count: u64| plan::elementwise(count, &props).expect("count > 0");
    let (g, b) = grid(n as u64);
    let digits = Launch::new("chk_msm_digits", g, b)
        .buf(&d_scalars)
        .u64(n as u64)
        .u32(layout.c)
        .u32(layout.scalar_windows)
        .u32(windows)
        .buf(&keys);
    let (g, b) = grid(windows as u64 * pts);
    let histogram = Launch::new("chk_msm_histogram", g, b).buf(&keys).u64(pts).u32(windows).u32(buckets).buf(&counts);
    let scan = Launch::new("chk_msm_scan", Dim3::x(windows), Dim3::x(SCAN_THREADS))
        .buf(&counts)
        .u32(buckets)
        .u32(p.piece)
        .buf(&offsets)
        .buf(&cursors)
        .buf(&piece_offsets);
    let scatter =
        Launch::new("chk_msm_scatter", g, b).buf(&keys).u64(pts).u32(windows).u32(buckets).buf(&cursors).buf(&sorted);
    let (g, b) = grid(windows as u64 * max_pieces as u64);
    let accumulate = Launch::new(P::ACCUMULATE, g, b)
        .buf(d_bases)
        .buf(&sorted)
        .buf(&offsets)
        .buf(&counts)
        .buf(&piece_offsets)
        .u64(pts)
        .u32(windows)
        .u32(buckets)
        .u32(p.piece)
        .u32(max_pieces)
        .buf(&sums);
    let (threads, shared) = reduce_block::<P>();
    let (g, b) = plan::elementwise_in_blocks_of((windows * segs) as u64, threads, &props).expect("segments");
    let reduce = Launch::new(P::REDUCE, g, b)
        .shared(shared)
        .buf(&sums)
        .buf(&counts)
        .buf(&piece_offsets)
        .u32(windows)
        .u32(buckets)
        .u32(p.piece)
        .u32(max_pieces)
        .u32(seg)
        .u32(segs)
        .buf(&partials);
    let threads = sum_threads(P::FIELD_WORDS);
    let sum = Launch::new(P::SUM, Dim3::x(windows), Dim3::x(threads))
        .shared(threads * (xyzz as u32 + 1) * 8) // a padded slot a thread (msm.cuh: smem_slot)
        .buf(&partials)
        .u32(segs)
        .buf(&window_sums);
    // SAFETY: every buffer is sized from the plan the launches index by: scalars 4n words, keys
    // and sorted windows·points, bucket tables windows·buckets, piece sums windows·max_pieces
    // (a window has at most that many pieces: Plan::pieces), partials windows·segs, window sums
    // windows; a point index fits the 31 bits the keys leave it (points ≤ MAX_CHUNK).
    unsafe { gpu.run(&[digits, histogram, scan, scatter, accumulate, reduce, sum])? };

    let words = gpu.download(&window_sums)?;
    let window_sums: Vec<Projective<P>> = words.par_chunks(xyzz).map(from_xyzz::<P>).collect::<Result<_>>()?;
    let mut total = Projective::<P>::zero();
    for s in window_sums.iter().rev() {
        for _ in 0..layout.c {
            total.double_in_place();
        }
        total += s;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reduce block holds whole warps and its slots fit the budget, for both curves.
    #[test]
    fn reduce_blocks_fit_their_shared_memory() {
        fn check<P: DeviceCurve>(slots: u32) {
            let (threads, shared) = reduce_block::<P>();
            assert!(threads >= 32 && threads.is_power_of_two() && threads <= plan::ELEMENTWISE_BLOCK);
            assert_eq!(shared, threads * slots * (4 * P::FIELD_WORDS as u32 + 1) * 8);
            assert!(shared <= REDUCE_SHARED_BUDGET);
        }
        check::<ark_bn254::g1::Config>(0);
        check::<ark_bn254::g2::Config>(2);
        assert_eq!(reduce_block::<ark_bn254::g2::Config>(), (64, 33792));
    }

    /// Pieces: at most [`FULL_PIECE`] points up to 2^22 points, shorter for small MSMs (never
    /// below [`MIN_PIECE`]) and then enough of them over all windows to fill a device but fewer
    /// than twice that; beyond 2^22 points they grow so that a window has at most 2^16 pieces
    /// besides one a bucket; and `pieces` bounds what the accumulate writes.
    #[test]
    fn pieces_fill_the_device_and_bound_their_memory() {
        for c in [4u32, 8, 10, 16] {
            for log in [0u32, 4, 10, 12, 14, 16, 18, 20, 22, 23, 26, 30] {
                let layout = Layout::new(c, 1).unwrap();
                let p = Plan::new(1 << log, layout);
                let points = 1u64 << log;
                let spare = points * layout.windows as u64 / p.piece as u64;
                let at = format!("c = {c}, 2^{log} points, piece {}", p.piece);
                assert!(p.piece.is_power_of_two() && p.piece >= MIN_PIECE, "{at}");
                if log <= 22 {
                    assert!(p.piece <= FULL_PIECE, "{at}");
                    if p.piece > MIN_PIECE {
                        assert!(spare >= FILL_PIECES, "{at}: {spare} pieces");
                    }
                    if p.piece < FULL_PIECE {
                        assert!(spare < 2 * FILL_PIECES, "{at}: {spare} pieces");
                    }
                }
                assert!(points.div_ceil(p.piece as u64) <= MAX_SPARE_PIECES, "{at}");
                assert_eq!(p.pieces as u64, points / p.piece as u64 + points.min(p.buckets as u64), "{at}");
                assert_eq!(p.segments, p.items().div_ceil(MIN_SEGMENT));
            }
        }
        // The device's windows (c = log2 n - 4): 2^12 points at the shortest pieces, 2^20 at full.
        assert_eq!(Plan::new(1 << 12, Layout::new(8, 1).unwrap()).piece, MIN_PIECE);
        assert_eq!(Plan::new(1 << 20, Layout::new(16, 1).unwrap()).piece, FULL_PIECE);
    }
}
