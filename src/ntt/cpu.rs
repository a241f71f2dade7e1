//! The cpu executor of an NTT plan: rayon over butterfly blocks and row pairs, every column of
//! a row handled in one tight loop (the compiler vectorises it).

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::field::NttField;
use super::plan::{passes, Pass, Step};
use super::twiddles;
use crate::error::Result;
use crate::mem;

/// Rows per rayon task at the least: keeps tasks well above the scheduling cost.
const MIN_ELEMS_PER_TASK: usize = 1 << 12;

pub(super) fn run<F: NttField>(steps: &[Step<F>], mut v: Vec<F>, width: usize) -> Result<Vec<F>> {
    let trace = std::env::var_os("CHERENKOV_NTT_TRACE").is_some();
    for pass in passes(steps) {
        let t0 = std::time::Instant::now();
        match pass {
            Pass::Step(Step::Scale { log_n, scale, shift, bitrev_rows }) => {
                scale_in_place(&mut v, width, log_n, scale, shift, bitrev_rows)
            }
            Pass::Step(Step::Expand { log_src, log_dst, scale, shift }) => {
                v = bitrev_expand(v, width, log_src, log_dst, Some((scale, shift)))?
            }
            Pass::Step(Step::Bitrev { log_n }) => v = bitrev_expand(v, width, log_n, log_n, None)?,
            Pass::Step(Step::Dif { .. } | Step::Dit { .. }) => unreachable!("merged into Stages"),
            Pass::Stages { log_n, lo, hi, inverse, dif } => {
                let tw = twiddles::host::<F>(log_n, inverse)?;
                let whole_dif = dif && width == 1 && lo == 0 && hi + 1 == log_n;
                if !(whole_dif && F::dif_column_fast(&mut v, log_n, &tw)?) {
                    stages::<FieldRows<F>>(&mut v, width, log_n, lo, hi, &tw, dif)
                }
            }
        }
        if trace {
            eprintln!("ntt cpu {pass:?}: {:?}", t0.elapsed());
        }
    }
    Ok(v)
}

fn min_rows(width: usize) -> usize {
    (MIN_ELEMS_PER_TASK / width).max(1)
}

/// The row arithmetic the stage passes run: a field's rows ([`FieldRows`]), or another
/// representation of a field's elements (BN254 Fr in 52-bit lanes, `super::lanes`).
pub(super) trait RowOps {
    /// What a row holds.
    type E: Send + Sync;
    /// A twiddle.
    type W: Copy + Send + Sync;
    /// Elements a strided-group task works on (2^k rows × c adjacent windows): an L2-sized tile.
    const GROUP_TASK_ELEMS: usize = 1 << 16;
    /// (a, b) -> (a + b, a - b): the butterfly of either kind when the twiddle is 1.
    fn add_sub_rows(a: &mut [Self::E], b: &mut [Self::E]);
    /// (a, b) -> (a + b, (a - b) w).
    fn dif_rows(a: &mut [Self::E], b: &mut [Self::E], w: Self::W);
    /// (a, b) -> (a + b w, a - b w).
    fn dit_rows(a: &mut [Self::E], b: &mut [Self::E], w: Self::W);
    /// Two stages on four rows ([`super::field::radix4`]).
    fn radix4_rows(rows: [&mut [Self::E]; 4], w: [Self::W; 3], dif: bool);
}

/// A field's own rows, through its [`NttField`] methods.
pub(super) struct FieldRows<F>(PhantomData<F>);

impl<F: NttField> RowOps for FieldRows<F> {
    type E = F;
    type W = F;
    fn add_sub_rows(a: &mut [F], b: &mut [F]) {
        F::add_sub_rows(a, b)
    }
    fn dif_rows(a: &mut [F], b: &mut [F], w: F) {
        F::dif_rows(a, b, w)
    }
    fn dit_rows(a: &mut [F], b: &mut [F], w: F) {
        F::dit_rows(a, b, w)
    }
    fn radix4_rows(rows: [&mut [F]; 4], w: [F; 3], dif: bool) {
        F::radix4_rows(rows, w, dif)
    }
}

/// Bytes of a contiguous block whose remaining stages run in one task, in cache.
const BLOCK_BYTES: usize = 512 << 10;
/// Most stages fused per pass over the matrix for the large spans.
const GROUP_STAGES: u32 = 6;

