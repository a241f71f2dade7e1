//! The two hashers of Plonky3's Merkle trees over Poseidon2-16: rows hashed with
//! `PaddingFreeSponge<Perm16, 16, 8, 8>`, digest pairs compressed with
//! `TruncatedPermutation<Perm16, 2, 8, 16>`. The sponge's absorb schedule is ours: rows
//! transposed into Plonky3's packed permutation on the cpu ([`sponge`]), one thread a row with
//! coalesced staging on a device ([`absorb_rows`]). The Merkle trees hash their leaves with the
//! same two pieces.

use p3_field::{Field, PackedValue, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrixView;
use p3_matrix::Matrix;
use p3_symmetric::Permutation;
use rayon::prelude::*;

use super::{Poseidon2Constants, Poseidon2Field};
use crate::backend::{plan, DeviceBuffer, Dim3, Engine, Gpu, Launch};
use crate::error::{Error, Result};

/// Elements absorbed per permutation.
pub const RATE: usize = 8;
/// Elements of a digest.
pub const DIGEST: usize = 8;

/// Fields with the width-16 hashing kernels.
pub trait Poseidon2Hasher: Poseidon2Field<16> {
    /// `poseidon2_absorb_rows` (kernels/poseidon2/poseidon2.cuh): the device sponge.
    const ABSORB_ROWS_KERNEL: &'static str;
    /// `poseidon2_absorb_rows_x4`: the same sponge with four lanes a row, for few rows.
    const ABSORB_ROWS_X4_KERNEL: &'static str;
    const COMPRESS_KERNEL: &'static str;
    /// The Merkle layer kernel (kernels/merkle/).
    const MERKLE_COMPRESS_LEVELS: &'static str;
    /// `len` zero digests without a fill pass (see `field::mont31::zeroed_arrays`).
    #[doc(hidden)]
    fn zeroed_digests(len: usize) -> Result<Vec<[Self; DIGEST]>>;
}

impl Poseidon2Hasher for crate::field::BabyBear {
    const ABSORB_ROWS_KERNEL: &'static str = "chk_poseidon2_babybear_16_absorb_rows";
    const ABSORB_ROWS_X4_KERNEL: &'static str = "chk_poseidon2_babybear_16_absorb_rows_x4";
    const COMPRESS_KERNEL: &'static str = "chk_poseidon2_babybear_16_compress";
    const MERKLE_COMPRESS_LEVELS: &'static str = "chk_merkle_babybear_compress_levels";
    fn zeroed_digests(len: usize) -> Result<Vec<[Self; DIGEST]>> {
        crate::field::mont31::zeroed_arrays(len)
    }
}
impl Poseidon2Hasher for crate::field::KoalaBear {
    const ABSORB_ROWS_KERNEL: &'static str = "chk_poseidon2_koalabear_16_absorb_rows";
    const ABSORB_ROWS_X4_KERNEL: &'static str = "chk_poseidon2_koalabear_16_absorb_rows_x4";
    const COMPRESS_KERNEL: &'static str = "chk_poseidon2_koalabear_16_compress";
    const MERKLE_COMPRESS_LEVELS: &'static str = "chk_merkle_koalabear_compress_levels";
    fn zeroed_digests(len: usize) -> Result<Vec<[Self; DIGEST]>> {
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
    if !rows.len().is_multiple_of(width) {
        return Err(Error::InvalidShape(format!("{} elements are not whole rows of width {width}", rows.len())));
    }
    let count = rows.len() / width;
    if count == 0 {
        return Ok(Vec::new());
    }
    let cpu = || {
        let perm = c.cpu_permutation();
        let m = RowMajorMatrixView::new(rows, width);
        let mut out = F::zeroed_digests(count)?;
        out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(task, digests)| {
            let first = task * ROWS_PER_TASK;
            let live = digests.len();
            for_each_pack(digests, live, |rows| sponge(&perm, std::iter::once(&m), |l| first + rows[l]));
        });
        Ok(out)
    };
    match engine {
        Engine::Cpu => cpu(),
        Engine::Gpu(gpu) => {
            let device = || {
                let m = Resident { rows: Some(gpu.upload(&F::encode_slice(rows))?), width };
                let out = gpu.alloc::<u32>(count * DIGEST)?;
                absorb_rows::<F>(gpu, &[&m], count, &out, &c.kernel_params())?;
                download_digests(gpu, &out)
            };
            crate::verify::device_result(
                gpu,
                "poseidon2 row hashes",
                device(),
                |out, rng, samples| crate::verify::merkle::row_digests(c, rows, width, out, samples, rng),
                cpu,
            )
        }
    }
}

/// `TruncatedPermutation<Perm16, 2, 8, 16>` of each consecutive pair of `digests`.
pub fn compress_pairs<F: Poseidon2Hasher>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    digests_in: &[[F; DIGEST]],
) -> Result<Vec<[F; DIGEST]>> {
    if !digests_in.len().is_multiple_of(2) {
        return Err(Error::InvalidShape(format!("{} digests do not pair up", digests_in.len())));
    }
    let count = digests_in.len() / 2;
    if count == 0 {
        return Ok(Vec::new());
    }
    let flat: Vec<F> = crate::mem::collect_exact(2 * count * DIGEST, digests_in.iter().flatten().copied())?;
    let cpu = |mut states: Vec<F>| {
        super::packed_permute(&c.cpu_permutation(), &mut states);
        Ok(states.chunks_exact(2 * DIGEST).map(|s| s[..DIGEST].try_into().expect("DIGEST elements")).collect())
    };
    let Engine::Gpu(gpu) = engine else {
        return cpu(flat);
    };
    let device = || {
        let pairs = gpu.upload(&F::encode_slice(&flat))?;
        let out = gpu.alloc::<u32>(count * DIGEST)?;
        let (g, b) = plan::elementwise(count as u64, &gpu.props()).expect("count > 0");
        let l =
            Launch::new(F::COMPRESS_KERNEL, g, b).buf(&pairs).u64(count as u64).buf(&out).val_slice(&c.kernel_params());
        // SAFETY: thread t < count reads pair t (2 × DIGEST elements of `pairs`) and writes
        // digest t of `out`.
        #[allow(unsafe_code)]
        unsafe {
            gpu.launch(&l)?
        };
        download_digests(gpu, &out)
    };
    crate::verify::device_result(
        gpu,
        "poseidon2 compressions",
        device(),
        |out, rng, samples| crate::verify::merkle::compressions(c, digests_in, out, samples, rng),
        move || cpu(flat),
    )
}

