//! Proof-of-work grinding that returns the smallest witness, on the cpu or the device.
//!
//! p3-challenger's `DuplexChallenger::grind` searches in parallel and keeps whichever passing
//! witness a thread finds first, so only a one-thread run is reproducible (it returns the
//! smallest). [`Grinding`] wraps the transcript's challenger: its `grind` searches windows of
//! candidates from 0 upwards, all of a window at once (packed permutations on rayon, or
//! `kernels/fri/grind.cuh` on a device), and keeps the window's smallest passing candidate. The
//! proofs are then a one-thread stock run's on any schedule and any engine, and a device that
//! fails falls back to the same search on the cpu.
//!
//! The search hashes with the PCS's Poseidon2 constants. It runs when the challenger is a
//! `DuplexChallenger<F, _, 16, 8>` over cherenkov's permutation ([`Challenger`]) or over
//! Plonky3's own Poseidon2 type (`DuplexChallenger<BabyBear, Poseidon2BabyBear<16>, 16, 8>`, what
//! `default_babybear_poseidon2_16` users build) and permutes a probe state exactly as those
//! constants do. Any other challenger grinds its own way (p3's parallel search: then only a
//! one-thread run is reproducible).

use std::any::Any;

use p3_challenger::{CanObserve, CanSample, CanSampleBits, DuplexChallenger, FieldChallenger, GrindingChallenger};
use p3_field::{PackedValue, PrimeField32};
use p3_symmetric::{CryptographicPermutation, Permutation};
use rayon::prelude::*;

use super::config::Challenger;
use super::fri::{fri_kernel, FriKernel};
use super::Mmcs;
use crate::backend::{Dim3, Engine, Gpu, Launch};
use crate::error::Result;
use crate::poseidon2::{Poseidon2Constants, Poseidon2Field, Poseidon2Hasher, RATE};

/// Threads per block of the device search.
const THREADS: u32 = 256;
/// log2 of a window's candidates at `bits` of difficulty. On the cpu a quarter of the expected
/// search, so little is scanned past the smallest witness (a window is a rayon join, cheap); on
/// a device twice the expected search, so one launch (a few µs) usually ends it.
fn window_bits(bits: usize, on_device: bool) -> usize {
    match on_device {
        false => bits.saturating_sub(2).clamp(10, 22),
        true => (bits + 1).clamp(12, 24),
    }
}

/// A transcript's challenger whose proof-of-work searches return the smallest witness (see the
/// module docs); everything else is the wrapped challenger's.
pub(crate) struct Grinding<'a, C, F: Poseidon2Hasher> {
    challenger: &'a mut C,
    /// Whose engine and constants the search uses; none: the challenger grinds its own way.
    mmcs: Option<&'a Mmcs<F>>,
}

impl<'a, C: 'static, F: Poseidon2Hasher> Grinding<'a, C, F> {
    /// `challenger`, grinding with `mmcs`'s engine and constants (none: its own grinding).
    pub(crate) fn new(challenger: &'a mut C, mmcs: Option<&'a Mmcs<F>>) -> Self {
        Self { challenger, mmcs }
    }

    /// The wrapped challenger, for calls that take it as it is.
    pub(crate) fn inner(&mut self) -> &mut C {
        self.challenger
    }
}

impl<C: CanObserve<T>, F: Poseidon2Hasher, T> CanObserve<T> for Grinding<'_, C, F> {
    fn observe(&mut self, value: T) {
        self.challenger.observe(value);
    }
}

impl<C: CanSample<T>, F: Poseidon2Hasher, T> CanSample<T> for Grinding<'_, C, F> {
    fn sample(&mut self) -> T {
        self.challenger.sample()
    }
}

impl<C: CanSampleBits<usize>, F: Poseidon2Hasher> CanSampleBits<usize> for Grinding<'_, C, F> {
    fn sample_bits(&mut self, bits: usize) -> usize {
        self.challenger.sample_bits(bits)
    }
}

impl<C: FieldChallenger<F>, F: Poseidon2Hasher> FieldChallenger<F> for Grinding<'_, C, F> {}

