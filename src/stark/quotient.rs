//! The quotient on the cpu: a [`ConstraintProgram`] run over blocks of rows of the trace's
//! evaluations on the quotient domain, its constraints folded with powers of α and divided by
//! the vanishing polynomial. Equal to `p3_uni_stark::quotient_values` for the same inputs.
//!
//! Each instruction runs over `LANES` packed vectors (`LANES · F::Packing::WIDTH` rows), so the
//! interpreter's dispatch is paid once per block, not per row.

use p3_commit::{LagrangeSelectors, PolynomialSpace};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{ExtensionField, Field, PackedValue, PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::{Dimensions, Matrix};
use rayon::prelude::*;

use super::program::{ConstraintProgram, Op};
use crate::error::{Error, Result};

/// Packed vectors an instruction runs over.
const LANES: usize = 4;

/// The quotient's evaluations on `quotient_domain`: for each point x,
/// (Σᵢ α^(n−1−i) · Cᵢ(x)) / Z_H(x), with `trace_on_quotient_domain` the main trace's
/// evaluations there (row `i + step` is the next row of row `i`, `step` = quotient size /
/// trace size) and H = `trace_domain`.
pub fn quotient_values<F, EF, M>(
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    trace_on_quotient_domain: &M,
    alpha: EF,
) -> Result<Vec<EF>>
where
    F: TwoAdicField,
    EF: ExtensionField<F>,
    M: Matrix<F> + Sync,
{
    check_inputs(program, public_values, quotient_domain.size(), trace_on_quotient_domain.dimensions())?;
    let size = quotient_domain.size();
    let step = size / trace_domain.size();
    let sels = trace_domain.selectors_on_coset(quotient_domain);

    let coefficients = fold_coefficients(program.constraints, alpha);

    let block = LANES * F::Packing::WIDTH;
    let mut out = EF::zero_vec(size);
    out.par_chunks_mut(block).enumerate().for_each_init(
        || Block::<F>::new(program, public_values, EF::DIMENSION),
        |state, (i, chunk)| {
            let start = i * block;
            state.load(program, &sels, trace_on_quotient_domain, start, step);
            state.run::<EF>(program, &coefficients);
            state.finish(&sels.inv_vanishing[start..start + chunk.len()], chunk);
        },
    );
    Ok(out)
}

/// What both backends check first: the public values and the shape of the trace's evaluations.
pub(super) fn check_inputs<F: Field>(
    program: &ConstraintProgram<F>,
    public_values: &[F],
    size: usize,
    Dimensions { width, height }: Dimensions,
) -> Result<()> {
    if public_values.len() != program.num_public_values {
        return Err(Error::LengthMismatch {
            what: "public values",
            expected: program.num_public_values,
            got: public_values.len(),
        });
    }
    if width != program.width || height != size {
        return Err(Error::InvalidShape(format!(
            "trace on the quotient domain is {height} × {width}, the program reads {size} × {}",
            program.width
        )));
    }
    Ok(())
}

/// α^(n−1−i) for constraint i as its D base-field coefficients (`[i·D + d]`): the fold is then
/// D base-field products per constraint and row, as p3-uni-stark folds.
pub(super) fn fold_coefficients<F: Field, EF: ExtensionField<F>>(constraints: usize, alpha: EF) -> Vec<F> {
    let mut powers: Vec<EF> = alpha.powers().take(constraints).collect();
    powers.reverse();
    powers.iter().flat_map(|p| p.as_basis_coefficients_slice().to_vec()).collect()
}

/// One worker's slots (`slots[s · LANES + l]` is slot `s` for lane `l`) and the fold's D
/// base-field coefficients (`acc[d · LANES + l]`).
struct Block<F: Field> {
    slots: Vec<F::Packing>,
    acc: Vec<F::Packing>,
}

impl<F: Field> Block<F> {
    fn new(program: &ConstraintProgram<F>, public_values: &[F], dimension: usize) -> Self {
        let mut slots = vec![F::Packing::ZERO; program.slots() * LANES];
        let fixed = program.constants.iter().chain(public_values);
        for (s, &c) in fixed.enumerate() {
            slots[s * LANES..(s + 1) * LANES].fill(c.into());
        }
        Self { slots, acc: vec![F::Packing::ZERO; dimension * LANES] }
    }

    /// The selectors and the local and next rows of rows `start..start + block` (past the
    /// end: rows wrap, and their results are not kept).
    fn load<M: Matrix<F>>(
        &mut self,
        program: &ConstraintProgram<F>,
        sels: &LagrangeSelectors<Vec<F>>,
        trace: &M,
        start: usize,
        step: usize,
    ) {
        let w = F::Packing::WIDTH;
        let (h, width) = (trace.height(), trace.width());
        for l in 0..LANES {
            let r = start + l * w;
            let sel = |v: &[F]| F::Packing::from_fn(|k| v[(r + k) % h]);
            for (j, v) in [&sels.is_first_row, &sels.is_last_row, &sels.is_transition].into_iter().enumerate() {
                self.slots[(program.selector_base() + j) * LANES + l] = sel(v);
            }
            for (base, first) in [(program.local_base(), r), (program.next_base(), r + step)] {
                // Row by row into lane k of each column's packed value: a plain strided store
                // (p3-matrix's `vertically_packed_row` iterator chain was half of this loop's time).
                let slots = &mut self.slots[base * LANES..][..width * LANES];
                for k in 0..w {
                    let row = trace.row_slice((first + k) % h).expect("row < height");
                    for (s, &x) in slots.chunks_exact_mut(LANES).zip(&row[..width]) {
                        s[l].as_slice_mut()[k] = x;
                    }
                }
            }
        }
    }

    fn run<EF: ExtensionField<F>>(&mut self, program: &ConstraintProgram<F>, coefficients: &[F]) {
        let (s, acc) = (&mut self.slots, &mut self.acc);
        acc.fill(F::Packing::ZERO);
        for ins in &program.instrs {
            let (d, a, b) = (ins.dst as usize * LANES, ins.a as usize * LANES, ins.b as usize * LANES);
            let x: [F::Packing; LANES] = std::array::from_fn(|l| s[a + l]);
            let r: [F::Packing; LANES] = match ins.op {
                Op::Add => std::array::from_fn(|l| x[l] + s[b + l]),
                Op::Sub => std::array::from_fn(|l| x[l] - s[b + l]),
                Op::Mul => std::array::from_fn(|l| x[l] * s[b + l]),
                Op::Neg => std::array::from_fn(|l| -x[l]),
                Op::Fold => {
                    let c = &coefficients[ins.dst as usize * EF::DIMENSION..][..EF::DIMENSION];
                    for (k, &c) in c.iter().enumerate() {
                        for l in 0..LANES {
                            acc[k * LANES + l] += x[l] * c;
                        }
                    }
                    continue;
                }
            };
            s[d..d + LANES].copy_from_slice(&r);
        }
    }

    /// `out[k]` = (Σᵢ α^(n−1−i) · Cᵢ) / Z_H for row `start + k`.
    fn finish<EF: ExtensionField<F>>(&self, inv_vanishing: &[F], out: &mut [EF]) {
        let w = F::Packing::WIDTH;
        for (k, (q, &inv)) in out.iter_mut().zip(inv_vanishing).enumerate() {
            let (l, i) = (k / w, k % w);
            *q = EF::from_basis_coefficients_fn(|d| self.acc[d * LANES + l].as_slice()[i]) * inv;
        }
    }
}
