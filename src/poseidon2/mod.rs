//! Poseidon2 permutations over BabyBear and KoalaBear, widths 16 and 24, batched, on every
//! backend, bit-exact with Plonky3's `Poseidon2BabyBear<W>` / `Poseidon2KoalaBear<W>`.
//!
//! The round constants are an input ([`Poseidon2Constants::new`] takes what
//! `p3_poseidon2::Poseidon2::new` takes); the internal layer's diagonal is read off Plonky3's
//! own linear layer, never typed here. On a device the constants travel as a by-value kernel
//! parameter, which CUDA keeps in the kernel's constant bank.

use p3_field::{Algebra, Field, PackedFieldPow2, PackedValue, PrimeCharacteristicRing, PrimeField32};
use p3_poseidon2::{ExternalLayerConstants, GenericPoseidon2LinearLayers};
use p3_symmetric::{CryptographicPermutation, Permutation};
use rayon::prelude::*;

pub(crate) mod hash;
mod sp1;

pub use hash::{compress_pairs, hash_rows, Poseidon2Hasher, DIGEST, RATE};

use crate::backend::{plan, Engine, Launch};
use crate::error::{Error, Result};
use crate::field::{BabyBear, DeviceField, KoalaBear};

/// Full rounds before and after the partial rounds, for every instance here.
pub const HALF_FULL_ROUNDS: usize = 4;

/// A Poseidon2 instance: round constants and the internal layer `s_i <- diag_i s_i + scale Σ s`.
#[derive(Debug, Clone, PartialEq)]
pub struct Poseidon2Constants<F, const W: usize> {
    initial: Vec<[F; W]>,
    terminal: Vec<[F; W]>,
    partial: Vec<F>,
    diag: [F; W],
    scale: F,
}

/// The fields and widths with Poseidon2 kernels, and what each needs from Plonky3.
pub trait Poseidon2Field<const W: usize>:
    DeviceField<Repr = u32> + PrimeField32 + Field<Packing: PackedFieldPow2>
{
    /// Partial rounds of the kernel for this width (Plonky3's count).
    const PARTIAL_ROUNDS: usize;
    /// The S-box exponent (7 for BabyBear, 3 for KoalaBear).
    const SBOX_DEGREE: u64;
    const KERNEL: &'static str;
    /// Plonky3's permutation type (`Poseidon2BabyBear<W>` / `Poseidon2KoalaBear<W>`).
    type Plonky3Perm: CryptographicPermutation<[Self; W]>
        + Permutation<[<Self as Field>::Packing; W]>
        + Sync
        + Send
        + core::fmt::Debug;
    /// The diagonal V of Plonky3's internal layer 1 + diag(V), read off its generic linear layer.
    fn plonky3_internal_diag() -> [Self; W];
    /// Plonky3's permutation with these constants (valid when the internal layer is Plonky3's).
    fn plonky3_perm(c: &Poseidon2Constants<Self, W>) -> Self::Plonky3Perm;
}

impl<F: Poseidon2Field<W>, const W: usize> Poseidon2Constants<F, W> {
    /// Plonky3's instance with these constants: the arguments of `Poseidon2::new`.
    pub fn new(external: ExternalLayerConstants<F, W>, internal: Vec<F>) -> Result<Self> {
        Self::with_internal_layer(external, internal, F::plonky3_internal_diag(), F::ONE)
    }

    /// Any internal layer of the form `s_i <- diag_i s_i + scale Σ s` (SP1's is
    /// 2^-32 (J + diag(V)): diag = 2^-32 V, scale = 2^-32).
    pub fn with_internal_layer(
        external: ExternalLayerConstants<F, W>,
        internal: Vec<F>,
        diag: [F; W],
        scale: F,
    ) -> Result<Self> {
        let (initial, terminal) =
            (external.get_initial_constants().to_vec(), external.get_terminal_constants().to_vec());
        if initial.len() != HALF_FULL_ROUNDS || terminal.len() != HALF_FULL_ROUNDS {
            return Err(Error::InvalidShape(format!(
                "{} + {} full rounds; the kernels run {HALF_FULL_ROUNDS} + {HALF_FULL_ROUNDS}",
                initial.len(),
                terminal.len()
            )));
        }
        if internal.len() != F::PARTIAL_ROUNDS {
            return Err(Error::InvalidShape(format!(
                "{} partial rounds; the {} width-{W} kernel runs {}",
                internal.len(),
                F::NAME,
                F::PARTIAL_ROUNDS
            )));
        }
        Ok(Self { initial, terminal, partial: internal, diag, scale })
    }

