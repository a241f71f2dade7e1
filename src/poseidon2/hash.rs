//! The two hashers of Plonky3's Merkle trees over Poseidon2-16: rows hashed with
//! `PaddingFreeSponge<Perm16, 16, 8, 8>`, digest pairs compressed with
//! `TruncatedPermutation<Perm16, 2, 8, 16>`. The sponge's absorb schedule is ours (transposed
//! into Plonky3's packed permutation on the cpu, one thread a row on a device).

use p3_field::{Field, PackedValue};
use p3_symmetric::Permutation;
use rayon::prelude::*;

use super::{Poseidon2Constants, Poseidon2Field};
use crate::backend::{plan, Engine, Launch};
use crate::error::{Error, Result};
use crate::field::decode;

/// Elements absorbed per permutation.
pub const RATE: usize = 8;
/// Elements of a digest.
pub const DIGEST: usize = 8;

/// Fields with the width-16 hashing kernels.
pub trait Poseidon2Hasher: Poseidon2Field<16> {
    const HASH_ROWS_KERNEL: &'static str;
    const COMPRESS_KERNEL: &'static str;
    /// The Merkle tree kernels (kernels/merkle/).
    const MERKLE_ABSORB_ROWS: &'static str;
    const MERKLE_COMPRESS_LEVELS: &'static str;
    /// `len` zero digests without a fill pass (see `field::mont31::zeroed_arrays`).
    #[doc(hidden)]
    fn zeroed_digests(len: usize) -> Vec<[Self; DIGEST]>;
}

impl Poseidon2Hasher for crate::field::BabyBear {
    const HASH_ROWS_KERNEL: &'static str = "chk_poseidon2_babybear_16_hash_rows";
    const COMPRESS_KERNEL: &'static str = "chk_poseidon2_babybear_16_compress";
    const MERKLE_ABSORB_ROWS: &'static str = "chk_merkle_babybear_absorb_rows";
    const MERKLE_COMPRESS_LEVELS: &'static str = "chk_merkle_babybear_compress_levels";
    fn zeroed_digests(len: usize) -> Vec<[Self; DIGEST]> {
        crate::field::mont31::zeroed_arrays(len)
    }
}
impl Poseidon2Hasher for crate::field::KoalaBear {
    const HASH_ROWS_KERNEL: &'static str = "chk_poseidon2_koalabear_16_hash_rows";
    const COMPRESS_KERNEL: &'static str = "chk_poseidon2_koalabear_16_compress";
    const MERKLE_ABSORB_ROWS: &'static str = "chk_merkle_koalabear_absorb_rows";
    const MERKLE_COMPRESS_LEVELS: &'static str = "chk_merkle_koalabear_compress_levels";
    fn zeroed_digests(len: usize) -> Vec<[Self; DIGEST]> {
        crate::field::mont31::zeroed_arrays(len)
    }
}

/// Rows per rayon task on the cpu.
const ROWS_PER_TASK: usize = 256;

/// The sponge digest of every row of the row-major matrix `rows` (`width` ≥ 1 columns).
pub fn hash_rows<F: Poseidon2Hasher>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    rows: &[F],
    width: usize,
) -> Result<Vec<[F; DIGEST]>> {
    if width == 0 {
        return Err(Error::InvalidShape("width is 0".into()));
    }
    if rows.len() % width != 0 {
        return Err(Error::InvalidShape(format!("{} elements are not whole rows of width {width}", rows.len())));
    }
    let count = rows.len() / width;
    if count == 0 {
        return Ok(Vec::new());
    }
    match engine {
        Engine::Cpu => {
            let perm = c.cpu_permutation();
            let mut out = vec![[F::ZERO; DIGEST]; count];
            out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(task, digests)| {
                let first = task * ROWS_PER_TASK;
                sponge_rows(&perm, &rows[first * width..(first + digests.len()) * width], width, digests);
            });
            Ok(out)
        }
        // Thread t reads row t < count (count × width elements) and writes digest t.
        Engine::Gpu(gpu) => on_device(gpu, F::HASH_ROWS_KERNEL, rows, Some(width as u64), count, c),
    }
}

