//! NTTs and low-degree extensions of the columns of row-major matrices.

use std::ffi::c_void;

use cherenkov::field::{BabyBear, Bn254Fr, KoalaBear};
use cherenkov::ntt::{self, Direction, NttField, Order, Transform};

use crate::engine::{engine_ref, ChkEngine};
use crate::field::{
    read_all, read_one, write_all, Element, Encoding, CHK_FIELD_BABYBEAR, CHK_FIELD_BABYBEAR4, CHK_FIELD_BN254_FR,
    CHK_FIELD_KOALABEAR, CHK_FIELD_KOALABEAR4,
};
use crate::status::{
    guarded, slice, slice_mut, times, ChkStatus, Failure, FfiResult, CHK_ERR_INVALID_ARGUMENT, CHK_ERR_LENGTH,
    CHK_ERR_SIZE,
};

/// Coefficients → evaluations.
pub const CHK_NTT_FORWARD: u32 = 0;
/// Evaluations → coefficients (scaled by 1/n).
pub const CHK_NTT_INVERSE: u32 = 1;

/// Flag: the input rows are in bit-reversed order.
pub const CHK_NTT_BITREV_INPUT: u32 = 1;
/// Flag: write the output rows in bit-reversed order.
pub const CHK_NTT_BITREV_OUTPUT: u32 = 2;

/// What one call works on: the engine, the encoding, and the matrix shape in base-field columns.
struct Call<'a> {
    engine: &'a cherenkov::Engine,
    enc: Encoding,
    /// Field elements in the matrix, and columns, as the caller counts them.
    len: usize,
    width: usize,
}

impl Call<'_> {
    /// Words of `len` elements, and the base-field width, after checking the shape; `degree` is
    /// the base-field coordinates per element (4 for the extensions, else 1).
    fn shape<F: Element>(&self, degree: usize) -> FfiResult<(usize, usize)> {
        if self.width == 0 {
            return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, "width is 0"));
        }
        if !self.len.is_multiple_of(self.width) {
            return Err(Failure::new(
                CHK_ERR_LENGTH,
                format!("{} elements are not whole rows of width {}", self.len, self.width),
            ));
        }
        let words = times(times(self.len, degree, "len")?, F::WORDS, "len")?;
        Ok((words, self.width * degree))
    }
}

/// Reads the coset shift: null means 1 (the subgroup itself).
///
/// # Safety
/// `shift` must be null or point to one element.
unsafe fn shift<F: Element + NttField>(shift: *const c_void, enc: Encoding) -> FfiResult<F> {
    if shift.is_null() {
        return Ok(F::one());
    }
    // SAFETY: forwarded.
    read_one(unsafe { slice(shift.cast::<F::Word>(), F::WORDS, "shift") }?, enc, "shift")
}

/// Calls `$f::<Base>(degree)` for the field code.
macro_rules! by_field {
    ($field:expr, $f:ident, $($arg:expr),*) => {
        match $field {
            CHK_FIELD_BABYBEAR => $f::<BabyBear>(1, $($arg),*),
            CHK_FIELD_KOALABEAR => $f::<KoalaBear>(1, $($arg),*),
            CHK_FIELD_BABYBEAR4 => $f::<BabyBear>(4, $($arg),*),
            CHK_FIELD_KOALABEAR4 => $f::<KoalaBear>(4, $($arg),*),
            CHK_FIELD_BN254_FR => $f::<Bn254Fr>(1, $($arg),*),
            other => Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown field {other}"))),
        }
    };
}

/// Transforms every column of the row-major matrix `data` (`len` elements, `width` columns, so
/// `len / width` rows: a power of two up to the field's two-adicity) in place, on the coset
/// `shift · H` (`shift` null: H itself; one base-field element in `encoding`). `direction` is
/// `CHK_NTT_FORWARD` or `CHK_NTT_INVERSE`; `flags` any of `CHK_NTT_BITREV_INPUT`,
/// `CHK_NTT_BITREV_OUTPUT`. Equal to Plonky3's `dft_batch`/`coset_dft_batch`/`idft_batch`
/// (extension fields: column by column over the base field) and arkworks' FFT, bit for bit.
///
/// `data` holds elements of `field` in `encoding` (see `CHK_FIELD_` for the words an element
/// takes), aligned to its word. On an error `data` is unchanged. `len` = 0 (any width ≥ 1) is
/// an empty batch and returns `CHK_OK`, as `chk_poseidon2_permute` and `chk_msm_g1` do; a
/// coset shift of 0 is `CHK_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `engine` null or live; `data` null or valid for `len` elements; `shift` null or one element.
#[no_mangle]
pub unsafe extern "C" fn chk_ntt(
    engine: *const ChkEngine,
    field: u32,
    encoding: u32,
    data: *mut c_void,
    len: usize,
    width: usize,
    direction: u32,
    flags: u32,
    coset_shift: *const c_void,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let call = Call { engine: unsafe { engine_ref(engine) }?, enc: Encoding::from_code(encoding)?, len, width };
        let direction = match direction {
            CHK_NTT_FORWARD => Direction::Forward,
            CHK_NTT_INVERSE => Direction::Inverse,
            d => return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown direction {d}"))),
        };
        let (input, output) = orders(flags, CHK_NTT_BITREV_INPUT | CHK_NTT_BITREV_OUTPUT)?;
        by_field!(field, ntt_typed, call, data, direction, input, output, coset_shift)
    })
}