impl<C, F> GrindingChallenger for Grinding<'_, C, F>
where
    C: GrindingChallenger<Witness = F> + 'static,
    F: Poseidon2Hasher,
{
    type Witness = F;

    fn grind(&mut self, bits: usize) -> F {
        if let Some(mmcs) = self.mmcs.filter(|_| bits > 0 && bits < 31 && (1u64 << bits) < F::ORDER_U64) {
            let any = self.challenger as &mut dyn Any;
            let found = if any.is::<Challenger<F>>() {
                any.downcast_mut::<Challenger<F>>().and_then(|ch| grind_smallest(mmcs, ch, bits))
            } else {
                any.downcast_mut::<StockChallenger<F>>().and_then(|ch| grind_smallest(mmcs, ch, bits))
            };
            if let Some(w) = found {
                return w;
            }
        }
        self.challenger.grind(bits)
    }
}

/// p3's duplex challenger over Plonky3's own Poseidon2-16 type.
type StockChallenger<F> = DuplexChallenger<F, <F as Poseidon2Field<16>>::Plonky3Perm, 16, 8>;

/// [`smallest_witness`], checked the verifier's way; only then does `ch`'s transcript move.
/// `None` (the transcript untouched) when the search does not apply.
fn grind_smallest<F, P>(mmcs: &Mmcs<F>, ch: &mut DuplexChallenger<F, P, 16, 8>, bits: usize) -> Option<F>
where
    F: Poseidon2Hasher,
    P: CryptographicPermutation<[F; 16]>,
{
    let w = smallest_witness(mmcs, ch, bits)?;
    let mut probe = ch.clone();
    // `check_witness`, which p3 defines only for challengers that also grind packed.
    probe.observe(w);
    (CanSampleBits::<usize>::sample_bits(&mut probe, bits) == 0).then(|| {
        *ch = probe;
        w
    })
}

/// The smallest witness that passes `bits` of proof-of-work after `ch`'s transcript: on the
/// device when `mmcs` has one (the cpu after a device failure, which is recorded), `None` when
/// `ch` does not hash with `mmcs`'s constants.
fn smallest_witness<F, P>(mmcs: &Mmcs<F>, ch: &DuplexChallenger<F, P, 16, 8>, bits: usize) -> Option<F>
where
    F: Poseidon2Hasher,
    P: CryptographicPermutation<[F; 16]>,
{
    let c = mmcs.constants();
    if !same_permutation(ch, c) {
        return None;
    }
    let (base, slot) = absorb_state(ch);
    let mask = (1u32 << bits) - 1;
    let cpu_window = 1u32 << window_bits(bits, false);
    let found = match mmcs.engine() {
        Engine::Gpu(gpu) => {
            search_on_device(gpu, c, &base, slot, mask, 1 << window_bits(bits, true)).unwrap_or_else(|e| {
                mmcs.fallback().record(&e);
                search_on_cpu(c, &base, slot, mask, cpu_window)
            })
        }
        Engine::Cpu => search_on_cpu(c, &base, slot, mask, cpu_window),
    };
    found.map(F::from_u32)
}

/// Whether `ch`'s permutation is `c`'s: a duplex squeeze of a probe state reads the permuted
/// rate back (in reverse, `sample` pops), which must match `c`'s permutation of it.
fn same_permutation<F, P>(ch: &DuplexChallenger<F, P, 16, 8>, c: &Poseidon2Constants<F, 16>) -> bool
where
    F: Poseidon2Hasher,
    P: CryptographicPermutation<[F; 16]>,
{
    let probe: [F; 16] = core::array::from_fn(|i| F::from_u32(0x9e37_79b9u32.wrapping_mul(i as u32 + 1) >> 2));
    let mut squeeze = ch.clone();
    squeeze.sponge_state = probe;
    squeeze.input_buffer.clear();
    squeeze.output_buffer.clear();
    let theirs: Vec<F> = (0..RATE).map(|_| CanSample::<F>::sample(&mut squeeze)).collect();
    let mut ours = probe;
    c.cpu_permutation().permute_mut(&mut ours);
    theirs.iter().eq(ours[..RATE].iter().rev())
}