    pub fn external(&self) -> ExternalLayerConstants<F, W> {
        ExternalLayerConstants::new(self.initial.clone(), self.terminal.clone())
    }
    pub fn internal(&self) -> &[F] {
        &self.partial
    }
    /// Whether the internal layer is Plonky3's (1 + diag), which the cpu runs with Plonky3.
    pub(crate) fn is_plonky3(&self) -> bool {
        self.scale == F::ONE && self.diag == F::plonky3_internal_diag()
    }

    /// The permutation written out from the constants over any algebra of F (a scalar, or a
    /// SIMD pack of states): the cpu path for internal layers Plonky3's types cannot express,
    /// the same steps as the kernel.
    pub(crate) fn permute_generic<A: Algebra<F> + Copy>(&self, s: &mut [A; W]) {
        let sbox = |x: A| x.exp_u64(F::SBOX_DEGREE);
        let external = |s: &mut [A; W]| p3_poseidon2::mds_light_permutation(s, &p3_poseidon2::MDSMat4);
        let full = |s: &mut [A; W], rc: &[F; W]| {
            for (x, c) in s.iter_mut().zip(rc) {
                *x = sbox(*x + *c);
            }
            external(s);
        };
        external(s);
        self.initial.iter().for_each(|rc| full(s, rc));
        for &rc in &self.partial {
            s[0] = sbox(s[0] + rc);
            let sum = s.iter().copied().sum::<A>() * self.scale;
            for (x, d) in s.iter_mut().zip(&self.diag) {
                *x = *x * *d + sum;
            }
        }
        self.terminal.iter().for_each(|rc| full(s, rc));
    }

    /// The cpu permutation of these constants, usable wherever Plonky3 takes a permutation
    /// (`PaddingFreeSponge`, `TruncatedPermutation`, `MerkleTreeMmcs`).
    pub fn cpu_permutation(&self) -> CpuPermutation<F, W> {
        if self.is_plonky3() {
            CpuPermutation::Plonky3(F::plonky3_perm(self))
        } else {
            CpuPermutation::Generic(self.clone())
        }
    }

    /// The kernel's parameter struct, `chk_poseidon2_params` in kernels/poseidon2/poseidon2.cuh.
    pub(crate) fn kernel_params(&self) -> Vec<u32> {
        let rows = self.initial.iter().chain(&self.terminal).flatten();
        rows.chain(&self.partial).chain(&self.diag).chain([&self.scale]).map(|x| x.to_repr()).collect()
    }
}

/// Permutes every state of `states` (consecutive groups of W elements) in place.
pub fn permute_batch<F: Poseidon2Field<W>, const W: usize>(
    engine: &Engine,
    c: &Poseidon2Constants<F, W>,
    states: &mut [F],
) -> Result<()> {
    if !states.len().is_multiple_of(W) {
        return Err(Error::InvalidShape(format!("{} elements are not whole width-{W} states", states.len())));
    }
    if states.is_empty() {
        return Ok(());
    }
    match engine {
        Engine::Cpu => packed_permute(&c.cpu_permutation(), states),
        // Unchecked, the states are permuted in place: uploaded from and downloaded into `states`.
        Engine::Gpu(gpu) if gpu.self_check().is_none() => {
            let buf = launch_permutations(gpu, c, states)?;
            F::download_into(gpu, &buf, states)?;
        }
        Engine::Gpu(gpu) => {
            let permuted = crate::verify::device_result(
                gpu,
                "poseidon2 permutations",
                permute_on_device(gpu, c, states),
                |out, rng, samples| {
                    let before = crate::verify::merkle::sampled_states::<F, W>(states, samples, rng);
                    crate::verify::merkle::permutations(c, &before, out)
                },
                || {
                    let mut v = crate::mem::collect_exact(states.len(), states.iter().copied())?;
                    packed_permute(&c.cpu_permutation(), &mut v);
                    Ok(v)
                },
            )?;
            states.copy_from_slice(&permuted);
        }
    }
    Ok(())
}

