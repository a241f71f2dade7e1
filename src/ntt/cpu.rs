//! The cpu executor of an NTT plan: rayon over butterfly blocks and row pairs, every column of
//! a row handled in one tight loop (the compiler vectorises it).

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::field::NttField;
use super::plan::{passes, Pass, Step};
use super::twiddles;

/// Rows per rayon task at the least: keeps tasks well above the scheduling cost.
const MIN_ELEMS_PER_TASK: usize = 1 << 12;

pub(super) fn run<F: NttField>(steps: &[Step<F>], mut v: Vec<F>, width: usize) -> Vec<F> {
    let trace = std::env::var_os("CHERENKOV_NTT_TRACE").is_some();
    for pass in passes(steps) {
        let t0 = std::time::Instant::now();
        match pass {
            Pass::Step(Step::Scale { log_src, log_dst, scale, shift, bitrev_rows, gather_bitrev }) => {
                v = scale_rows(&v, width, log_src, log_dst, scale, shift, bitrev_rows, gather_bitrev)
            }
            Pass::Step(Step::Bitrev { log_n }) => v = bitrev_rows(&v, width, log_n),
            Pass::Step(Step::Dif { .. } | Step::Dit { .. }) => unreachable!("merged into Stages"),
            Pass::Stages { log_n, lo, hi, inverse, dif } => {
                stages(&mut v, width, log_n, lo, hi, &twiddles::host::<F>(log_n, inverse), dif)
            }
        }
        if trace {
            eprintln!("ntt cpu {pass:?}: {:?}", t0.elapsed());
        }
    }
    v
}

fn min_rows(width: usize) -> usize {
    (MIN_ELEMS_PER_TASK / width).max(1)
}

/// Bytes of a contiguous block whose remaining stages run in one task, in cache.
const BLOCK_BYTES: usize = 512 << 10;
/// Most stages fused per pass over the matrix for the large spans.
const GROUP_STAGES: u32 = 6;
/// Elements a strided-group task works on (2^k rows × c adjacent windows): an L2-sized tile.
const GROUP_TASK_ELEMS: usize = 1 << 16;

/// Stages lo..=hi of a size-2^log_n transform; DIF runs them from hi down, DIT from lo up.
/// Spans that fit a cache-sized block run per block in one task; larger spans run in passes of
/// up to GROUP_STAGES stages over strided row groups.
fn stages<F: NttField>(v: &mut [F], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[F], dif: bool) {
    let block_rows = (BLOCK_BYTES / (width * size_of::<F>())).max(2);
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
            block_pass(v, width, log_n, l, h, tw, dif);
        } else {
            group_pass(v, width, log_n, l, h, tw, dif);
        }
    }
}

fn stage_order(lo: u32, hi: u32, dif: bool) -> Vec<u32> {
    if dif {
        (lo..=hi).rev().collect()
    } else {
        (lo..=hi).collect()
    }
}

/// Stages lo..=hi inside each contiguous block of 2^(hi+1) rows, one task per block.
fn block_pass<F: NttField>(v: &mut [F], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[F], dif: bool) {
    let order = stage_order(lo, hi, dif);
    v.par_chunks_mut(width << (hi + 1)).for_each(|block| {
        for &h in &order {
            let stride = 1usize << (log_n - 1 - h);
            for pair in block.chunks_mut(width << (h + 1)) {
                let (a, b) = pair.split_at_mut(width << h);
                for (j, (ra, rb)) in a.chunks_mut(width).zip(b.chunks_mut(width)).enumerate() {
                    butterfly(ra, rb, tw[j * stride], dif);
                }
            }
        }
    });
}

/// Stages lo..=hi whose spans exceed a block: rows that differ only in bits lo..=hi form a
/// group of 2^(hi-lo+1) rows, 2^lo apart; each task takes a few adjacent groups.
fn group_pass<F: NttField>(v: &mut [F], width: usize, log_n: u32, lo: u32, hi: u32, tw: &[F], dif: bool) {
    let k = hi - lo + 1;
    let order = stage_order(lo, hi, dif);
    let low_rows = 1usize << lo;
    // Adjacent rows per window: a power of two, so that windows tile the 2^lo rows exactly.
    let c = (1usize << ((GROUP_TASK_ELEMS >> k) / width).max(1).ilog2()).min(low_rows);
    v.par_chunks_mut(width << (hi + 1)).for_each(|outer| {
        // outer = 2^k sub-slices of 2^lo rows; a task owns the same c-row window of each.
        let mut windows: Vec<Vec<&mut [F]>> =
            outer.chunks_mut(width * low_rows).map(|s| s.chunks_mut(width * c).collect()).collect();
        let tasks = low_rows / c;
        let mut per_task: Vec<Vec<&mut [F]>> = (0..tasks).map(|_| Vec::with_capacity(1 << k)).collect();
        for sub in windows.iter_mut() {
            for (t, w) in sub.drain(..).enumerate() {
                per_task[t].push(w);
            }
        }
        per_task.into_par_iter().enumerate().for_each(|(task, mut rows)| {
            for &h in &order {
                let half = 1usize << (h - lo);
                let stride = 1usize << (log_n - 1 - h);
                for t in 0..(1usize << k) {
                    if t & half != 0 {
                        continue;
                    }
                    let (x, y) = rows.split_at_mut(t + half);
                    let (ra, rb) = (&mut *x[t], &mut *y[0]);
                    for (l, (a, b)) in ra.chunks_mut(width).zip(rb.chunks_mut(width)).enumerate() {
                        let j = task * c + l + ((t & (half - 1)) << lo);
                        butterfly(a, b, tw[j * stride], dif);
                    }
                }
            }
        });
    });
}