/// The state every candidate shares before the permutation, and the candidate's slot
/// (`DuplexChallenger::duplexing` after observing it: the buffered inputs, zeros up to the rate,
/// the absorb's length added to the first capacity element).
fn absorb_state<F, P>(ch: &DuplexChallenger<F, P, 16, 8>) -> ([F; 16], usize)
where
    F: Poseidon2Hasher,
    P: CryptographicPermutation<[F; 16]>,
{
    let slot = ch.input_buffer.len();
    let mut s = ch.sponge_state;
    for (i, x) in s[..RATE].iter_mut().enumerate() {
        *x = ch.input_buffer.get(i).copied().unwrap_or(F::ZERO);
    }
    s[RATE] += F::from_u8(slot as u8 + 1);
    (s, slot)
}

/// Whether the permuted state of one candidate passes.
fn passes<F: PrimeField32>(sample: F, mask: u32) -> bool {
    sample.as_canonical_u32() & mask == 0
}

/// Windows of `window` candidates from 0 upwards, the last one cut at p.
fn windows<F: PrimeField32>(window: u32) -> impl Iterator<Item = (u32, u32)> {
    (0..F::ORDER_U32).step_by(window as usize).map(move |start| (start, window.min(F::ORDER_U32 - start)))
}

fn search_on_cpu<F: Poseidon2Hasher>(
    c: &Poseidon2Constants<F, 16>,
    base: &[F; 16],
    slot: usize,
    mask: u32,
    window: u32,
) -> Option<u32> {
    let perm = c.cpu_permutation();
    let lanes = F::Packing::WIDTH as u32;
    let packed_base: [F::Packing; 16] = core::array::from_fn(|i| F::Packing::from(base[i]));
    windows::<F>(window).find_map(|(start, count)| {
        (0..count.div_ceil(lanes))
            .into_par_iter()
            .filter_map(|pack| {
                let first = start + pack * lanes;
                let live = lanes.min(start + count - first);
                let mut s = packed_base;
                // Lanes past the window repeat its last candidate.
                s[slot] = F::Packing::from_fn(|l| F::from_u32(first + (l as u32).min(live - 1)));
                perm.permute_mut(&mut s);
                (0..live).find(|&l| passes(s[RATE - 1].as_slice()[l as usize], mask)).map(|l| first + l)
            })
            .min()
    })
}

