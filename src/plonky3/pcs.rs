//! [`FusedPcs`]: Plonky3's `TwoAdicFriPcs` over cherenkov's [`Dft`] and [`Mmcs`] whose commits
//! (`commit`, `commit_preprocessing`, `commit_quotient`) take the fused LDE→commit path
//! ([`Mmcs::commit_lde`]): on a device each LDE is hashed where the NTT left it and copied back
//! once, instead of p3-fri's DFT-then-MMCS, which moves every LDE down and up again. The result
//! is the inner PCS's to the bit (commitment, prover data, hence proofs); every other method is
//! the inner PCS's own.

use p3_challenger::{CanObserve, FieldChallenger, GrindingChallenger};
use p3_commit::{ExtensionMmcs, OpeningRequest, Pcs, PeriodicLdeTable, PolynomialSpace, UnivariateStarkPcs};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::extension::BinomiallyExtendable;
use p3_field::{PrimeField64, TwoAdicField};
use p3_fri::{FriParameters, FriProverError, TwoAdicFriPcs};
use p3_matrix::dense::RowMajorMatrix;

use super::config::{Challenge, ChallengeMmcs, FriSettings};
use super::open::OpeningProof;
use super::{Commitment, Dft, LdeTree, Mmcs};
use crate::backend::{DeviceBuffer, Engine, Gpu};
use crate::merkle;
use crate::ntt::NttField;
use crate::poseidon2::Poseidon2Hasher;

/// The PCS it wraps.
pub type InnerPcs<F> = TwoAdicFriPcs<F, Dft, Mmcs<F>, ChallengeMmcs<F>>;

/// `TwoAdicFriPcs<F, Dft, Mmcs<F>, ChallengeMmcs<F>>` with fused commits (see the module docs).
#[derive(Debug, Clone)]
pub struct FusedPcs<F: Poseidon2Hasher> {
    inner: InnerPcs<F>,
    mmcs: Mmcs<F>,
    fri: FriParameters<ChallengeMmcs<F>>,
}

impl<F: Poseidon2Hasher> FusedPcs<F> {
    /// Its FRI blowup, log2.
    pub fn log_blowup(&self) -> usize {
        self.fri.log_blowup
    }
    /// The MMCS its commits run on (its engine, its record of device failures recovered from).
    pub fn mmcs(&self) -> &Mmcs<F> {
        &self.mmcs
    }
    /// Its FRI parameters.
    pub fn fri(&self) -> &FriParameters<ChallengeMmcs<F>> {
        &self.fri
    }
}

impl<F: Poseidon2Hasher + NttField + TwoAdicField> FusedPcs<F> {
    /// As `TwoAdicFriPcs::new(dft, mmcs, fri.parameters(ExtensionMmcs::new(mmcs)))`: FRI's
    /// commit-phase trees are committed by the same MMCS (on its device, they stay there).
    pub fn new(dft: Dft, mmcs: Mmcs<F>, fri: &FriSettings) -> Self {
        let fri = fri.parameters(ExtensionMmcs::new(mmcs.clone()));
        Self { inner: TwoAdicFriPcs::new(dft, mmcs.clone(), fri.clone()), mmcs, fri }
    }

    pub fn inner(&self) -> &InnerPcs<F> {
        &self.inner
    }

    /// `Pcs::commit`, the LDEs also kept on the device (see
    /// [`Mmcs::commit_lde_kept_on_device`]): how `cherenkov::stark` commits the trace, whose LDE
    /// its quotient kernel then reads in place. Bad batches are errors.
    pub fn commit_kept_on_device(
        &self,
        evaluations: impl IntoIterator<Item = (TwoAdicMultiplicativeCoset<F>, RowMajorMatrix<F>)>,
    ) -> crate::Result<(Commitment<F>, LdeTree<F>)> {
        self.mmcs.commit_lde_kept_on_device(evaluations, self.log_blowup())
    }