/// The permutations of `states` on `gpu`, decoded.
fn permute_on_device<F: Poseidon2Field<W>, const W: usize>(
    gpu: &crate::backend::Gpu,
    c: &Poseidon2Constants<F, W>,
    states: &[F],
) -> Result<Vec<F>> {
    F::decode_vec(gpu.download(&launch_permutations(gpu, c, states)?)?)
}

/// `states` uploaded and permuted on `gpu`, left there.
fn launch_permutations<F: Poseidon2Field<W>, const W: usize>(
    gpu: &crate::backend::Gpu,
    c: &Poseidon2Constants<F, W>,
    states: &[F],
) -> Result<crate::backend::DeviceBuffer<F::Repr>> {
    let count = (states.len() / W) as u64;
    let buf = gpu.upload(&F::encode_slice(states))?;
    let (g, b) = plan::elementwise(count, &gpu.props()).expect("count > 0");
    let l = Launch::new(F::KERNEL, g, b).buf(&buf).u64(count).val_slice(&c.kernel_params());
    // SAFETY: the kernel touches states t < count, W elements each: the buffer's length.
    #[allow(unsafe_code)]
    unsafe {
        gpu.launch(&l)?
    };
    Ok(buf)
}

/// A Poseidon2 permutation on the cpu: Plonky3's own type (its AVX2/AVX-512 code) when the
/// internal layer is Plonky3's, else the constants written out over `Algebra<F>`, so SP1's
/// instances are packed (one state a SIMD lane) too.
#[derive(Clone, Debug)]
pub enum CpuPermutation<F: Poseidon2Field<W>, const W: usize> {
    Plonky3(F::Plonky3Perm),
    Generic(Poseidon2Constants<F, W>),
}

impl<F, A, const W: usize> Permutation<[A; W]> for CpuPermutation<F, W>
where
    F: Poseidon2Field<W>,
    A: Algebra<F> + Copy,
    F::Plonky3Perm: Permutation<[A; W]>,
{
    fn permute_mut(&self, s: &mut [A; W]) {
        match self {
            Self::Plonky3(p) => p.permute_mut(s),
            Self::Generic(c) => c.permute_generic(s),
        }
    }
}

impl<F, A, const W: usize> CryptographicPermutation<[A; W]> for CpuPermutation<F, W>
where
    F: Poseidon2Field<W>,
    A: Algebra<F> + Copy,
    F::Plonky3Perm: Permutation<[A; W]>,
{
}

/// The diagonal of `layer` = 1 + diag(V), probed with unit vectors; panics (a Plonky3 change
/// this crate has not caught up with) if the layer has another shape.
fn probe_diag<F: Field, const W: usize>(layer: impl Fn(&mut [F; W])) -> [F; W] {
    core::array::from_fn(|j| {
        let mut e = [F::ZERO; W];
        e[j] = F::ONE;
        layer(&mut e);
        assert!(
            (0..W).all(|i| i == j || e[i] == F::ONE),
            "Plonky3's internal layer is no longer 1 + diag(V) (column {j})"
        );
        e[j] - F::ONE
    })
}

