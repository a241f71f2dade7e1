//! FRI's prover on the device: p3-fri 0.8's `prover::prove_fri` step for step (the same
//! transcript, through p3-fri's own `ProverTranscript`, and the same proof), its commit phase's
//! codewords never leaving the device. It starts from the reduced openings there; each round's
//! codeword is committed where it lies (its tree keeps the leaves there, only the digest layers
//! come back), then folded there by `kernels/fri/fold.cuh`, the next reduced opening joining at
//! its height; the final polynomial's evaluations come back (2^log_blowup · final_poly_len
//! values) for its inverse DFT. The query phase gathers the opened rows and their siblings on the
//! device ([`crate::merkle::rows_batch_many`], one download for every tree). The challenger, the proof-of-work searches
//! and the inverse DFT of the final polynomial stay on the host: they see roots and small values.

use std::mem::ManuallyDrop;

use p3_commit::OpeningRequest;
use p3_dft::{Radix2DFTSmallBatch, TwoAdicSubgroupDft};
use p3_field::extension::BinomiallyExtendable;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing, PrimeField64, TwoAdicField};
use p3_fri::{BatchMultiOpening, CommitPhaseMultiStep, FriParameters, FriProof, FriShape, ProverTranscript};

use super::config::{Challenge, ChallengeMmcs};
use super::open::{from_words, to_words, u32_of, FriChallenger, OpeningProof};
use super::{LdeTree, Mmcs};
use crate::backend::{DeviceBuffer, Dim3, Gpu, Launch};
use crate::error::{Error, Result};
use crate::merkle;
use crate::poseidon2::Poseidon2Hasher;

/// Threads per block of the fold.
const THREADS: u32 = 256;

/// The entry points of `kernels/fri/fri.cu`.
#[derive(Clone, Copy)]
pub(super) enum FriKernel {
    Fold,
    Grind,
}

/// `kernel`'s entry point for `field`.
pub(super) fn fri_kernel(kernel: FriKernel, field: &str) -> Result<&'static str> {
    match (kernel, field) {
        (FriKernel::Fold, "babybear") => Ok("chk_fri_fold_babybear"),
        (FriKernel::Fold, "koalabear") => Ok("chk_fri_fold_koalabear"),
        (FriKernel::Grind, "babybear") => Ok("chk_fri_grind_babybear"),
        (FriKernel::Grind, "koalabear") => Ok("chk_fri_grind_koalabear"),
        (FriKernel::Fold, _) => Err(Error::InvalidArgument(format!("no device FRI over {field}"))),
        (FriKernel::Grind, _) => Err(Error::InvalidArgument(format!("no device grinding over {field}"))),
    }
}