    /// [`FusedPcs::commit_kept_on_device`] of evaluations that already lie on `gpu` (each over
    /// its domain: rows of `width` device words), as the STARK prover's quotient chunks do.
    /// Kept on this PCS's device, or an error: nothing is recomputed on the cpu (the
    /// evaluations are on the device only).
    pub(crate) fn commit_resident_kept(
        &self,
        gpu: &Gpu,
        evaluations: Vec<(TwoAdicMultiplicativeCoset<F>, DeviceBuffer<u32>, usize)>,
    ) -> crate::Result<(Commitment<F>, LdeTree<F>)> {
        match self.mmcs.engine() {
            Engine::Gpu(g) if g.same_device(gpu) => {}
            _ => return Err(crate::Error::InvalidArgument("evaluations on another device than the PCS's".into())),
        }
        let evaluations = evaluations.into_iter().map(|(d, buf, w)| (d.shift(), buf, w)).collect();
        let tree = merkle::commit_resident_ldes_kept(gpu, self.mmcs.constants(), evaluations, self.log_blowup())?;
        Ok((tree.cap(self.mmcs.cap_height())?, tree))
    }

    fn commit_fused(
        &self,
        evaluations: impl IntoIterator<Item = (TwoAdicMultiplicativeCoset<F>, RowMajorMatrix<F>)>,
    ) -> (Commitment<F>, LdeTree<F>) {
        // The trait's error type is p3-fri's, which has no variant for a bad batch; the stock
        // commit asserts on the same inputs.
        self.mmcs
            .commit_lde(evaluations, self.log_blowup())
            .unwrap_or_else(|e| panic!("cherenkov::plonky3::FusedPcs::commit: {e}"))
    }
}

impl<F, Challenger> Pcs<Challenge<F>, Challenger> for FusedPcs<F>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + PrimeField64 + BinomiallyExtendable<4>,
    Challenger: FieldChallenger<F> + CanObserve<Commitment<F>> + GrindingChallenger<Witness = F> + Clone + 'static,
{
    type Domain = TwoAdicMultiplicativeCoset<F>;
    type Commitment = Commitment<F>;
    type ProverData = LdeTree<F>;
    type Proof = OpeningProof<F>;
    type Error = <InnerPcs<F> as Pcs<Challenge<F>, Challenger>>::Error;
    type ProverError = FriProverError;

    fn natural_domain_for_degree(&self, degree: usize) -> Self::Domain {
        Pcs::<Challenge<F>, Challenger>::natural_domain_for_degree(&self.inner, degree)
    }

    fn commit(
        &self,
        evaluations: impl IntoIterator<Item = (Self::Domain, RowMajorMatrix<F>)>,
    ) -> Result<(Self::Commitment, Self::ProverData), Self::ProverError> {
        Ok(self.commit_fused(evaluations))
    }

    fn open(
        &self,
        requests: Vec<OpeningRequest<'_, Self::ProverData, Challenge<F>>>,
        challenger: &mut Challenger,
    ) -> Result<(p3_commit::OpenedValues<Challenge<F>>, Self::Proof), Self::ProverError> {
        self.open_requests(requests, challenger)
    }

    fn verify(
        &self,
        commitments: Vec<p3_commit::CommitmentOpening<Challenge<F>, Self::Commitment, Self::Domain>>,
        proof: &Self::Proof,
        challenger: &mut Challenger,
    ) -> Result<(), Self::Error> {
        self.inner.verify(commitments, proof, challenger)
    }
}