/// Stages lo..=hi of a size-2^log_n transform; DIF runs them from hi down, DIT from lo up.
/// Spans that fit a cache-sized block run per block in one task; larger spans run in passes of
/// up to GROUP_STAGES stages over strided row groups.
pub(super) fn stages<R: RowOps>(v: &mut [R::E], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[R::W], dif: bool) {
    let block_rows = (BLOCK_BYTES / (width * size_of::<R::E>())).max(2);
    let log_block = block_rows.ilog2(); // stages with log_half < log_block fit a block
    let in_block = |h: u32| h < log_block;
    let mut passes: Vec<(u32, u32)> = Vec::new(); // (low, high) log_half ranges, in execution order
    let small_hi = hi.min(log_block.saturating_sub(1));
    let has_small = in_block(lo);
    let mut big = Vec::new();
    let mut h = if has_small { small_hi + 1 } else { lo };
    if h <= hi {
        // Balanced passes: 10 stages as 5 + 5, not 6 + 4.
        let count = hi - h + 1;
        let passes = count.div_ceil(GROUP_STAGES);
        for p in 0..passes {
            let len = count / passes + u32::from(p < count % passes);
            big.push((h, h + len - 1));
            h += len;
        }
    }
    if dif {
        passes.extend(big.iter().rev());
        if has_small {
            passes.push((lo, small_hi));
        }
    } else {
        if has_small {
            passes.push((lo, small_hi));
        }
        passes.extend(big.iter());
    }
    for (l, h) in passes {
        if in_block(h) {
            block_pass::<R>(v, width, log_n, l, h, tw, dif);
        } else {
            group_pass::<R>(v, width, log_n, l, h, tw, dif);
        }
    }
}

/// A sweep over the rows: one radix-2 stage, or two stages fused (radix-4), named by the larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sweep {
    One(u32),
    Two(u32),
}

/// Stages lo..=hi in execution order (DIF from hi down, DIT from lo up), fused in pairs; an odd
/// one out is stage lo, whose twiddles are the fewest distinct (all 1 when lo = 0).
fn sweeps(lo: u32, hi: u32, dif: bool) -> Vec<Sweep> {
    let single = (hi - lo + 1) % 2 == 1;
    let first_pair = if single { lo + 1 } else { lo };
    let pairs: Vec<Sweep> = (first_pair..hi).step_by(2).map(|h| Sweep::Two(h + 1)).collect();
    let mut out: Vec<Sweep> = Vec::new();
    if dif {
        out.extend(pairs.iter().rev());
        out.extend(single.then_some(Sweep::One(lo)));
    } else {
        out.extend(single.then_some(Sweep::One(lo)));
        out.extend(pairs);
    }
    out
}

/// Stages lo..=hi inside each contiguous block of 2^(hi+1) rows, one task per block.
fn block_pass<R: RowOps>(v: &mut [R::E], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[R::W], dif: bool) {
    let sweeps = sweeps(lo, hi, dif);
    v.par_chunks_mut(width << (hi + 1)).for_each(|block| {
        for &sweep in &sweeps {
            match sweep {
                Sweep::One(h) => {
                    let stride = 1usize << (log_n - 1 - h);
                    for pair in block.chunks_mut(width << (h + 1)) {
                        let (a, b) = pair.split_at_mut(width << h);
                        for (j, (ra, rb)) in a.chunks_mut(width).zip(b.chunks_mut(width)).enumerate() {
                            butterfly::<R>(ra, rb, j, tw[j * stride], dif);
                        }
                    }
                }
                Sweep::Two(h) => {
                    // Rows x, x+q, x+2q, x+3q of each span of 4q; stage h at index j (j+q for
                    // the second pair), stage h-1 at j.
                    let q = 1usize << (h - 1);
                    let stride = 1usize << (log_n - 1 - h);
                    for span in block.chunks_mut(width << (h + 1)) {
                        let (x01, x23) = span.split_at_mut(width * 2 * q);
                        let (x0, x1) = x01.split_at_mut(width * q);
                        let (x2, x3) = x23.split_at_mut(width * q);
                        let quads = x0.chunks_mut(width).zip(x1.chunks_mut(width)).zip(x2.chunks_mut(width));
                        for (j, (((r0, r1), r2), r3)) in quads.zip(x3.chunks_mut(width)).enumerate() {
                            let w = [tw[j * stride], tw[(j + q) * stride], tw[2 * j * stride]];
                            R::radix4_rows([r0, r1, r2, r3], w, dif);
                        }
                    }
                }
            }
        }
    });
}