/// `prove_fri(&TwoAdicFriFolding, fri, inputs, challenger, log_global_max_height, requests,
/// mmcs, batch_pow_witness)` with the commit phase on `gpu` (see the module docs). `inputs` are
/// the reduced openings on `gpu` (4 words an element), tallest first; `fri.mmcs` must be `ExtensionMmcs` over `mmcs`, as
/// [`super::FusedPcs`] builds it. A device error is returned with the challenger part-way
/// through the transcript: the caller restores it before proving again.
#[allow(clippy::too_many_arguments)] // prove_fri's own arguments
pub(super) fn prove_fri_on_device<F, Challenger>(
    gpu: &Gpu,
    mmcs: &Mmcs<F>,
    fri: &FriParameters<ChallengeMmcs<F>>,
    inputs: Vec<DeviceBuffer<u32>>,
    challenger: &mut Challenger,
    log_global_max_height: usize,
    requests: &[OpeningRequest<'_, LdeTree<F>, Challenge<F>>],
    batch_pow_witness: F,
) -> Result<OpeningProof<F>>
where
    F: Poseidon2Hasher + TwoAdicField + PrimeField64 + BinomiallyExtendable<4>,
    Challenger: FriChallenger<F>,
{
    let lengths: Vec<usize> = inputs.iter().map(|b| b.len() / 4).collect();
    if lengths.first() != Some(&(1 << log_global_max_height))
        || inputs.iter().any(|b| !(b.len() / 4).is_power_of_two() || b.len() % 4 != 0)
        || lengths.windows(2).any(|w| w[0] <= w[1])
    {
        return Err(Error::InvalidArgument("FRI inputs off the global height's ladder".into()));
    }
    let input_log_heights: Vec<usize> = lengths.iter().map(|n| n.trailing_zeros() as usize).collect();
    // TwoAdicFriFolding draws no extra query index bits.
    let shape = FriShape::new(fri, &input_log_heights, log_global_max_height);
    let log_arities = shape.log_arities.clone();
    let final_poly_len = shape.final_poly_len;
    // p3-fri's transcript panics when dropped before its last step and has no abort: on a
    // device error it is forgotten (a few hundred bytes), and the caller restores the challenger.
    let mut transcript = ManuallyDrop::new(ProverTranscript::<Challenger, F, Challenge<F>>::new(challenger, shape));

    // The commit phase (p3-fri's `commit_phase`), the codeword on the device.
    let mut inputs = inputs.into_iter();
    let mut codeword = inputs.next().expect("checked above");
    let mut pending = inputs.peekable();
    let (mut commits, mut pow_witnesses, mut rounds) = (Vec::new(), Vec::new(), Vec::new());
    for (round, &log_arity) in log_arities.iter().enumerate() {
        injected_failure(round)?;
        let tree = merkle::commit_kept_on_device::<F>(gpu, mmcs.constants(), vec![codeword], vec![4 << log_arity])?;
        let commit = tree.cap(mmcs.cap_height())?;
        let (beta, witness) = transcript.commit_round(commit.clone());
        commits.push(commit);
        pow_witnesses.push(witness.unwrap_or(F::ZERO));
        let leaves = &tree.device_leaves().expect("a kept tree").rows[0];
        let mut log_n = (leaves.len() / 4).trailing_zeros() as usize;
        let mix = pending.next_if(|b| b.len() == 4 << (log_n - log_arity)).map(|b| (b, beta.exp_power_of_2(log_arity)));
        let mut folded: Option<DeviceBuffer<u32>> = None;
        let mut step_beta = beta;
        for step in 0..log_arity {
            let src = folded.as_ref().unwrap_or(leaves);
            let joins = if step + 1 == log_arity { mix.as_ref() } else { None };
            folded = Some(fold::<F>(gpu, src, log_n - 1, step_beta, joins)?);
            step_beta = step_beta.square();
            log_n -= 1;
        }
        codeword = folded.ok_or_else(|| Error::InvalidArgument("a FRI round of arity 1".into()))?;
        rounds.push((tree, log_arity));
    }

    // The final polynomial: the first final_poly_len evaluations, back in natural order, through
    // an inverse DFT (p3-fri truncates, bit-reverses and runs Radix2DFTSmallBatch's).
    let mut last = from_words::<F>(gpu.download(&codeword)?)?;
    if last.len() < final_poly_len {
        return Err(Error::InvalidArgument(format!(
            "{} final evaluations for {final_poly_len} coefficients",
            last.len()
        )));
    }
    last.truncate(final_poly_len);
    p3_util::reverse_slice_index_bits(&mut last);
    let final_poly = Radix2DFTSmallBatch::<F>::default().idft_algebra(last);

    let (indices, query_pow_witness) = transcript.query_phase(&final_poly);
    ManuallyDrop::into_inner(transcript).finish();

    let (input_openings, commit_phase_openings) =
        open_queries(mmcs, log_global_max_height, &indices, requests, &rounds)?;
    Ok(FriProof {
        batch_pow_witness,
        commit_phase_commits: commits,
        commit_pow_witnesses: pow_witnesses,
        input_openings,
        commit_phase_openings,
        final_poly,
        query_pow_witness: query_pow_witness.unwrap_or(F::ZERO),
    })
}

/// The device error a unit test injects at the start of commit round `round` (none outside
/// tests).
fn injected_failure(round: usize) -> Result<()> {
    #[cfg(test)]
    if tests::FAIL_AT_ROUND.get() == Some(round) {
        return Err(Error::Cuda(format!("injected failure in FRI round {round}")));
    }
    let _ = round;
    Ok(())
}

/// One arity-2 step of the fold of the `2^(log_half + 1)`-value codeword `src`; `mix`: the
/// reduced opening that joins, with its factor.
#[allow(unsafe_code)] // one launch over buffers sized here
fn fold<F>(
    gpu: &Gpu,
    src: &DeviceBuffer<u32>,
    log_half: usize,
    beta: Challenge<F>,
    mix: Option<&(DeviceBuffer<u32>, Challenge<F>)>,
) -> Result<DeviceBuffer<u32>>
where
    F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>,
{
    let half = 1usize << log_half;
    if src.len() != 8 * half {
        return Err(Error::LengthMismatch { what: "FRI codeword (words)", expected: 8 * half, got: src.len() });
    }
    if let Some((m, _)) = mix.filter(|(m, _)| m.len() != 4 * half) {
        return Err(Error::LengthMismatch {
            what: "reduced opening joining FRI (words)",
            expected: 4 * half,
            got: m.len(),
        });
    }
    let out = gpu.alloc_uninit::<u32>(4 * half)?;
    let g_inv = F::two_adic_generator(log_half + 1).inverse();
    let blocks = u32_of(half.div_ceil(THREADS as usize).min(1 << 16), "blocks")?;
    let ext = |v: Challenge<F>| -> [u32; 4] { to_words::<F>(&[v]).try_into().expect("4 words an element") };
    let launch = Launch::new(fri_kernel(FriKernel::Fold, F::NAME)?, Dim3::x(blocks), Dim3::x(THREADS))
        .buf(src)
        .buf(&out)
        .u32(u32_of(log_half, "log2 of the codeword")?)
        .val(g_inv.to_repr())
        .val(F::ONE.halve().to_repr())
        .val(ext(beta));
    let launch = match mix {
        Some((m, scale)) => launch.buf(m).val(ext(*scale)),
        None => launch.null().val([0u32; 4]),
    };
    // SAFETY: `src` holds 2 · half elements of 4 words, `out` half, `mix` (when given) half.
    unsafe { gpu.launch(&launch)? };
    Ok(out)
}

/// The query phase's openings, p3-fri's `open_inputs` (each committed batch opened at the
/// query indices, shifted down to its height) and `answer_queries` (per round, every queried
/// group's siblings and one pruned proof), their rows gathered in one batch: every tree's
/// opened rows come back in one download.
#[allow(clippy::type_complexity)] // p3-fri's two proof parts
fn open_queries<F>(
    mmcs: &Mmcs<F>,
    log_global_max_height: usize,
    indices: &[usize],
    requests: &[OpeningRequest<'_, LdeTree<F>, Challenge<F>>],
    rounds: &[(LdeTree<F>, usize)],
) -> Result<(Vec<BatchMultiOpening<F, Mmcs<F>>>, Vec<CommitPhaseMultiStep<Challenge<F>, ChallengeMmcs<F>>>)>
where
    F: Poseidon2Hasher + BinomiallyExtendable<4>,
{
    let mut opened: Vec<(&LdeTree<F>, Vec<usize>)> = Vec::with_capacity(requests.len() + rounds.len());
    for r in requests {
        let tree = r.prover_data;
        let max_height = tree.dims().iter().map(|&(h, _)| h).max().unwrap_or(1);
        let bits_reduced = log_global_max_height - max_height.trailing_zeros() as usize;
        opened.push((tree, indices.iter().map(|&i| i >> bits_reduced).collect()));
    }
    // Round r opens the groups of the indices folded by the rounds before it.
    let mut current = indices.to_vec();
    let mut queried = Vec::with_capacity(rounds.len());
    for (tree, log_arity) in rounds {
        let groups: Vec<usize> = current.iter().map(|&i| i >> log_arity).collect();
        queried.push(std::mem::replace(&mut current, groups.clone()));
        opened.push((tree, groups));
    }
    let batch: Vec<(&LdeTree<F>, &[usize])> = opened.iter().map(|(t, i)| (*t, i.as_slice())).collect();
    let mut openings = mmcs.try_open_multi_batches(&batch)?.into_iter();
    let inputs = openings
        .by_ref()
        .take(requests.len())
        .map(|(opened_values, opening_proof)| BatchMultiOpening { opened_values, opening_proof })
        .collect();
    let steps = openings
        .zip(rounds.iter().zip(queried))
        .map(|((rows, opening_proof), ((_, log_arity), queried))| {
            let sibling_values = queried
                .iter()
                .zip(rows)
                .map(|(&index, mut rows)| {
                    // One matrix a tree; its row holds the group's 2^log_arity values.
                    let row: Vec<Challenge<F>> = Challenge::<F>::reconstitute_from_base(rows.pop().unwrap_or_default());
                    let at = index % (1 << log_arity);
                    row.into_iter().enumerate().filter(|&(j, _)| j != at).map(|(_, v)| v).collect()
                })
                .collect();
            CommitPhaseMultiStep { sibling_values, opening_proof }
        })
        .collect();
    Ok((inputs, steps))
}

#[cfg(test)]
pub(super) mod tests {
    use std::cell::Cell;

    use p3_challenger::{CanObserve, DuplexChallenger};
    use p3_commit::Pcs;
    use p3_field::coset::TwoAdicMultiplicativeCoset;
    use p3_matrix::dense::RowMajorMatrix;

    use super::*;
    use crate::backend::Engine;
    use crate::field::BabyBear;
    use crate::plonky3::config::{self, FriSettings};
    use crate::poseidon2::Poseidon2Constants;

    thread_local! {
        /// A device error injected at the start of this commit round (this thread's FRI only).
        pub(in crate::plonky3) static FAIL_AT_ROUND: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// A device failure part-way through FRI's commit phase (after two roots went into the
    /// transcript): the opening is proven again on the host from the saved challenger, the proof
    /// is the one an undisturbed device run gives, and the failure is recorded.
    #[test]
    fn a_device_fri_failing_part_way_is_proven_again_on_the_host() {
        let engine = Engine::emu(Default::default());
        let fri = FriSettings { num_queries: 8, query_proof_of_work_bits: 0, ..FriSettings::default() };
        let cfg = config::on(Poseidon2Constants::babybear_default_16(), engine, fri);
        let pcs = p3_uni_stark::StarkGenericConfig::pcs(&cfg);
        let trace = RowMajorMatrix::new((0..256u32).map(|i| BabyBear::from_u32(i * i + 3)).collect(), 4);
        let domain = TwoAdicMultiplicativeCoset::new(BabyBear::ONE, 6).unwrap();
        let (commit, tree) = pcs.commit_kept_on_device([(domain, trace)]).unwrap();
        let open = |fail_at: Option<usize>| {
            FAIL_AT_ROUND.set(fail_at);
            let mut challenger = DuplexChallenger::<BabyBear, _, 16, 8>::new(
                Poseidon2Constants::babybear_default_16().cpu_permutation(),
            );
            challenger.observe(commit.clone());
            let zeta = Challenge::<BabyBear>::from_u32(7);
            let opened =
                Pcs::<Challenge<BabyBear>, _>::open(pcs, vec![(&tree, vec![vec![zeta]]).into()], &mut challenger);
            FAIL_AT_ROUND.set(None);
            serde_json::to_vec(&opened.unwrap()).unwrap()
        };
        let undisturbed = open(None);
        assert_eq!(pcs.mmcs().last_device_error(), None);
        assert!(open(Some(2)) == undisturbed);
        assert_eq!(pcs.mmcs().last_device_error().as_deref(), Some("CUDA driver: injected failure in FRI round 2"));
    }
}