/// One hashing launch: `kernel(input, [width,] count, out, params)`, where thread t < count reads
/// its share of `input` (checked by the callers: whole rows or whole pairs) and writes digest t.
fn on_device<F: Poseidon2Hasher>(
    gpu: &crate::backend::Gpu,
    kernel: &'static str,
    input: &[F],
    width: Option<u64>,
    count: usize,
    c: &Poseidon2Constants<F, 16>,
) -> Result<Vec<[F; DIGEST]>> {
    let input = gpu.upload(&input.iter().map(|x| x.to_repr()).collect::<Vec<u32>>())?;
    let out = gpu.alloc::<u32>(count * DIGEST)?;
    let (g, b) = plan::elementwise(count as u64, &gpu.props()).expect("count > 0");
    let mut l = Launch::new(kernel, g, b).buf(&input);
    if let Some(w) = width {
        l = l.u64(w);
    }
    let l = l.u64(count as u64).buf(&out).val_slice(&c.kernel_params());
    // SAFETY: `input` holds count rows (or pairs) as the kernel reads them, `out` count digests.
    #[allow(unsafe_code)]
    unsafe {
        gpu.launch(&l)?
    };
    Ok(digests(decode::<F>(&gpu.download(&out)?)?))
}

/// `TruncatedPermutation<Perm16, 2, 8, 16>` of each consecutive pair of `digests`.
pub fn compress_pairs<F: Poseidon2Hasher>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    digests_in: &[[F; DIGEST]],
) -> Result<Vec<[F; DIGEST]>> {
    if digests_in.len() % 2 != 0 {
        return Err(Error::InvalidShape(format!("{} digests do not pair up", digests_in.len())));
    }
    let count = digests_in.len() / 2;
    if count == 0 {
        return Ok(Vec::new());
    }
    let flat: Vec<F> = digests_in.iter().flatten().copied().collect();
    match engine {
        Engine::Cpu => {
            let perm = c.cpu_permutation();
            let mut states = flat;
            super::packed_permute(&perm, &mut states);
            Ok(states.chunks_exact(2 * DIGEST).map(|s| s[..DIGEST].try_into().expect("DIGEST elements")).collect())
        }
        // Thread t reads pair t < count (2 × DIGEST elements) and writes digest t.
        Engine::Gpu(gpu) => on_device(gpu, F::COMPRESS_KERNEL, &flat, None, count, c),
    }
}

fn digests<F: Copy>(flat: Vec<F>) -> Vec<[F; DIGEST]> {
    flat.chunks_exact(DIGEST).map(|d| d.try_into().expect("DIGEST elements")).collect()
}

/// The sponge over `digests.len()` consecutive rows: packs of SIMD-width rows transposed into
/// the packed permutation, the rest one by one.
fn sponge_rows<F: Field, P>(perm: &P, rows: &[F], width: usize, digests: &mut [[F; DIGEST]])
where
    P: Permutation<[F; 16]> + Permutation<[F::Packing; 16]>,
{
    let lanes = F::Packing::WIDTH;
    let packs = digests.len() / lanes;
    for p in 0..packs {
        let mut s = [F::Packing::default(); 16];
        absorb(&mut s, width, |i| F::Packing::from_fn(|l| rows[(p * lanes + l) * width + i]), |s| perm.permute_mut(s));
        for (i, v) in s[..DIGEST].iter().enumerate() {
            for (l, x) in v.as_slice().iter().enumerate() {
                digests[p * lanes + l][i] = *x;
            }
        }
    }
    for (r, d) in digests.iter_mut().enumerate().skip(packs * lanes) {
        let mut s = [F::ZERO; 16];
        absorb(&mut s, width, |i| rows[r * width + i], |s| perm.permute_mut(s));
        d.copy_from_slice(&s[..DIGEST]);
    }
}

/// Plonky3's overwrite-mode, padding-free absorb of `width` elements (`elem(i)`) into `s`.
fn absorb<T: Copy>(s: &mut [T; 16], width: usize, elem: impl Fn(usize) -> T, permute: impl Fn(&mut [T; 16])) {
    for block in (0..width).step_by(RATE) {
        for (i, slot) in s.iter_mut().take(RATE.min(width - block)).enumerate() {
            *slot = elem(block + i);
        }
        permute(s);
    }
}
