//! What `cherenkov-sp1-v5` and the `[patch.crates-io]` crates under `adapters/sp1-v5/patch`
//! share. It may depend on no fork crate that reaches `p3-dft` or `p3-merkle-tree` (the patch
//! crates depend on it), so the fork's BabyBear cannot be named here: [`BabyBearRepr`] proves at
//! run time that a field type *is* it, and then moves values between it and cherenkov's
//! (upstream Plonky3 0.8) BabyBear without copying.
//!
//! - [`BabyBearRepr`]: the fork's `BabyBear` and upstream's are both `#[repr(transparent)]` over
//!   a `u32` in Montgomery form with R = 2^32; the check compares the layout, the order and the
//!   stored words of the generator and of probe values, so a field with another encoding is
//!   refused.
//! - [`engine`]: the process-wide engine the patch crates run on (`CHERENKOV_BACKEND`, else
//!   `auto`); their traits have no error channel and no constructor argument to pass one.
//! - [`dft`] and [`merkle_layers`]: the BabyBear paths, with device failures recovered on the
//!   cpu (recorded for [`last_device_error`]).
//! - [`sp1_hash`] / [`sp1_compress`]: SP1 v5's leaf hash and node compression on the cpu, the
//!   reference a caller's hasher is compared with before its tree is built by cherenkov.
//! - [`opening::columnwise_dot_product_ext4`]: the opened values' hot loop (the
//!   `p3-interpolation` patch).
//! - [`stats`]: how many calls took cherenkov's paths, so a prover can see the patch is live.

use std::any::type_name;
use std::marker::PhantomData;
use std::mem::{align_of, size_of, transmute_copy, ManuallyDrop};
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub use cherenkov;

pub mod opening;

use cherenkov::backend::DeviceFallback;
use cherenkov::merkle;
use cherenkov::poseidon2::{CpuPermutation, Poseidon2Constants};
use cherenkov::{Backend, Engine};
use p3_field::Field;
use p3_matrix::Matrix;
use upstream_field::Field as _;
use upstream_symmetric::{CryptographicHasher, PaddingFreeSponge, PseudoCompressionFunction, TruncatedPermutation};

/// cherenkov's BabyBear (upstream Plonky3 0.8).
pub type Up = cherenkov::field::BabyBear;
/// A Merkle digest of SP1 v5's trees.
pub type Digest<F> = [F; 8];

/// Proof that `F` is the fork's BabyBear, stored exactly as [`Up`]: the conversions it offers
/// reinterpret memory instead of converting element by element.
pub struct BabyBearRepr<F>(PhantomData<F>);

impl<F> Clone for BabyBearRepr<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for BabyBearRepr<F> {}

/// The stored word of a 4-byte value.
fn word<T>(x: &T) -> u32 {
    assert_eq!(size_of::<T>(), 4);
    // SAFETY: T is 4 bytes (asserted) and the fields compared here have no padding.
    unsafe { transmute_copy(x) }
}

impl<F: Field> BabyBearRepr<F> {
    /// `Some` when `F` is BabyBear (p = 15·2^27 + 1) in the same Montgomery form as [`Up`].
    pub fn check() -> Option<Self> {
        let same_layout = size_of::<F>() == size_of::<Up>() && align_of::<F>() == align_of::<Up>();
        if !same_layout || !type_name::<F>().ends_with("BabyBear") {
            return None;
        }
        let same_field = F::order().to_u32_digits() == [0x7800_0001];
        let probes = [1, 2, 31, 0x1234_5678, 0x7800_0000];
        let same_words = word(&F::generator()) == word(&Up::GENERATOR)
            && probes.iter().all(|&x| word(&F::from_canonical_u32(x)) == word(&Up::new(x)));
        (same_field && same_words).then_some(Self(PhantomData))
    }