fn orders(flags: u32, allowed: u32) -> FfiResult<(Order, Order)> {
    if flags & !allowed != 0 {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown flags {flags:#x}")));
    }
    let order = |bit| if flags & bit != 0 { Order::BitReversed } else { Order::Natural };
    Ok((order(CHK_NTT_BITREV_INPUT), order(CHK_NTT_BITREV_OUTPUT)))
}

#[allow(clippy::too_many_arguments)]
fn ntt_typed<F: Element + NttField>(
    degree: usize,
    call: Call<'_>,
    data: *mut c_void,
    direction: Direction,
    input: Order,
    output: Order,
    coset_shift: *const c_void,
) -> FfiResult {
    let (words, base_width) = call.shape::<F>(degree)?;
    // SAFETY: the caller vouches for `data` and `shift` (see chk_ntt).
    let data = unsafe { slice_mut(data.cast::<F::Word>(), words, "data") }?;
    let shift = unsafe { shift::<F>(coset_shift, call.enc) }?;
    if words == 0 {
        return Ok(()); // an empty batch, as for permute and MSM: nothing to transform
    }
    let values = read_all::<F>(data, call.enc, "data")?;
    let t = Transform::new(direction).coset(shift).orders(input, output);
    let result = ntt::transform_batch(call.engine, values, base_width, t)?;
    write_all(&result, call.enc, data);
    Ok(())
}

/// Low-degree extension: the columns of `input` (`len` elements, `width` columns) are
/// evaluations on the subgroup H of order `len / width`; writes the evaluations of the same
/// polynomials on `shift · K`, K of order `(len / width) << added_bits`, to `output`
/// (`output_len` must be `len << added_bits`), natural order or, with `CHK_NTT_BITREV_OUTPUT`,
/// bit-reversed. `shift` null means 1 (0 is `CHK_ERR_INVALID_ARGUMENT`). `len` = 0 is an empty
/// batch (`output_len` 0, `CHK_OK`). Plonky3's `coset_lde_batch`, bit for bit.
///
/// # Safety
/// `engine` null or live; `input` valid for `len` elements, `output` for `output_len` (not
/// overlapping); `shift` null or one element.
#[no_mangle]
pub unsafe extern "C" fn chk_lde(
    engine: *const ChkEngine,
    field: u32,
    encoding: u32,
    input: *const c_void,
    len: usize,
    width: usize,
    added_bits: u32,
    coset_shift: *const c_void,
    flags: u32,
    output: *mut c_void,
    output_len: usize,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let call = Call { engine: unsafe { engine_ref(engine) }?, enc: Encoding::from_code(encoding)?, len, width };
        let (_, order) = orders(flags, CHK_NTT_BITREV_OUTPUT)?;
        let expected = len
            .checked_shl(added_bits)
            .filter(|l| added_bits < usize::BITS && l >> added_bits == len)
            .ok_or_else(|| Failure::new(CHK_ERR_SIZE, format!("{len} elements << {added_bits} overflows")))?;
        if output_len != expected {
            return Err(Failure::new(
                CHK_ERR_LENGTH,
                format!("output holds {output_len} elements, the LDE has {expected}"),
            ));
        }
        by_field!(field, lde_typed, call, input, added_bits, coset_shift, order, output, output_len)
    })
}

#[allow(clippy::too_many_arguments)]
fn lde_typed<F: Element + NttField>(
    degree: usize,
    call: Call<'_>,
    input: *const c_void,
    added_bits: u32,
    coset_shift: *const c_void,
    order: Order,
    output: *mut c_void,
    output_len: usize,
) -> FfiResult {
    let (words, base_width) = call.shape::<F>(degree)?;
    // The LDE's height is checked before `output` is looked at, so a huge `output_len` with a
    // small buffer never becomes a slice.
    let height = call.len / call.width;
    if height.is_power_of_two() && height.trailing_zeros() as usize + added_bits as usize > F::TWO_ADICITY {
        return Err(Failure::new(
            CHK_ERR_SIZE,
            format!(
                "an LDE to 2^{} rows exceeds the field's two-adicity 2^{}",
                height.trailing_zeros() + added_bits,
                F::TWO_ADICITY
            ),
        ));
    }
    let out_words = times(times(output_len, degree, "output_len")?, F::WORDS, "output_len")?;
    // SAFETY: the caller vouches for the buffers and the shift (see chk_lde).
    let input = unsafe { slice(input.cast::<F::Word>(), words, "input") }?;
    let shift = unsafe { shift::<F>(coset_shift, call.enc) }?;
    let values = read_all::<F>(input, call.enc, "input")?;
    let output = unsafe { slice_mut(output.cast::<F::Word>(), out_words, "output") }?;
    if words == 0 {
        return Ok(()); // an empty batch: no rows in, none out (output_len is 0 too)
    }
    let result = ntt::coset_lde_batch(call.engine, values, base_width, added_bits as usize, shift, order)?;
    write_all(&result, call.enc, output);
    Ok(())
}