/// Plonky3's packed permutation over `states` (consecutive W-element states), rayon-parallel:
/// states are transposed into `[Packing; W]` (one state per lane), full packs first, the
/// remainder one by one. When W is a multiple of the lane count (W = 16 on AVX-512 and AVX2,
/// 24 on AVX2) the transposes are square blocks in registers ([`transpose`]); otherwise lane by
/// lane.
pub(crate) fn packed_permute<F: Field, P: Permutation<[F::Packing; W]> + Permutation<[F; W]> + Sync, const W: usize>(
    perm: &P,
    states: &mut [F],
) where
    F::Packing: PackedFieldPow2,
{
    let lanes = F::Packing::WIDTH;
    let square = W.is_multiple_of(lanes);
    states.par_chunks_mut(W * lanes * 64).for_each(|task| {
        let mut packs = task.chunks_exact_mut(W * lanes);
        for pack in &mut packs {
            if square {
                permute_square_blocks(perm, pack);
                continue;
            }
            let mut s: [F::Packing; W] = core::array::from_fn(|i| F::Packing::from_fn(|l| pack[l * W + i]));
            perm.permute_mut(&mut s);
            for (i, v) in s.iter().enumerate() {
                for (l, x) in v.as_slice().iter().enumerate() {
                    pack[l * W + i] = *x;
                }
            }
        }
        for state in packs.into_remainder().chunks_exact_mut(W) {
            perm.permute_mut(<&mut [F; W]>::try_from(state).expect("chunks of W"));
        }
    });
}

/// One pack of `lanes` states (W a multiple of `lanes`): each `lanes` × `lanes` block of
/// (state, element) transposed into packed state words, permuted, and transposed back.
#[inline]
fn permute_square_blocks<F: Field, P: Permutation<[F::Packing; W]>, const W: usize>(perm: &P, pack: &mut [F])
where
    F::Packing: PackedFieldPow2,
{
    let lanes = F::Packing::WIDTH;
    let mut s = [F::Packing::ZERO; W];
    for (q, block) in s.chunks_exact_mut(lanes).enumerate() {
        for (l, row) in block.iter_mut().enumerate() {
            *row = *F::Packing::from_slice(&pack[l * W + q * lanes..][..lanes]);
        }
        transpose(block);
    }
    perm.permute_mut(&mut s);
    for (q, block) in s.chunks_exact_mut(lanes).enumerate() {
        transpose(block);
        for (l, row) in block.iter().enumerate() {
            pack[l * W + q * lanes..][..lanes].copy_from_slice(row.as_slice());
        }
    }
}

/// In-place transpose of a square block of packed rows (`rows.len()` = the lane count): lane j of
/// row i ↔ lane i of row j. Rounds k = W/2, …, 1 swap the off-diagonal k × k blocks of every
/// 2k × 2k block, which is what `interleave(a, b, k)` does to rows a and b = a + k.
pub(crate) fn transpose<P: PackedFieldPow2>(rows: &mut [P]) {
    debug_assert_eq!(rows.len(), P::WIDTH);
    let mut k = P::WIDTH / 2;
    while k >= 1 {
        for i in (0..P::WIDTH).filter(|i| i & k == 0) {
            (rows[i], rows[i + k]) = rows[i].interleave(rows[i + k], k);
        }
        k /= 2;
    }
}

macro_rules! poseidon2_field {
    ($field:ty, $w:literal, $rounds:expr, $sbox:expr, $kernel:literal, $perm:ty, $layers:ty) => {
        impl Poseidon2Field<$w> for $field {
            const PARTIAL_ROUNDS: usize = $rounds;
            const SBOX_DEGREE: u64 = $sbox;
            const KERNEL: &'static str = $kernel;
            fn plonky3_internal_diag() -> [Self; $w] {
                probe_diag(|s: &mut [Self; $w]| <$layers as GenericPoseidon2LinearLayers<$w>>::internal_linear_layer(s))
            }
            type Plonky3Perm = $perm;
            fn plonky3_perm(c: &Poseidon2Constants<Self, $w>) -> $perm {
                <$perm>::new(c.external(), c.partial.clone())
            }
        }
    };
}