/// [`search_on_cpu`] with each window one launch of `chk_fri_grind_<field>`; one 4-byte
/// download (a synchronization) a window.
#[allow(unsafe_code)] // launches over a one-word buffer sized here
fn search_on_device<F: Poseidon2Hasher>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    base: &[F; 16],
    slot: usize,
    mask: u32,
    window: u32,
) -> Result<Option<u32>> {
    let kernel = fri_kernel(FriKernel::Grind, F::NAME)?;
    let base: [u32; 16] = core::array::from_fn(|i| base[i].to_repr());
    let params = c.kernel_params();
    let found = gpu.upload(&[u32::MAX])?;
    for (start, count) in windows::<F>(window) {
        let blocks = count.div_ceil(THREADS).min(1 << 16);
        let launch = Launch::new(kernel, Dim3::x(blocks), Dim3::x(THREADS))
            .val(base)
            .u32(slot as u32)
            .u32(start)
            .u32(count)
            .u32(mask)
            .buf(&found)
            .val_slice(&params);
        // SAFETY: the kernel writes only `found`, one word, with atomicMin.
        unsafe { gpu.launch(&launch)? };
        let w = gpu.download(&found)?[0];
        if w != u32::MAX {
            return Ok(Some(w));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use p3_challenger::{CanObserve, GrindingChallenger};
    use p3_field::PrimeCharacteristicRing;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    use super::*;
    use crate::field::{BabyBear, KoalaBear};

    /// The first witness from 0 upwards that p3's own check accepts: what a one-thread
    /// `DuplexChallenger::grind` returns.
    fn first_passing<C: GrindingChallenger + Clone>(ch: &C, bits: usize) -> C::Witness
    where
        C::Witness: PrimeCharacteristicRing,
    {
        (0..).map(C::Witness::from_u32).find(|&w| ch.clone().check_witness(bits, w)).expect("a witness")
    }

    /// Every buffer fill (the candidate's slot 0..7; an output pending or not) at several
    /// difficulties, on the cpu and the emulator, with a challenger over `perm` (cherenkov's or
    /// Plonky3's own type): the smallest witness, and the transcript moved as p3's own check
    /// moves it.
    fn smallest_witness_with<F, P>(c: Poseidon2Constants<F, 16>, perm: P)
    where
        F: Poseidon2Hasher,
        P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[F::Packing; 16]> + 'static,
    {
        let seed = crate::check::seed_from_env();
        eprintln!("seed {seed}");
        let mut rng = StdRng::seed_from_u64(seed);
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            let mmcs = Mmcs::on(c.clone(), 0, engine.clone());
            for buffered in 0..RATE {
                let bits = 1 + 2 * buffered % 11;
                let mut ch = DuplexChallenger::<F, P, 16, 8>::new(perm.clone());
                for _ in 0..rng.random_range(0..20) {
                    ch.observe(F::from_u32(rng.random_range(0..F::ORDER_U32)));
                }
                while ch.input_buffer.len() != buffered {
                    ch.observe(F::from_u32(rng.random_range(0..F::ORDER_U32)));
                }
                if buffered == 0 {
                    let _: F = ch.sample(); // an output pending, which the witness clears
                }
                let expected = first_passing(&ch, bits);
                let mut stock = ch.clone();
                assert!(stock.check_witness(bits, expected));
                let mut ours = ch.clone();
                engine.reset_stats();
                let w = Grinding::new(&mut ours, Some(&mmcs)).grind(bits);
                assert_eq!(w, expected, "{engine:?}, {buffered} buffered, {bits} bits");
                // The search ran where the engine is (a window a launch), not in p3's grind.
                let launches = engine.stats().launches;
                assert_eq!(launches > 0, matches!(engine, Engine::Gpu(_)), "{launches} launches");
                assert_eq!(ours.sponge_state, stock.sponge_state);
                assert_eq!(ours.input_buffer, stock.input_buffer);
                assert_eq!(ours.output_buffer, stock.output_buffer);
                assert_eq!(mmcs.last_device_error(), None);
            }
            let mut fresh = DuplexChallenger::<F, P, 16, 8>::new(perm.clone());
            assert_eq!(Grinding::new(&mut fresh, Some(&mmcs)).grind(0), F::ZERO);
        }
    }

    #[test]
    fn grinding_finds_the_smallest_witness_babybear() {
        let c = Poseidon2Constants::<BabyBear, 16>::babybear_default_16();
        smallest_witness_with(c.clone(), c.cpu_permutation());
    }

    #[test]
    fn grinding_finds_the_smallest_witness_koalabear() {
        let c = Poseidon2Constants::<KoalaBear, 16>::koalabear_default_16();
        smallest_witness_with(c.clone(), c.cpu_permutation());
    }

    /// p3's challenger over Plonky3's own Poseidon2 type (`default_babybear_poseidon2_16()`'s)
    /// grinds with the same search: a one-thread stock run's witness on any pool.
    #[test]
    fn grinding_with_plonky3s_own_permutation_type() {
        let c = Poseidon2Constants::<BabyBear, 16>::babybear_default_16();
        smallest_witness_with(c, p3_baby_bear::default_babybear_poseidon2_16());
        let c = Poseidon2Constants::<KoalaBear, 16>::koalabear_default_16();
        smallest_witness_with(c, p3_koala_bear::default_koalabear_poseidon2_16());
    }

    /// A challenger over another permutation than the PCS's grinds its own way; its witness
    /// passes its own check.
    #[test]
    fn a_challenger_over_other_constants_grinds_itself() {
        let ours = Poseidon2Constants::<BabyBear, 16>::babybear_default_16();
        let mut internal = ours.internal().to_vec();
        internal[0] += BabyBear::ONE;
        let other = Poseidon2Constants::new(ours.external(), internal).expect("the same shape");
        let mmcs = Mmcs::on(ours, 0, Engine::Cpu);
        let mut ch = Challenger::<BabyBear>::new(other.cpu_permutation());
        ch.observe(BabyBear::ONE);
        let before = ch.clone();
        assert!(!same_permutation(&ch, mmcs.constants()));
        let w = Grinding::new(&mut ch, Some(&mmcs)).grind(4);
        let mut checked = before;
        assert!(checked.check_witness(4, w));
        assert_eq!(checked.sponge_state, ch.sponge_state);
    }
}