/// Stages lo..=hi whose spans exceed a block: rows that differ only in bits lo..=hi form a
/// group of 2^(hi-lo+1) rows, 2^lo apart; each task takes a few adjacent groups.
fn group_pass<R: RowOps>(v: &mut [R::E], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[R::W], dif: bool) {
    let k = hi - lo + 1;
    let sweeps = sweeps(lo, hi, dif);
    let low_rows = 1usize << lo;
    // Adjacent rows per window: a power of two, so that windows tile the 2^lo rows exactly.
    let c = (1usize << ((R::GROUP_TASK_ELEMS >> k) / width).max(1).ilog2()).min(low_rows);
    v.par_chunks_mut(width << (hi + 1)).for_each(|outer| {
        // outer = 2^k sub-slices of 2^lo rows; a task owns the same c-row window of each.
        let mut windows: Vec<Vec<&mut [R::E]>> =
            outer.chunks_mut(width * low_rows).map(|s| s.chunks_mut(width * c).collect()).collect();
        let tasks = low_rows / c;
        let mut per_task: Vec<Vec<&mut [R::E]>> = (0..tasks).map(|_| Vec::with_capacity(1 << k)).collect();
        for sub in windows.iter_mut() {
            for (t, w) in sub.drain(..).enumerate() {
                per_task[t].push(w);
            }
        }
        per_task.into_par_iter().enumerate().for_each(|(task, mut rows)| {
            for &sweep in &sweeps {
                match sweep {
                    Sweep::One(h) => {
                        let half = 1usize << (h - lo);
                        let stride = 1usize << (log_n - 1 - h);
                        for t in (0..1usize << k).filter(|t| t & half == 0) {
                            let (x, y) = rows.split_at_mut(t + half);
                            let (ra, rb) = (&mut *x[t], &mut *y[0]);
                            for (l, (a, b)) in ra.chunks_mut(width).zip(rb.chunks_mut(width)).enumerate() {
                                let j = task * c + l + ((t & (half - 1)) << lo);
                                butterfly::<R>(a, b, j, tw[j * stride], dif);
                            }
                        }
                    }
                    Sweep::Two(h) => {
                        // Windows t, t+q, t+2q, t+3q (q = 2^(h-1-lo)), as in block_pass.
                        let q = 1usize << (h - 1 - lo);
                        let stride = 1usize << (log_n - 1 - h);
                        for t in (0..1usize << k).filter(|t| t & (3 * q) == 0) {
                            let (x0, rest) = rows.split_at_mut(t + q);
                            let (x1, rest) = rest.split_at_mut(q);
                            let (x2, x3) = rest.split_at_mut(q);
                            let (w0, w1, w2, w3) = (&mut *x0[t], &mut *x1[0], &mut *x2[0], &mut *x3[0]);
                            let rows4 = w0.chunks_mut(width).zip(w1.chunks_mut(width)).zip(w2.chunks_mut(width));
                            for (l, (((r0, r1), r2), r3)) in rows4.zip(w3.chunks_mut(width)).enumerate() {
                                let j = task * c + l + ((t & (q - 1)) << lo);
                                let w = [tw[j * stride], tw[(j + (q << lo)) * stride], tw[2 * j * stride]];
                                R::radix4_rows([r0, r1, r2, r3], w, dif);
                            }
                        }
                    }
                }
            }
        });
    });
}

/// The butterfly of twiddle index `j` (w = tw[j · stride]); index 0 is w = 1, no multiplication.
#[inline]
fn butterfly<R: RowOps>(a: &mut [R::E], b: &mut [R::E], j: usize, w: R::W, dif: bool) {
    if j == 0 {
        R::add_sub_rows(a, b)
    } else if dif {
        R::dif_rows(a, b, w)
    } else {
        R::dit_rows(a, b, w)
    }
}

