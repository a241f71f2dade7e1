//! The device executor of an NTT plan (emu or cuda): one kernel launch per step, data resident
//! on the device from upload to download.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::field::NttField;
use super::plan::{passes, Pass, Step};
use super::twiddles;
use crate::backend::{plan, DeviceBuffer, Dim3, Gpu, Launch};
use crate::error::{Error, Result};
use crate::field::decode;

/// Shared memory per block-stages tile: well inside the 48 KB every target allows without opt-in.
const TILE_BYTES: usize = 32 << 10;
/// Threads per block-stages tile.
const TILE_THREADS: u32 = 256;

/// log2 of the rows one shared-memory tile holds for at least one column (at most 2^11: wider
/// tiles of narrow fields keep several columns per tile, for coalescing).
fn log_tile_rows<F: NttField>() -> u32 {
    (TILE_BYTES / size_of::<F::Repr>()).ilog2().min(11)
}

#[allow(unsafe_code)] // kernel launches; every buffer's length is checked against its step
pub(super) fn run<F: NttField>(gpu: &Gpu, steps: &[Step<F>], data: &[F], width: usize) -> Result<Vec<F>> {
    let k = F::KERNELS;
    let encoded: Vec<F::Repr> = data.iter().map(|x| x.to_repr()).collect();
    let mut cur = gpu.upload(&encoded)?;
    let mut tw: HashMap<(u32, bool), DeviceBuffer<F::Repr>> = HashMap::new();
    let props = gpu.props();
    let grid = |elems: usize| plan::elementwise(elems as u64, &props).expect("steps have work");
    let expect_len = |buf: &DeviceBuffer<F::Repr>, log_n: u32| -> Result<()> {
        if buf.len() == width << log_n {
            Ok(())
        } else {
            Err(Error::InvalidShape(format!("NTT plan step for 2^{log_n} rows on a buffer of {} elements", buf.len())))
        }
    };
    for pass in passes(steps) {
        match pass {
            Pass::Step(Step::Scale { log_src, log_dst, scale, shift, bitrev_rows, gather_bitrev }) => {
                expect_len(&cur, log_src)?;
                let dst = gpu.alloc::<F::Repr>(width << log_dst)?;
                let (g, b) = grid(width << log_dst);
                let l = Launch::new(k.scale_rows, g, b)
                    .buf(&cur)
                    .buf(&dst)
                    .u64(width as u64)
                    .u32(log_src)
                    .u32(log_dst)
                    .val(scale.to_repr())
                    .val(shift.to_repr())
                    .u32(bitrev_rows as u32 | (gather_bitrev as u32) << 1);
                // SAFETY: reads 2^log_src rows of `cur`, writes 2^log_dst rows of `dst`.
                unsafe { gpu.launch(&l)? };
                cur = dst;
            }
            Pass::Step(Step::Bitrev { log_n }) => {
                expect_len(&cur, log_n)?;
                let dst = gpu.alloc::<F::Repr>(width << log_n)?;
                let (g, b) = grid(width << log_n);
                let l = Launch::new(k.bitrev, g, b).buf(&cur).buf(&dst).u64(width as u64).u32(log_n);
                // SAFETY: a permutation of 2^log_n rows between two buffers of that size.
                unsafe { gpu.launch(&l)? };
                cur = dst;
            }
            Pass::Step(Step::Dif { .. } | Step::Dit { .. }) => unreachable!("merged into Stages"),
            Pass::Stages { log_n, lo, hi, inverse, dif } => {
                expect_len(&cur, log_n)?;
                let table = match tw.entry((log_n, inverse)) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        let host: Vec<F::Repr> =
                            twiddles::host::<F>(log_n, inverse).iter().map(|x| x.to_repr()).collect();
                        e.insert(gpu.upload(&host)?)
                    }
                };
                // Spans up to a shared-memory tile: one launch; wider spans: a launch per stage.
                let log_tile = log_tile_rows::<F>();
                let small = (lo < log_tile).then(|| (lo, hi.min(log_tile - 1)));
                let big: Vec<u32> = (lo.max(log_tile)..=hi).collect();
                let global = |h: u32| -> Result<()> {
                    let kernel = if dif { k.dif_stage } else { k.dit_stage };
                    let (g, b) = grid((width << log_n) / 2);
                    let l =
                        Launch::new(kernel, g, b).buf(&cur).u64(width as u64).u32(log_n).u32(h).buf(table).u32(log_n);
                    // SAFETY: rows < 2^log_n of `cur`; twiddle indices < 2^(log_n - 1) = table length.
                    unsafe { gpu.launch(&l) }
                };
                let block = |(s_lo, s_hi): (u32, u32)| -> Result<()> {
                    let rows = 1usize << (s_hi + 1);
                    let tile_cols = (TILE_BYTES / (rows * size_of::<F::Repr>())).clamp(1, width);
                    let nblocks = ((1u64 << log_n) / rows as u64) * (width as u64).div_ceil(tile_cols as u64);
                    let blocks = u32::try_from(nblocks)
                        .map_err(|_| Error::SizeOverflow(format!("{nblocks} thread blocks for one NTT pass")))?;
                    let l = Launch::new(k.block_stages, Dim3::x(blocks), Dim3::x(TILE_THREADS))
                        .shared((rows * tile_cols * size_of::<F::Repr>()) as u32)
                        .buf(&cur)
                        .u64(width as u64)
                        .u32(log_n)
                        .u32(s_lo)
                        .u32(s_hi)
                        .buf(table)
                        .u32(dif as u32)
                        .u32(tile_cols as u32);
                    // SAFETY: block b covers rows < 2^log_n and columns < width; shared memory
                    // holds rows × tile_cols; twiddle indices < 2^(log_n - 1).
                    unsafe { gpu.launch(&l) }
                };
                if dif {
                    big.iter().rev().try_for_each(|&h| global(h))?;
                    small.map(block).transpose()?;
                } else {
                    small.map(block).transpose()?;
                    big.iter().try_for_each(|&h| global(h))?;
                }
            }
        }
    }
    decode(&gpu.download(&cur)?)
}