#[inline]
fn butterfly<F: NttField>(a: &mut [F], b: &mut [F], w: F, dif: bool) {
    if dif {
        F::dif_rows(a, b, w)
    } else {
        F::dit_rows(a, b, w)
    }
}

pub(super) fn bitrev(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

/// Asks for transparent huge pages on the 2 MiB-aligned interior of a fresh buffer of at least
/// a few MiB. First-touching fresh 4 KiB pages is the most expensive part of a big LDE on a VM
/// (512 MiB here: 265 ms with 4 KiB pages, 62 ms with 2 MiB ones; an NTT pass over it is
/// ~70 ms). Advice only: where the kernel declines, the buffer is the same, just slower.
#[allow(unsafe_code)]
fn advise_huge_pages<T>(buf: &mut [MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let (addr, bytes) = (buf.as_mut_ptr() as usize, std::mem::size_of_val(buf));
        if bytes < 4 * HUGE {
            return;
        }
        let (start, end) = (addr.next_multiple_of(HUGE), (addr + bytes) & !(HUGE - 1));
        // SAFETY: [start, end) lies inside `buf`, which this process owns; MADV_HUGEPAGE changes
        // how pages are backed, never their contents. Its result is deliberately ignored.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

/// A new `len`-element vector whose chunks of `chunk` elements `fill` writes in parallel, with no
/// zeroing pass first (a serial fill of hundreds of MB would cost more than the transform step).
#[allow(unsafe_code)]
fn par_build<F: NttField>(len: usize, chunk: usize, fill: impl Fn(usize, &mut [MaybeUninit<F>]) + Sync) -> Vec<F> {
    let mut out: Vec<F> = Vec::with_capacity(len);
    advise_huge_pages(&mut out.spare_capacity_mut()[..len]);
    out.spare_capacity_mut()[..len].par_chunks_mut(chunk).enumerate().for_each(|(c, dst)| fill(c, dst));
    // SAFETY: `fill` writes every element of every chunk (callers write whole chunks), and F is
    // Copy, so nothing is leaked or double-dropped.
    unsafe { out.set_len(len) };
    out
}

fn bitrev_rows<F: NttField>(v: &[F], width: usize, log_n: u32) -> Vec<F> {
    let rows = min_rows(width);
    par_build(v.len(), rows * width, |c, dst| {
        for (i, row) in dst.chunks_mut(width).enumerate() {
            let src = bitrev(c * rows + i, log_n) * width;
            for (o, x) in row.iter_mut().zip(&v[src..src + width]) {
                o.write(*x);
            }
        }
    })
}

#[allow(clippy::too_many_arguments, unsafe_code)]
fn scale_rows<F: NttField>(
    v: &[F],
    width: usize,
    log_src: u32,
    log_dst: u32,
    scale: F,
    shift: F,
    bitrev_rows: bool,
    gather_bitrev: bool,
) -> Vec<F> {
    let src_rows = 1usize << log_src;
    let rows = min_rows(width);
    par_build(width << log_dst, rows * width, |c, dst| {
        let first = c * rows;
        // Natural order: one power per chunk, then a multiplication per row.
        let mut factor = scale * shift.pow_u64(first as u64);
        for (i, row) in dst.chunks_mut(width).enumerate() {
            let r = first + i;
            if r >= src_rows {
                row.iter_mut().for_each(|o| {
                    o.write(F::zero());
                });
                continue;
            }
            let rev = bitrev(r, log_src);
            let f = if bitrev_rows { scale * shift.pow_u64(rev as u64) } else { factor };
            let from = if gather_bitrev { rev } else { r } * width;
            // Initialise, then scale in place with the field's (packed) row operation.
            let src = &v[from..from + width];
            for (o, x) in row.iter_mut().zip(src) {
                o.write(*x);
            }
            // SAFETY: every element of `row` was written just above.
            let row = unsafe { &mut *(row as *mut [MaybeUninit<F>] as *mut [F]) };
            F::scale_row(row, src, f);
            factor = factor * shift;
        }
    })
}