/// The widest SIMD pack of a 31-bit field (AVX-512: 16 lanes).
pub(crate) const MAX_LANES: usize = 16;

/// Fills `out[..live]` a SIMD pack at a time: `digest` gets the pack's lane → index map (lanes
/// past `live` repeat the last index; their results are dropped) and returns its digests.
pub(crate) fn for_each_pack<F: Field>(
    out: &mut [[F; DIGEST]],
    live: usize,
    digest: impl Fn(&[usize; MAX_LANES]) -> [F::Packing; DIGEST],
) {
    let lanes = F::Packing::WIDTH;
    assert!(lanes <= MAX_LANES, "a SIMD pack of more than {MAX_LANES} field elements");
    for j0 in (0..live).step_by(lanes) {
        let indices: [usize; MAX_LANES] = core::array::from_fn(|l| (j0 + l).min(live - 1));
        let d = digest(&indices);
        for (l, o) in out[j0..live.min(j0 + lanes)].iter_mut().enumerate() {
            *o = core::array::from_fn(|i| d[i].as_slice()[l]);
        }
    }
}

/// `PaddingFreeSponge<_, 16, 8, 8>` of the concatenated rows `row(l)` of `mats`, lane l.
pub(crate) fn sponge<'m, F, P, M>(
    perm: &P,
    mats: impl Iterator<Item = &'m M>,
    row: impl Fn(usize) -> usize,
) -> [F::Packing; DIGEST]
where
    F: Field,
    P: Permutation<[F::Packing; 16]>,
    M: Matrix<F> + 'm,
{
    let lanes = F::Packing::WIDTH;
    let mut s = [F::Packing::ZERO; 16];
    let mut pos = 0;
    for m in mats {
        let rows: Vec<_> = (0..lanes).map(|l| m.row_slice(row(l)).expect("row below the matrix height")).collect();
        // Element e of every lane's row: an index into each of `lanes` slices, not one iterator.
        #[allow(clippy::needless_range_loop)]
        for e in 0..m.width() {
            s[pos] = F::Packing::from_fn(|l| rows[l][e]);
            pos += 1;
            if pos == RATE {
                perm.permute_mut(&mut s);
                pos = 0;
            }
        }
    }
    if pos != 0 {
        perm.permute_mut(&mut s);
    }
    core::array::from_fn(|i| s[i])
}