pub(super) fn bitrev(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

/// Maps the pages of a fresh buffer of at least a few MiB before it is written, in parallel and
/// a few MiB per system call (`MADV_POPULATE_WRITE`, Linux 5.14+), instead of one page fault per
/// 4 KiB page on first touch: on a VM those faults are the most expensive part of a big LDE
/// (256 MiB here: 131 ms of faults, 79 ms populated by one thread). Transparent huge pages
/// (MADV_HUGEPAGE) were faster when free huge pages were at hand and stalled for hundreds of ms
/// on compaction when not, so they are not used. Advice only: where the kernel declines, the
/// buffer is the same and faults in as usual. A caller that passes a vector with the capacity
/// already there pays none of this.
#[allow(unsafe_code)]
pub(super) fn prefault<T>(buf: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4 << 10;
        const CHUNK: usize = 4 << 20;
        const MADV_POPULATE_WRITE: libc::c_int = 23; // not in every libc release yet
        let (addr, bytes) = (buf.as_mut_ptr() as usize, std::mem::size_of_val(buf));
        if bytes < 4 * CHUNK {
            return;
        }
        let (start, end) = (addr.next_multiple_of(PAGE), (addr + bytes) & !(PAGE - 1));
        (start..end).into_par_iter().step_by(CHUNK).for_each(|at| {
            // SAFETY: [at, at + len) lies inside `buf`, which this process owns; populating
            // maps pages, it never changes contents. The result is deliberately ignored.
            unsafe { libc::madvise(at as *mut libc::c_void, CHUNK.min(end - at), MADV_POPULATE_WRITE) };
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// base^e for e < 2^bits from two tables of 2^(bits/2) entries: a multiplication a lookup,
/// where rows in bit-reversed order would otherwise need a `pow` each.
struct Powers<F> {
    lo_bits: u32,
    lo: Vec<F>,
    hi: Vec<F>,
}

impl<F: NttField> Powers<F> {
    fn new(base: F, bits: u32) -> Self {
        let lo_bits = bits.div_ceil(2);
        let successive = |b: F, count: usize| -> Vec<F> {
            std::iter::successors(Some(F::one()), |x| Some(*x * b)).take(count).collect()
        };
        let lo = successive(base, 1 << lo_bits);
        let hi = successive(base.pow_u64(1 << lo_bits), 1 << (bits - lo_bits));
        Self { lo_bits, lo, hi }
    }
    fn get(&self, e: usize) -> F {
        self.hi[e >> self.lo_bits] * self.lo[e & ((1 << self.lo_bits) - 1)]
    }
}

/// Row r *= scale · shift^k, k = r or bitrev(r), in place.
fn scale_in_place<F: NttField>(v: &mut [F], width: usize, log_n: u32, scale: F, shift: F, bitrev_rows: bool) {
    let powers = Powers::new(shift, log_n);
    let rows = min_rows(width);
    v.par_chunks_mut(rows * width).enumerate().for_each(|(c, chunk)| {
        for (i, row) in chunk.chunks_mut(width).enumerate() {
            let r = c * rows + i;
            let k = if bitrev_rows { bitrev(r, log_n) } else { r };
            F::scale_row_in_place(row, scale * powers.get(k));
        }
    });
}

/// A pointer shared by tasks that touch disjoint rows behind it.
#[derive(Clone, Copy)]
struct RowsPtr<F>(*mut F);

impl<F> RowsPtr<F> {
    /// The element `offset` past the start (a method, so closures capture the whole Sync
    /// wrapper rather than its raw-pointer field).
    ///
    /// # Safety
    /// `offset` is within the allocation.
    #[allow(unsafe_code)]
    unsafe fn at(self, offset: usize) -> *mut F {
        self.0.add(offset)
    }
}
// SAFETY: only used for rows no two tasks share (see `bitrev_expand`).
unsafe impl<F: Send> Send for RowsPtr<F> {}
unsafe impl<F: Sync> Sync for RowsPtr<F> {}

/// Bytes of the source rows one expand task holds: two tiles, in L2, runs of a page or more.
const EXPAND_TILE_BYTES: usize = 512 << 10;

/// The row bit-reversal ([`Step::Bitrev`]), or with `Some((scale, shift))` the LDE's
/// [`Step::Expand`], in the input's own allocation: grown in place (a `realloc`, which for a big
/// buffer remaps pages rather than copying them), so only the added rows are fresh memory, as in
/// Plonky3's LDE.
///
/// The bit-reversal is tiled so that every page is touched in whole runs: with row index
/// r = (a, b, c) (a and c of t bits), the rows sharing the middle bits b are 2^t runs of 2^t
/// consecutive rows, and bitrev maps them onto the rows of middle bits rev(b). One task takes
/// the tiles b and rev(b): reads both, then writes both into every copy.
#[allow(unsafe_code)]
fn bitrev_expand<F: NttField>(
    mut v: Vec<F>,
    width: usize,
    log_src: u32,
    log_dst: u32,
    scale_shift: Option<(F, F)>,
) -> Result<Vec<F>> {
    let n = 1usize << log_src;
    let added = log_dst - log_src;
    let root = F::root_of_unity(log_dst as usize);
    // Copy m multiplies row i by scale · (shift · root^bitrev(m))^i; a plain bit-reversal has one
    // copy and no factor.
    let (scale, shift) = scale_shift.unwrap_or((F::one(), F::one()));
    let powers: Vec<Option<Powers<F>>> = (0..1usize << added)
        .map(|m| scale_shift.map(|_| Powers::new(shift * root.pow_u64(bitrev(m, added) as u64), log_src)))
        .collect();
    let (len, total) = (v.len(), width << log_dst);
    debug_assert_eq!(len, width << log_src);
    // The one allocation that grows with the input: fallible, so a machine without the memory
    // gets `OutOfMemory` rather than an abort.
    mem::reserve_exact(&mut v, total - len)?;
    prefault(&mut v.spare_capacity_mut()[..total - len]);
    let rows = RowsPtr(v.as_mut_ptr());
    // t: 2^(2t) rows of width elements per tile, two tiles within EXPAND_TILE_BYTES.
    let tile_rows = (EXPAND_TILE_BYTES / 2 / (width * size_of::<F>())).max(1);
    let t = (tile_rows.ilog2() / 2).min(log_src / 2);
    let mid = log_src - 2 * t;
    let run = 1usize << t;
    let row_of = |a: usize, b: usize, c: usize| (a << (mid + t)) | (b << t) | c;
    (0..1usize << mid).into_par_iter().for_each_init(
        || vec![F::zero(); 2 * run * run * width],
        |buf, b| {
            let rb = bitrev(b, mid);
            if rb < b {
                return; // the task of rb does this pair
            }
            let tiles: &[usize] = if rb == b { &[b] } else { &[b, rb] };
            let tile_len = run * run * width;
            // Read: source tile k holds rows (a, tiles[k], c) at [k][a][c].
            for (k, &m) in tiles.iter().enumerate() {
                for a in 0..run {
                    let dst = &mut buf[k * tile_len + a * run * width..][..run * width];
                    // SAFETY: rows (a, m, 0..run) < n are initialised, and only this task
                    // touches tiles b and rb.
                    dst.copy_from_slice(unsafe {
                        std::slice::from_raw_parts(rows.at(row_of(a, m, 0) * width), run * width)
                    });
                }
            }
            // Write: row i = (a, m, c) takes coefficient i, stored at bitrev(i) = (rev c, rev m,
            // rev a), which is entry [rev c][rev a] of the tile of rev m.
            for (k, &m) in tiles.iter().enumerate() {
                let src = &buf[(tiles.len() - 1 - k) * tile_len..][..tile_len];
                for (copy, p) in powers.iter().enumerate() {
                    for a in 0..run {
                        for c in 0..run {
                            let i = row_of(a, m, c);
                            let from = (bitrev(c, t) * run + bitrev(a, t)) * width;
                            // SAFETY: row copy·n + i < 2^log_dst lies in the reserved capacity
                            // and belongs to this task's tiles; the copy initialises it before
                            // the slice is made.
                            let dst = unsafe {
                                let p = rows.at((copy * n + i) * width);
                                std::ptr::copy_nonoverlapping(src[from..].as_ptr(), p, width);
                                std::slice::from_raw_parts_mut(p, width)
                            };
                            if let Some(p) = p {
                                F::scale_row_in_place(dst, scale * p.get(i));
                            }
                        }
                    }
                }
            }
        },
    );
    // SAFETY: every row of every copy was written above: the tiles cover rows 0..n.
    unsafe { v.set_len(total) };
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_cover_every_stage_once_in_order() {
        assert_eq!(sweeps(0, 4, true), vec![Sweep::Two(4), Sweep::Two(2), Sweep::One(0)]);
        assert_eq!(sweeps(0, 4, false), vec![Sweep::One(0), Sweep::Two(2), Sweep::Two(4)]);
        assert_eq!(sweeps(3, 6, true), vec![Sweep::Two(6), Sweep::Two(4)]);
        assert_eq!(sweeps(5, 5, false), vec![Sweep::One(5)]);
    }
}
