//! `p3_uni_stark::prove`'s protocol, step for step (the same transcript, commitments, openings
//! and proof), with the quotient evaluated by a [`ConstraintProgram`] instead of the AIR's own
//! folder. The PCS is the configuration's: with [`crate::plonky3::config`] the LDEs, trees and
//! FRI run on cherenkov's engine.

use p3_air::symbolic::SymbolicAirBuilder;
use p3_air::Air;
use p3_challenger::GrindingChallenger;
use p3_commit::{Pcs, PolynomialSpace, UnivariateStarkPcs};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{BasedVectorSpace, PrimeField64, TwoAdicField};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use p3_uni_stark::{
    get_log_num_quotient_chunks_for_domain, AirLayout, Commitments, OpenedValues, Proof, QuotientAir,
    StarkGenericConfig, StarkOpeningLayout, StarkProverTranscript, StarkShape,
};

use std::any::Any;

use super::device::{quotient_chunks_in_place, quotient_values_in_place, quotient_values_on};
use super::memory::{check_fits, estimate};
use super::program::ConstraintProgram;
use crate::backend::Engine;
use crate::error::{Error, Result};
use crate::field::DeviceField;
use crate::merkle::MerkleTree;
use crate::ntt::NttField;
use crate::plonky3::grind::Grinding;
use crate::plonky3::FusedPcs;
use crate::poseidon2::Poseidon2Hasher;

/// The prover data of cherenkov's fused commit (`FusedPcs`), whose LDEs may lie on the device.
type LdeTree<F> = MerkleTree<F, RowMajorMatrix<F>>;
/// The configuration's PCS's prover data.
type PcsProverData<SC> = <<SC as StarkGenericConfig>::Pcs as Pcs<
    <SC as StarkGenericConfig>::Challenge,
    <SC as StarkGenericConfig>::Challenger,
>>::ProverData;

/// A proof of `trace` for `air`, equal byte for byte to `p3_uni_stark::prove(config, air, trace,
/// public_values)` (with proof-of-work grinding, to a one-thread stock run's: with cherenkov's
/// PCS and challenger every search returns the smallest witness on any schedule, see
/// `plonky3::grind`; with another PCS the challenger grinds its own way), accepted by
/// `p3_uni_stark::verify`. AIRs the constraint program cannot express (preprocessed or periodic
/// columns, extension-field constraints) give `InvalidArgument` before any work.
pub fn prove<SC, F, A>(config: &SC, air: &A, trace: RowMajorMatrix<F>, public_values: &[F]) -> Result<Proof<SC>>
where
    F: TwoAdicField + PrimeField64 + DeviceField<Repr = u32> + Poseidon2Hasher + NttField,
    SC: StarkGenericConfig,
    SC::Pcs: Pcs<SC::Challenge, SC::Challenger, Domain = TwoAdicMultiplicativeCoset<F>> + 'static,
    PcsProverData<SC>: 'static,
    p3_uni_stark::Com<SC>: 'static,
    SC::Challenger: GrindingChallenger<Witness = F> + 'static,
    A: Air<SymbolicAirBuilder<F>> + QuotientAir<SC>,
{
    prove_on(&Engine::Cpu, config, air, trace, public_values)
}

/// [`prove`] with the quotient evaluated on `engine` (on the cpu: p3-uni-stark's own, the AIR's
/// compiled `eval`; on a GPU engine: the program interpreted
/// by `kernels/stark/quotient.cuh`, the evaluations uploaded; the LDEs and trees are the
/// configuration's, so with [`crate::plonky3::config::on`] pass the same engine).
pub fn prove_on<SC, F, A>(
    engine: &Engine,
    config: &SC,
    air: &A,
    trace: RowMajorMatrix<F>,
    public_values: &[F],
) -> Result<Proof<SC>>
where
    F: TwoAdicField + PrimeField64 + DeviceField<Repr = u32> + Poseidon2Hasher + NttField,
    SC: StarkGenericConfig,
    SC::Pcs: Pcs<SC::Challenge, SC::Challenger, Domain = TwoAdicMultiplicativeCoset<F>> + 'static,
    PcsProverData<SC>: 'static,
    p3_uni_stark::Com<SC>: 'static,
    SC::Challenger: GrindingChallenger<Witness = F> + 'static,
    A: Air<SymbolicAirBuilder<F>> + QuotientAir<SC>,
{
    let program = ConstraintProgram::compile(air)?;
    prove_with_program(engine, config, air, &program, trace, public_values)
}