/// A matrix in device memory: `height × width` elements, row-major, device encoding (no buffer
/// when the width is 0).
pub(crate) struct Resident {
    pub rows: Option<DeviceBuffer<u32>>,
    pub width: usize,
}

/// Threads (rows) per block of the device sponge.
const ABSORB_BLOCK: u32 = 256;
/// Shared words a thread stages per sponge block (RATE, padded to an odd stride: P2_ROW_STRIDE).
const ROW_STRIDE: u32 = RATE as u32 + 1;
/// Shared words of the four-lane sponge's per-lane constants: 8 external rounds and the diagonal.
const X4_CONSTANTS: u32 = 9 * 16;
/// Below this many rows an SM — one block of a thread a row — a thread a row leaves the device
/// mostly idle (the sponge of a wide row is a serial chain of permutations), so rows get four
/// lanes each. From a block an SM up, a thread a row issues at full rate with 3/4 of the
/// four-lane sponge's instructions.
const ONE_LANE_ROWS_PER_SM: usize = ABSORB_BLOCK as usize;

/// How the device sponge spreads rows over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpongeLanes {
    /// A thread a row (`poseidon2_absorb_rows`).
    One,
    /// Four lanes a row, one M4 block of the state each (`poseidon2_absorb_rows_x4`), in
    /// blocks of this many threads.
    Four { block: u32 },
}

impl SpongeLanes {
    /// Four lanes when `height` rows would give the device's SMs fewer than
    /// [`ONE_LANE_ROWS_PER_SM`] each, in the largest block (256, 128, 64 or 32 threads) that
    /// still gives every SM a block.
    pub(crate) fn for_rows(height: usize, props: &plan::DeviceProps) -> Self {
        let sms = props.sm_count.max(1) as usize;
        if height >= sms * ONE_LANE_ROWS_PER_SM {
            return Self::One;
        }
        let block = [256u32, 128, 64].into_iter().find(|&b| (4 * height).div_ceil(b as usize) >= sms).unwrap_or(32);
        Self::Four { block }
    }
}

/// Digests of the concatenated rows `0..height` of `mats` into `digests`, a launch a matrix
/// (the sponge state carried between them).
pub(crate) fn absorb_rows<F: Poseidon2Hasher>(
    gpu: &Gpu,
    mats: &[&Resident],
    height: usize,
    digests: &DeviceBuffer<u32>,
    params: &[u32],
) -> Result<()> {
    absorb_rows_with::<F>(gpu, mats, height, digests, params, SpongeLanes::for_rows(height, &gpu.props()))
}

