//! The device executor of an NTT plan (emu or cuda): one kernel launch per step, data resident
//! on the device from upload to download.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::field::NttField;
use super::plan::Step;
use super::twiddles;
use crate::backend::{plan, DeviceBuffer, Gpu, Launch};
use crate::error::{Error, Result};
use crate::field::decode;

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
    for step in steps {
        match *step {
            Step::Scale { log_src, log_dst, scale, shift, bitrev_rows, gather_bitrev } => {
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
            Step::Dif { log_n, log_half, inverse } | Step::Dit { log_n, log_half, inverse } => {
                expect_len(&cur, log_n)?;
                let table = match tw.entry((log_n, inverse)) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        let host: Vec<F::Repr> =
                            twiddles::host::<F>(log_n, inverse).iter().map(|x| x.to_repr()).collect();
                        e.insert(gpu.upload(&host)?)
                    }
                };
                let kernel = if matches!(step, Step::Dif { .. }) { k.dif_stage } else { k.dit_stage };
                let (g, b) = grid((width << log_n) / 2);
                let l = Launch::new(kernel, g, b)
                    .buf(&cur)
                    .u64(width as u64)
                    .u32(log_n)
                    .u32(log_half)
                    .buf(table)
                    .u32(log_n);
                // SAFETY: rows < 2^log_n of `cur`; twiddle indices < 2^(log_n - 1) = table length.
                unsafe { gpu.launch(&l)? };
            }
            Step::Bitrev { log_n } => {
                expect_len(&cur, log_n)?;
                let dst = gpu.alloc::<F::Repr>(width << log_n)?;
                let (g, b) = grid(width << log_n);
                let l = Launch::new(k.bitrev, g, b).buf(&cur).buf(&dst).u64(width as u64).u32(log_n);
                // SAFETY: a permutation of 2^log_n rows between two buffers of that size.
                unsafe { gpu.launch(&l)? };
                cur = dst;
            }
        }
    }
    decode(&gpu.download(&cur)?)
}