/// [`prove_on`] with the AIR's program compiled beforehand (it depends only on the AIR).
pub fn prove_with_program<SC, F, A>(
    engine: &Engine,
    config: &SC,
    air: &A,
    program: &ConstraintProgram<F>,
    trace: RowMajorMatrix<F>,
    public_values: &[F],
) -> Result<Proof<SC>>
where
    F: TwoAdicField + PrimeField64 + DeviceField<Repr = u32> + Poseidon2Hasher + NttField,
    SC: StarkGenericConfig,
    SC::Pcs: Pcs<SC::Challenge, SC::Challenger, Domain = TwoAdicMultiplicativeCoset<F>> + 'static,
    PcsProverData<SC>: 'static,
    p3_uni_stark::Com<SC>: 'static,
    SC::Challenger: GrindingChallenger<Witness = F> + 'static,
    A: Air<SymbolicAirBuilder<F>> + QuotientAir<SC>,
{
    if public_values.len() != program.num_public_values {
        return Err(Error::LengthMismatch {
            what: "public values (the AIR's num_public_values)",
            expected: program.num_public_values,
            got: public_values.len(),
        });
    }
    let degree = trace.height();
    if !degree.is_power_of_two() {
        return Err(Error::InvalidShape(format!("trace height {degree} is not a power of two")));
    }
    if trace.width() != program.width || air.width() != program.width {
        return Err(Error::InvalidShape(format!(
            "trace width {}, AIR width {}, program width {}",
            trace.width(),
            air.width(),
            program.width
        )));
    }
    // Device memory first: a device too small fails here, not halfway. With cherenkov's PCS
    // the LDEs are on the device too; with another, only the quotient's inputs.
    let fused = (config.pcs() as &dyn Any).downcast_ref::<FusedPcs<F>>();
    if let Engine::Gpu(_) = engine {
        check_fits(engine, estimate(engine, air, program, degree, fused.map(FusedPcs::log_blowup))?)?;
    }
    let log_degree = degree.trailing_zeros() as usize;
    let is_zk = config.is_zk();
    let log_ext_degree = log_degree + is_zk;
    let layout = AirLayout { main_width: air.width(), num_public_values: public_values.len(), ..Default::default() };

    let pcs = config.pcs();
    let trace_domain = pcs.natural_domain_for_degree(degree);
    let log_num_quotient_chunks = get_log_num_quotient_chunks_for_domain::<F, A>(air, layout, trace_domain, is_zk);
    let num_quotient_chunks = 1 << (log_num_quotient_chunks + is_zk);
    let mut challenger = config.initialise_challenger();
    let ext_trace_domain = pcs.natural_domain_for_degree(degree * (is_zk + 1));

    // With cherenkov's PCS on a device, the trace's LDE stays there for the quotient kernel.
    let (trace_commit, trace_data) = match (engine, fused) {
        (Engine::Gpu(_), Some(fused)) => {
            let kept: Box<dyn Any> = Box::new(fused.commit_kept_on_device([(ext_trace_domain, trace)])?);
            *kept.downcast::<(p3_uni_stark::Com<SC>, PcsProverData<SC>)>().map_err(|_| {
                Error::Verification("FusedPcs's commitment types differ from the configuration's".into())
            })?
        }
        _ => pcs.commit([(ext_trace_domain, trace)]).map_err(pcs_error("trace commitment"))?,
    };
    let shape = StarkShape::new::<F, A>(
        air,
        0,
        log_ext_degree,
        log_degree,
        num_quotient_chunks,
        SC::Pcs::ZK,
        config.ood_proof_of_work_bits(),
    );
    // With cherenkov's PCS, proof-of-work searches return the smallest witness on any schedule.
    let mut grinding = Grinding::new(&mut challenger, fused.map(FusedPcs::mmcs));
    let mut transcript =
        StarkProverTranscript::<Grinding<'_, SC::Challenger, F>, F, SC::Challenge>::new(&mut grinding, shape);
    let alpha = transcript.constraint_phase::<p3_uni_stark::Com<SC>>(trace_commit.clone(), None, public_values);

    let quotient_domain = ext_trace_domain.create_disjoint_domain(1 << (log_ext_degree + log_num_quotient_chunks));
    let trace_tree = (&trace_data as &dyn Any).downcast_ref::<LdeTree<F>>();
    // With cherenkov's PCS on a device (and no self-check, which samples host copies): the
    // quotient split, extended and committed where the kernel left it, next to the trace's LDE;
    // only the tree's digest layers come back.
    let resident = match (engine, fused, trace_tree) {
        (Engine::Gpu(gpu), Some(fused), Some(tree)) if gpu.self_check().is_none() => quotient_chunks_in_place(
            gpu,
            program,
            public_values,
            trace_domain,
            quotient_domain,
            tree,
            alpha,
            num_quotient_chunks,
        )
        .map(|chunks| -> Result<(p3_uni_stark::Com<SC>, PcsProverData<SC>)> {
            let domains = quotient_domain.split_domains(num_quotient_chunks);
            let evaluations = domains.into_iter().zip(chunks?).map(|(d, c)| (d, c, 4)).collect();
            let committed: Box<dyn Any> = Box::new(fused.commit_resident_kept(gpu, evaluations)?);
            committed
                .downcast()
                .map(|b| *b)
                .map_err(|_| Error::Verification("FusedPcs's commitment types differ from the configuration's".into()))
        }),
        _ => None,
    };
    let (quotient_commit, quotient_data) = match resident {
        Some(committed) => committed.inspect_err(|_| transcript.abort())?,
        None => {
            // On a device, the trace's LDE where cherenkov's fused commit left it; else the PCS's view.
            let in_place = match (engine, trace_tree) {
                (Engine::Gpu(gpu), Some(tree)) => {
                    quotient_values_in_place(gpu, program, public_values, trace_domain, quotient_domain, tree, alpha)
                }
                _ => None,
            };
            let quotient = in_place
                .unwrap_or_else(|| {
                    let trace_on_quotient_domain = pcs.get_evaluations_on_domain(&trace_data, 0, quotient_domain);
                    if let Engine::Cpu = engine {
                        // On the cpu the AIR's own `eval`, compiled by rustc over packed rows
                        // (p3-uni-stark's quotient), runs ~1.5× faster than interpreting the
                        // program; the program is what a device runs.
                        return Ok(p3_uni_stark::quotient_values::<SC, A, _>(
                            pcs,
                            air,
                            public_values,
                            layout,
                            trace_domain,
                            quotient_domain,
                            &trace_on_quotient_domain,
                            None,
                            alpha,
                        ));
                    }
                    quotient_values_on(
                        engine,
                        program,
                        public_values,
                        trace_domain,
                        quotient_domain,
                        &trace_on_quotient_domain,
                        alpha,
                    )
                })
                .inspect_err(|_| transcript.abort())?;
            let quotient_flat = flatten::<F, SC::Challenge>(&quotient);
            pcs.commit_quotient(quotient_domain, quotient_flat, num_quotient_chunks)
                .inspect_err(|_| transcript.abort())
                .map_err(pcs_error("quotient commitment"))?
        }
    };

    let (r_commit, r_data) = if SC::Pcs::ZK {
        let (c, d) = pcs
            .get_opt_randomization_poly_commitment(core::iter::once(ext_trace_domain))
            .inspect_err(|_| transcript.abort())
            .map_err(pcs_error("randomization commitment"))?
            .ok_or_else(|| Error::Verification("a ZK PCS gave no randomization commitment".into()))?;
        (Some(c), Some(d))
    } else {
        (None, None)
    };
    let commitments = Commitments { trace: trace_commit, quotient_chunks: quotient_commit, random: r_commit.clone() };
    let (zeta, ood_pow_witness) =
        transcript.ood_phase::<p3_uni_stark::Com<SC>>(commitments.quotient_chunks.clone(), r_commit);
    let ood_pow_witness = ood_pow_witness.unwrap_or(F::ZERO);
    let zeta_next = trace_domain.next_point(zeta).ok_or_else(|| Error::Verification("no next point".into()))?;

    let main_next = !air.main_next_row_columns().is_empty();
    let opening_layout = StarkOpeningLayout::new(SC::Pcs::ZK);
    let round0 = r_data.as_ref().map(|r| (r, vec![vec![zeta]]));
    let trace_points = if main_next { vec![zeta, zeta_next] } else { vec![zeta] };
    let rounds = round0
        .into_iter()
        .chain([(&trace_data, vec![trace_points]), (&quotient_data, vec![vec![zeta]; num_quotient_chunks])])
        .map(Into::into)
        .collect();
    let (opened, opening_proof) = transcript
        .delegate(|grinding| pcs.open_with_preprocessing(rounds, grinding.inner(), None))
        .inspect_err(|_| transcript.abort())
        .map_err(pcs_error("opening"))?;
    transcript.finish();

    let trace_opened = &opened[opening_layout.trace][0];
    let opened_values = OpenedValues {
        trace_local: trace_opened[0].clone(),
        trace_next: main_next.then(|| trace_opened[1].clone()),
        preprocessed: None,
        quotient_chunks: opened[opening_layout.quotient].iter().map(|v| v[0].clone()).collect(),
        random: r_data.is_some().then(|| opened[0][0][0].clone()),
    };
    Ok(Proof { commitments, opened_values, opening_proof, degree_bits: log_ext_degree, ood_pow_witness })
}

/// A PCS failure in `phase`, as the error the prover returns.
fn pcs_error<E: std::fmt::Debug>(phase: &'static str) -> impl Fn(E) -> Error {
    move |e| Error::Verification(format!("{phase}: {e:?}"))
}

/// The quotient's values as a matrix of base-field coefficients (one row a point, D columns),
/// as `RowMajorMatrix::new_col(..).flatten_to_base()` lays them out.
fn flatten<F: TwoAdicField, EF: BasedVectorSpace<F> + Copy>(values: &[EF]) -> RowMajorMatrix<F> {
    let flat: Vec<F> = values.iter().flat_map(|v| v.as_basis_coefficients_slice().to_vec()).collect();
    RowMajorMatrix::new(flat, EF::DIMENSION)
}