impl<F, Challenger> UnivariateStarkPcs<Challenge<F>, Challenger> for FusedPcs<F>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + PrimeField64 + BinomiallyExtendable<4>,
    Challenger: FieldChallenger<F> + CanObserve<Commitment<F>> + GrindingChallenger<Witness = F> + Clone + 'static,
{
    type EvaluationsOnDomain<'a> =
        <InnerPcs<F> as UnivariateStarkPcs<Challenge<F>, Challenger>>::EvaluationsOnDomain<'a>;

    const ZK: bool = <InnerPcs<F> as UnivariateStarkPcs<Challenge<F>, Challenger>>::ZK;

    fn log_max_trace_height(&self) -> usize {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::log_max_trace_height(&self.inner)
    }

    fn log_min_trace_height(&self) -> usize {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::log_min_trace_height(&self.inner)
    }

    fn commit_preprocessing(
        &self,
        evaluations: impl IntoIterator<Item = (Self::Domain, RowMajorMatrix<F>)>,
    ) -> Result<(Self::Commitment, Self::ProverData), Self::ProverError> {
        Ok(self.commit_fused(evaluations))
    }

    /// The inner PCS's split into `num_chunks` sub-domains, then one fused commit of their LDEs
    /// (its default computes the LDEs, then commits them).
    fn commit_quotient(
        &self,
        quotient_domain: Self::Domain,
        quotient_evaluations: RowMajorMatrix<F>,
        num_chunks: usize,
    ) -> Result<(Self::Commitment, Self::ProverData), Self::ProverError> {
        let sub_evaluations = quotient_domain.split_evals(num_chunks, quotient_evaluations);
        let sub_domains = quotient_domain.split_domains(num_chunks);
        Ok(self.commit_fused(sub_domains.into_iter().zip(sub_evaluations)))
    }

    fn get_quotient_ldes(
        &self,
        evaluations: impl IntoIterator<Item = (Self::Domain, RowMajorMatrix<F>)>,
        num_chunks: usize,
    ) -> Result<Vec<RowMajorMatrix<F>>, Self::ProverError> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::get_quotient_ldes(&self.inner, evaluations, num_chunks)
    }

    fn commit_ldes(
        &self,
        ldes: Vec<RowMajorMatrix<F>>,
    ) -> Result<(Self::Commitment, Self::ProverData), Self::ProverError> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::commit_ldes(&self.inner, ldes)
    }

    fn get_evaluations_on_domain<'a>(
        &self,
        prover_data: &'a Self::ProverData,
        idx: usize,
        domain: Self::Domain,
    ) -> Self::EvaluationsOnDomain<'a> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::get_evaluations_on_domain(&self.inner, prover_data, idx, domain)
    }

    fn get_evaluations_on_domain_no_random<'a>(
        &self,
        prover_data: &'a Self::ProverData,
        idx: usize,
        domain: Self::Domain,
    ) -> Self::EvaluationsOnDomain<'a> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::get_evaluations_on_domain_no_random(
            &self.inner,
            prover_data,
            idx,
            domain,
        )
    }

    fn open_with_preprocessing(
        &self,
        requests: Vec<OpeningRequest<'_, Self::ProverData, Challenge<F>>>,
        challenger: &mut Challenger,
        preprocessed: Option<usize>,
    ) -> Result<(p3_commit::OpenedValues<Challenge<F>>, Self::Proof), Self::ProverError> {
        // Not ZK: the trait's default, `open`, with the fused PCS's openings.
        let _ = preprocessed;
        self.open_requests(requests, challenger)
    }

    fn verify_with_preprocessing(
        &self,
        rounds: Vec<p3_commit::CommitmentOpening<Challenge<F>, Self::Commitment, Self::Domain>>,
        proof: &Self::Proof,
        challenger: &mut Challenger,
        preprocessed: Option<usize>,
    ) -> Result<(), Self::Error> {
        self.inner.verify_with_preprocessing(rounds, proof, challenger, preprocessed)
    }

    fn get_opt_randomization_poly_commitment(
        &self,
        domains: impl IntoIterator<Item = Self::Domain>,
    ) -> Result<Option<(Self::Commitment, Self::ProverData)>, Self::ProverError> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::get_opt_randomization_poly_commitment(&self.inner, domains)
    }

    fn build_periodic_lde_table(
        &self,
        periodic_cols: &[Vec<F>],
        trace_domain: Self::Domain,
        quotient_domain: Self::Domain,
    ) -> PeriodicLdeTable<F> {
        UnivariateStarkPcs::<Challenge<F>, Challenger>::build_periodic_lde_table(
            &self.inner,
            periodic_cols,
            trace_domain,
            quotient_domain,
        )
    }
}
