//! The cpu executor of an NTT plan: rayon over butterfly blocks and row pairs, every column of
//! a row handled in one tight loop (the compiler vectorises it).

use rayon::prelude::*;

use super::field::NttField;
use super::plan::Step;
use super::twiddles;

/// Rows per rayon task at the least: keeps tasks well above the scheduling cost.
const MIN_ELEMS_PER_TASK: usize = 1 << 12;

pub(super) fn run<F: NttField>(steps: &[Step<F>], mut v: Vec<F>, width: usize) -> Vec<F> {
    for step in steps {
        match *step {
            Step::Scale { log_src, log_dst, scale, shift, bitrev_rows } => {
                v = scale_rows(&v, width, log_src, log_dst, scale, shift, bitrev_rows)
            }
            Step::Dif { log_n, log_half, inverse } => {
                butterflies(&mut v, width, log_n, log_half, &twiddles::host::<F>(log_n, inverse), true)
            }
            Step::Dit { log_n, log_half, inverse } => {
                butterflies(&mut v, width, log_n, log_half, &twiddles::host::<F>(log_n, inverse), false)
            }
            Step::Bitrev { log_n } => v = bitrev_rows(&v, width, log_n),
        }
    }
    v
}

fn min_rows(width: usize) -> usize {
    (MIN_ELEMS_PER_TASK / width).max(1)
}

fn butterflies<F: NttField>(v: &mut [F], width: usize, log_n: u32, log_half: u32, tw: &[F], dif: bool) {
    let half = 1usize << log_half;
    let stride = 1usize << (log_n - 1 - log_half);
    v.par_chunks_mut(2 * half * width).for_each(|block| {
        let (lo, hi) = block.split_at_mut(half * width);
        lo.par_chunks_mut(width).zip(hi.par_chunks_mut(width)).with_min_len(min_rows(width)).enumerate().for_each(
            |(j, (a, b))| {
                let w = tw[j * stride];
                if dif {
                    for (x, y) in a.iter_mut().zip(b) {
                        let (s, d) = (*x + *y, (*x - *y) * w);
                        *x = s;
                        *y = d;
                    }
                } else {
                    for (x, y) in a.iter_mut().zip(b) {
                        let t = *y * w;
                        let (s, d) = (*x + t, *x - t);
                        *x = s;
                        *y = d;
                    }
                }
            },
        );
    });
}

pub(super) fn bitrev(i: usize, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS - bits)
    }
}

fn bitrev_rows<F: NttField>(v: &[F], width: usize, log_n: u32) -> Vec<F> {
    let mut out = vec![F::zero(); v.len()];
    out.par_chunks_mut(width).with_min_len(min_rows(width)).enumerate().for_each(|(r, row)| {
        let src = bitrev(r, log_n) * width;
        row.copy_from_slice(&v[src..src + width]);
    });
    out
}

fn scale_rows<F: NttField>(
    v: &[F],
    width: usize,
    log_src: u32,
    log_dst: u32,
    scale: F,
    shift: F,
    bitrev_rows: bool,
) -> Vec<F> {
    let src_rows = 1usize << log_src;
    let mut out = vec![F::zero(); width << log_dst];
    let chunk = min_rows(width);
    out[..src_rows * width].par_chunks_mut(chunk * width).enumerate().for_each(|(c, rows)| {
        let first = c * chunk;
        // Natural order: one power per chunk, then a multiplication per row.
        let mut factor = scale * shift.pow_u64(first as u64);
        for (i, row) in rows.chunks_mut(width).enumerate() {
            let r = first + i;
            let f = if bitrev_rows { scale * shift.pow_u64(bitrev(r, log_src) as u64) } else { factor };
            for (o, x) in row.iter_mut().zip(&v[r * width..(r + 1) * width]) {
                *o = *x * f;
            }
            factor = factor * shift;
        }
    });
    out
}