    pub fn to_up(self, x: F) -> Up {
        // SAFETY: same size, alignment and encoding (checked when `self` was made).
        unsafe { transmute_copy(&x) }
    }
    pub fn from_up(self, x: Up) -> F {
        // SAFETY: as above.
        unsafe { transmute_copy(&x) }
    }
    pub fn up_slice(self, s: &[F]) -> &[Up] {
        // SAFETY: same size, alignment and encoding, so a slice of F is a slice of Up.
        unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<Up>(), s.len()) }
    }
    pub fn to_up_vec(self, v: Vec<F>) -> Vec<Up> {
        // SAFETY: same size and alignment, so the allocation is valid for Up; same encoding.
        unsafe { cast_vec(v) }
    }
    pub fn from_up_vec(self, v: Vec<Up>) -> Vec<F> {
        // SAFETY: as above.
        unsafe { cast_vec(v) }
    }
    pub fn from_up_digests(self, v: Vec<Digest<Up>>) -> Vec<Digest<F>> {
        // SAFETY: arrays of types with the same layout have the same layout.
        unsafe { cast_vec(v) }
    }
    pub fn to_up_digest(self, d: &Digest<F>) -> Digest<Up> {
        d.map(|x| self.to_up(x))
    }
    /// `m` read as an upstream matrix of [`Up`], without copying: its rows are `m`'s own
    /// `row_slice`s (borrowed slices for the fork's dense matrices) reinterpreted.
    pub fn up_view<M: Matrix<F>>(self, m: &M) -> UpView<'_, F, M> {
        UpView { m, repr: self }
    }
}

/// A fork matrix seen as an upstream `Matrix<Up>` ([`BabyBearRepr::up_view`]).
pub struct UpView<'a, F, M> {
    m: &'a M,
    repr: BabyBearRepr<F>,
}

impl<F, M> Clone for UpView<'_, F, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F, M> Copy for UpView<'_, F, M> {}

/// A fork row (`D`, a slice of the fork's BabyBear `F`) read as `[Up]`, the columns
/// `start..end`. Made only with a [`BabyBearRepr<F>`], which proves the two share a layout.
pub struct UpRow<F, D> {
    row: D,
    start: usize,
    end: usize,
    repr: BabyBearRepr<F>,
}

impl<F: Field, D: Deref<Target = [F]>> Deref for UpRow<F, D> {
    type Target = [Up];
    fn deref(&self) -> &[Up] {
        self.repr.up_slice(&self.row[self.start..self.end])
    }
}

impl<F: Field, M: Matrix<F>> upstream_matrix::Matrix<Up> for UpView<'_, F, M> {
    fn width(&self) -> usize {
        self.m.width()
    }
    fn height(&self) -> usize {
        self.m.height()
    }
    unsafe fn row_subseq_unchecked(
        &self,
        r: usize,
        start: usize,
        end: usize,
    ) -> impl IntoIterator<Item = Up, IntoIter = impl Iterator<Item = Up> + Send + Sync> {
        let repr = self.repr;
        self.m.row(r).skip(start).take(end - start).map(move |x| repr.to_up(x))
    }
    unsafe fn row_subslice_unchecked(&self, r: usize, start: usize, end: usize) -> impl Deref<Target = [Up]> {
        UpRow { row: self.m.row_slice(r), start, end, repr: self.repr }
    }
}

/// # Safety
/// `A` and `B` must have the same size and alignment, and every `A` in `v` must be a valid `B`.
unsafe fn cast_vec<A, B>(v: Vec<A>) -> Vec<B> {
    assert!(size_of::<A>() == size_of::<B>() && align_of::<A>() == align_of::<B>());
    let mut v = ManuallyDrop::new(v);
    Vec::from_raw_parts(v.as_mut_ptr().cast(), v.len(), v.capacity())
}

/// The engine the patch crates run on: `CHERENKOV_BACKEND` (`auto` when unset: cuda when a GPU
/// is usable, else the cpu). A backend that cannot start is reported once on stderr and the
/// cpu used; the traits give no other way to say it.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Backend::from_env().and_then(Backend::engine) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cherenkov (SP1 v5 patch): {e}; running on the cpu");
            Engine::Cpu
        }
    })
}

fn fallback() -> &'static DeviceFallback {
    static FALLBACK: OnceLock<DeviceFallback> = OnceLock::new();
    FALLBACK.get_or_init(DeviceFallback::default)
}

/// cherenkov's Plonky3 0.8 DFT on [`engine`] (it records its own device failures).
pub fn dft() -> &'static cherenkov::plonky3::Dft {
    static DFT: OnceLock<cherenkov::plonky3::Dft> = OnceLock::new();
    DFT.get_or_init(|| cherenkov::plonky3::Dft::on(engine().clone()))
}