poseidon2_field!(
    BabyBear,
    16,
    p3_baby_bear::BABYBEAR_POSEIDON2_PARTIAL_ROUNDS_16,
    p3_baby_bear::BABYBEAR_S_BOX_DEGREE,
    "chk_poseidon2_babybear_16",
    p3_baby_bear::Poseidon2BabyBear<16>,
    p3_baby_bear::GenericPoseidon2LinearLayersBabyBear
);
poseidon2_field!(
    BabyBear,
    24,
    p3_baby_bear::BABYBEAR_POSEIDON2_PARTIAL_ROUNDS_24,
    p3_baby_bear::BABYBEAR_S_BOX_DEGREE,
    "chk_poseidon2_babybear_24",
    p3_baby_bear::Poseidon2BabyBear<24>,
    p3_baby_bear::GenericPoseidon2LinearLayersBabyBear
);
poseidon2_field!(
    KoalaBear,
    16,
    p3_koala_bear::KOALABEAR_POSEIDON2_PARTIAL_ROUNDS_16,
    p3_koala_bear::KOALABEAR_S_BOX_DEGREE,
    "chk_poseidon2_koalabear_16",
    p3_koala_bear::Poseidon2KoalaBear<16>,
    p3_koala_bear::GenericPoseidon2LinearLayersKoalaBear
);
poseidon2_field!(
    KoalaBear,
    24,
    p3_koala_bear::KOALABEAR_POSEIDON2_PARTIAL_ROUNDS_24,
    p3_koala_bear::KOALABEAR_S_BOX_DEGREE,
    "chk_poseidon2_koalabear_24",
    p3_koala_bear::Poseidon2KoalaBear<24>,
    p3_koala_bear::GenericPoseidon2LinearLayersKoalaBear
);

/// `Poseidon2Constants::$name()`: the constants of Plonky3's `$default()`.
macro_rules! plonky3_defaults {
    ($field:ident, $w:literal, $name:ident, $krate:ident :: $default:ident, $init:ident, $fin:ident, $int:ident) => {
        impl Poseidon2Constants<$field, $w> {
            #[doc = concat!("The constants of `", stringify!($krate), "::", stringify!($default), "()`.")]
            pub fn $name() -> Self {
                use $krate::{$fin, $init, $int};
                let ext = ExternalLayerConstants::new($init.to_vec(), $fin.to_vec());
                Self::new(ext, $int.to_vec()).expect("Plonky3's own shape")
            }
        }
    };
}
plonky3_defaults!(
    BabyBear,
    16,
    babybear_default_16,
    p3_baby_bear::default_babybear_poseidon2_16,
    BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL,
    BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL,
    BABYBEAR_POSEIDON2_RC_16_INTERNAL
);
plonky3_defaults!(
    BabyBear,
    24,
    babybear_default_24,
    p3_baby_bear::default_babybear_poseidon2_24,
    BABYBEAR_POSEIDON2_RC_24_EXTERNAL_INITIAL,
    BABYBEAR_POSEIDON2_RC_24_EXTERNAL_FINAL,
    BABYBEAR_POSEIDON2_RC_24_INTERNAL
);
plonky3_defaults!(
    KoalaBear,
    16,
    koalabear_default_16,
    p3_koala_bear::default_koalabear_poseidon2_16,
    KOALABEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL,
    KOALABEAR_POSEIDON2_RC_16_EXTERNAL_FINAL,
    KOALABEAR_POSEIDON2_RC_16_INTERNAL
);
plonky3_defaults!(
    KoalaBear,
    24,
    koalabear_default_24,
    p3_koala_bear::default_koalabear_poseidon2_24,
    KOALABEAR_POSEIDON2_RC_24_EXTERNAL_INITIAL,
    KOALABEAR_POSEIDON2_RC_24_EXTERNAL_FINAL,
    KOALABEAR_POSEIDON2_RC_24_INTERNAL
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The interleave rounds transpose: lane j of row i is element (j, i) after them, for this
    /// build's packing (16 lanes with AVX-512, 8 with AVX2, 4 with NEON, 1 without SIMD).
    #[test]
    fn packed_rows_transpose() {
        type P = <BabyBear as Field>::Packing;
        let w = P::WIDTH;
        let label = |i: usize, j: usize| BabyBear::from_u32((100 * i + j) as u32);
        let mut rows: Vec<P> = (0..w).map(|i| P::from_fn(|j| label(i, j))).collect();
        transpose(&mut rows);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.as_slice(), (0..w).map(|j| label(j, i)).collect::<Vec<_>>().as_slice(), "row {i}");
        }
    }
}