/// [`absorb_rows`] with the given spread of rows over threads.
pub(crate) fn absorb_rows_with<F: Poseidon2Hasher>(
    gpu: &Gpu,
    mats: &[&Resident],
    height: usize,
    digests: &DeviceBuffer<u32>,
    params: &[u32],
    lanes: SpongeLanes,
) -> Result<()> {
    let states = if mats.len() > 1 { Some(gpu.alloc::<u32>(height * 16)?) } else { None };
    let (kernel, block, rows_per_block, shared) = match lanes {
        SpongeLanes::One => (F::ABSORB_ROWS_KERNEL, ABSORB_BLOCK, ABSORB_BLOCK, ABSORB_BLOCK * ROW_STRIDE * 4),
        SpongeLanes::Four { block } => {
            (F::ABSORB_ROWS_X4_KERNEL, block, block / 4, (block / 4 * ROW_STRIDE + X4_CONSTANTS) * 4)
        }
    };
    let blocks = height.div_ceil(rows_per_block as usize).min(1 << 20) as u32;
    let mut pos = 0usize;
    for (j, m) in mats.iter().enumerate() {
        let width = m.width;
        if m.rows.as_ref().map_or(0, |b| b.len()) != width * height {
            return Err(Error::InvalidShape(format!("a device matrix is not {height} rows of {width}")));
        }
        let mut l = Launch::new(kernel, Dim3::x(blocks), Dim3::x(block)).shared(shared);
        l = match &m.rows {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        l = l
            .u64(width as u64)
            .u64(height as u64)
            .u32(pos as u32)
            .u32((j == 0) as u32)
            .u32((j + 1 == mats.len()) as u32);
        l = match &states {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        let l = l.buf(digests).val_slice(params);
        // SAFETY: `rows` holds height × width elements (checked above; null only when width is
        // 0: nothing is read), `states` height states (null only for a single matrix: first and
        // last, never touched), `digests` ≥ height digests; a four-lane block is whole warps.
        #[allow(unsafe_code)]
        unsafe {
            gpu.launch(&l)?
        };
        pos = (pos + width) % RATE;
    }
    Ok(())
}

/// A device buffer of digests, decoded (canonical encodings checked).
pub(crate) fn download_digests<F: Poseidon2Hasher>(gpu: &Gpu, buf: &DeviceBuffer<u32>) -> Result<Vec<[F; DIGEST]>> {
    let flat = F::decode_vec(gpu.download(buf)?)?;
    let mut out = F::zeroed_digests(flat.len() / DIGEST)?;
    out.par_iter_mut().zip(flat.par_chunks_exact(DIGEST)).for_each(|(o, d)| o.copy_from_slice(d));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;
    use crate::field::{BabyBear, DeviceField, KoalaBear};

    /// Both spreads of rows over threads (and every four-lane block size) give the cpu sponge's
    /// digests of the rows' concatenation, the state carried across matrices at every offset in
    /// the rate, at heights that leave blocks part-filled.
    fn both_spreads_hash_like_the_cpu<F: Poseidon2Hasher + DeviceField<Repr = u32>>(c: &Poseidon2Constants<F, 16>) {
        let seed = crate::check::seed_from_env();
        let mut rng = StdRng::seed_from_u64(seed);
        let engine = Engine::emu(Default::default());
        let Engine::Gpu(gpu) = &engine else { unreachable!("emu is a device engine") };
        for (height, widths) in [(1, vec![8]), (37, vec![3, 5, 17]), (300, vec![1, 16, 2633 % 40]), (70, vec![9])] {
            let mats: Vec<Vec<F>> =
                widths.iter().map(|&w| (0..w * height).map(|_| F::random(&mut rng)).collect()).collect();
            let total: usize = widths.iter().sum();
            let joined: Vec<F> = (0..height)
                .flat_map(|r| mats.iter().zip(&widths).flat_map(move |(m, &w)| m[r * w..(r + 1) * w].to_vec()))
                .collect();
            let want = hash_rows(&Engine::Cpu, c, &joined, total).unwrap();
            let resident: Vec<Resident> = mats
                .iter()
                .zip(&widths)
                .map(|(m, &width)| Resident { rows: Some(gpu.upload(&F::encode_slice(m)).unwrap()), width })
                .collect();
            let refs: Vec<&Resident> = resident.iter().collect();
            for lanes in [
                SpongeLanes::One,
                SpongeLanes::Four { block: 32 },
                SpongeLanes::Four { block: 64 },
                SpongeLanes::Four { block: 256 },
            ] {
                let out = gpu.alloc::<u32>(height * DIGEST).unwrap();
                absorb_rows_with::<F>(gpu, &refs, height, &out, &c.kernel_params(), lanes).unwrap();
                let got = download_digests::<F>(gpu, &out).unwrap();
                assert!(got == want, "{lanes:?}, {height} rows of widths {widths:?} (seed {seed})");
            }
        }
    }

    #[test]
    fn both_spreads_hash_like_the_cpu_babybear() {
        both_spreads_hash_like_the_cpu::<BabyBear>(&Poseidon2Constants::babybear_default_16());
    }

    #[test]
    fn both_spreads_hash_like_the_cpu_koalabear() {
        both_spreads_hash_like_the_cpu::<KoalaBear>(&Poseidon2Constants::koalabear_default_16());
    }

    /// Few rows an SM get four lanes each, in blocks that still give every SM one; many get one.
    #[test]
    fn few_rows_get_four_lanes() {
        let h100 = plan::DeviceProps { sm_count: 132, max_threads_per_block: 1024, max_dynamic_shared: 232448 };
        assert_eq!(SpongeLanes::for_rows(1 << 11, &h100), SpongeLanes::Four { block: 32 });
        assert_eq!(SpongeLanes::for_rows(1 << 12, &h100), SpongeLanes::Four { block: 64 });
        assert_eq!(SpongeLanes::for_rows(1 << 14, &h100), SpongeLanes::Four { block: 256 });
        assert_eq!(SpongeLanes::for_rows(3, &h100), SpongeLanes::Four { block: 32 });
        assert_eq!(SpongeLanes::for_rows(132 * 256 - 1, &h100), SpongeLanes::Four { block: 256 });
        assert_eq!(SpongeLanes::for_rows(132 * 256, &h100), SpongeLanes::One);
    }
}