/// The last device failure the patch crates recovered from by recomputing on the cpu.
pub fn last_device_error() -> Option<String> {
    fallback().last().or_else(|| dft().last_device_error())
}

fn constants() -> &'static Poseidon2Constants<Up, 16> {
    static C: OnceLock<Poseidon2Constants<Up, 16>> = OnceLock::new();
    C.get_or_init(Poseidon2Constants::sp1_v5_babybear_16)
}

fn permutation() -> CpuPermutation<Up, 16> {
    constants().cpu_permutation()
}

/// SP1 v5's leaf hash (`PaddingFreeSponge<Poseidon2, 16, 8, 8>`) of `input`, on the cpu.
pub fn sp1_hash(input: &[Up]) -> Digest<Up> {
    PaddingFreeSponge::<_, 16, 8, 8>::new(permutation()).hash_iter(input.iter().copied())
}

/// SP1 v5's node compression (`TruncatedPermutation<Poseidon2, 2, 8, 16>`), on the cpu.
pub fn sp1_compress(pair: [Digest<Up>; 2]) -> Digest<Up> {
    TruncatedPermutation::<_, 2, 8, 16>::new(permutation()).compress(pair)
}

/// The digest layers (leaves to root) of SP1 v5's Merkle tree over `inputs` on [`engine`]:
/// every height a power of two and at least one column. Equal to the fork's
/// `FieldMerkleTree::new` there (its padding of the leaf layer to a power of two and
/// Plonky3 0.8's padding of each layer to even coincide). `None` for other shapes.
pub fn merkle_layers<F: Field, M: Matrix<F>>(repr: BabyBearRepr<F>, inputs: &[M]) -> Option<Vec<Vec<Digest<F>>>> {
    merkle_layers_on(engine(), fallback(), repr, inputs)
}

/// [`merkle_layers`] on `engine`, device failures recovered on the cpu and recorded in
/// `fallback`.
pub fn merkle_layers_on<F: Field, M: Matrix<F>>(
    engine: &Engine,
    fallback: &DeviceFallback,
    repr: BabyBearRepr<F>,
    inputs: &[M],
) -> Option<Vec<Vec<Digest<F>>>> {
    let on_ladder = !inputs.is_empty() && inputs.iter().all(|m| m.height().is_power_of_two() && m.width() > 0);
    if !on_ladder {
        return None;
    }
    // Views of the caller's matrices: both builders read rows through `row_slice`, so nothing
    // is copied (a gather of every committed value used to be part of each commit).
    let up: Vec<UpView<'_, F, M>> = inputs.iter().map(|m| repr.up_view(m)).collect();
    let layers = fallback
        .run(
            engine,
            up,
            |g, m| merkle::build(&Engine::Gpu(g.clone()), constants(), m.clone()).map(|t| t.into_digest_layers()),
            |m| merkle::build(&Engine::Cpu, constants(), m).map(|t| t.into_digest_layers()),
        )
        .ok()?;
    Some(layers.into_iter().map(|l| repr.from_up_digests(l)).collect())
}

static DFT_CALLS: AtomicUsize = AtomicUsize::new(0);
static OPENINGS: AtomicUsize = AtomicUsize::new(0);
static COMMITS: AtomicUsize = AtomicUsize::new(0);

/// Calls that took cherenkov's paths so far, in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// BabyBear DFT-family calls (dft, coset LDE, ...) run by cherenkov.
    pub dft_calls: usize,
    /// Opened values (a matrix evaluated at a point, `interpolate_coset`) computed by cherenkov.
    pub openings: usize,
    /// Merkle commitments built by cherenkov.
    pub commits: usize,
}

pub fn stats() -> Stats {
    Stats {
        dft_calls: DFT_CALLS.load(Ordering::Relaxed),
        openings: OPENINGS.load(Ordering::Relaxed),
        commits: COMMITS.load(Ordering::Relaxed),
    }
}

pub fn count_dft() {
    DFT_CALLS.fetch_add(1, Ordering::Relaxed);
}

pub fn count_opening() {
    OPENINGS.fetch_add(1, Ordering::Relaxed);
}

pub fn count_commit() {
    COMMITS.fetch_add(1, Ordering::Relaxed);
}
