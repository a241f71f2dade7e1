//! How much device memory a proof takes, known before it starts: [`device_bytes`], which
//! [`super::prove_on`] checks against the device so that a device too small gives
//! `OutOfMemory` before any work rather than a failure halfway.

use p3_air::symbolic::SymbolicAirBuilder;
use p3_air::Air;
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::TwoAdicField;
use p3_uni_stark::{get_log_num_quotient_chunks_for_domain, AirLayout};

use super::program::ConstraintProgram;
use crate::backend::device::byte_len;
use crate::backend::{plan, Engine};
use crate::error::{Error, Result};
use crate::poseidon2::DIGEST;

/// Words of an element of the degree-4 extension.
const EXT_WORDS: usize = 4;

/// The device memory, in bytes, that proving a trace of `height` rows of `air` takes on
/// `engine` with [`super::prove_on`] and [`crate::plonky3::config::on`] at FRI blowup
/// 2^log_blowup (0 on the cpu). An estimate of the peak from what each step holds, plus 1/16
/// and 1 MiB of slack:
///
/// - the trace's LDE, kept on the device for the whole proof (the quotient reads it there), and
///   the quotient chunks' LDE, counted as kept too (it lives through its commit);
/// - the largest of the steps' transients: a commit's input and digest layers (and its NTT's
///   twiddles, one LDE height of words), the quotient's program, Z_H table, temporaries and
///   output, FRI's codewords (kept through the query phase) with a round's fold and tree.
///
/// Heights overflowing the address space are `SizeOverflow`.
pub fn device_bytes<F, A>(
    engine: &Engine,
    air: &A,
    program: &ConstraintProgram<F>,
    height: usize,
    log_blowup: usize,
) -> Result<usize>
where
    F: TwoAdicField,
    A: Air<SymbolicAirBuilder<F>>,
{
    estimate(engine, air, program, height, Some(log_blowup))
}

/// [`device_bytes`]; with `log_blowup` `None` (a PCS other than cherenkov's, whose LDEs stay on
/// the host) only the quotient's, its evaluations uploaded.
pub(super) fn estimate<F, A>(
    engine: &Engine,
    air: &A,
    program: &ConstraintProgram<F>,
    height: usize,
    log_blowup: Option<usize>,
) -> Result<usize>
where
    F: TwoAdicField,
    A: Air<SymbolicAirBuilder<F>>,
{
    let Engine::Gpu(gpu) = engine else { return Ok(0) };
    if !height.is_power_of_two() {
        return Err(Error::InvalidShape(format!("trace height {height} is not a power of two")));
    }
    let log_height = height.trailing_zeros() as usize;
    let trace_domain = TwoAdicMultiplicativeCoset::new(F::ONE, log_height)
        .ok_or(Error::HeightTooLarge { log_height, max_log_height: F::TWO_ADICITY })?;
    let layout =
        AirLayout { main_width: program.width, num_public_values: program.num_public_values, ..Default::default() };
    let log_chunks = get_log_num_quotient_chunks_for_domain::<F, A>(air, layout, trace_domain, 0);
    let overflow = || Error::SizeOverflow(format!("device memory of a 2^{log_height}-row proof"));
    let words = |factors: &[usize]| factors.iter().try_fold(1usize, |a, &f| a.checked_mul(f)).ok_or_else(overflow);
    let sum = |terms: &[usize]| terms.iter().try_fold(0usize, |a, &t| a.checked_add(t)).ok_or_else(overflow);

    let quotient_size =
        height.checked_shl(log_chunks as u32).filter(|q| q >> log_chunks == height).ok_or_else(overflow)?;
    let threads = plan::elementwise(quotient_size as u64, &gpu.props())
        .map_or(0, |(grid, block)| (grid.volume() * block.volume()) as usize);
    let quotient = sum(&[
        words(&[program.instrs.len(), 4])?,
        program.constants.len() + program.num_public_values,
        2 << log_chunks, // Z_H's values on the quotient domain and their inverses
        words(&[program.temporaries.max(1), threads])?,
        words(&[program.constraints, EXT_WORDS])?,
        words(&[quotient_size, EXT_WORDS])?,
    ])?;
    let Some(log_blowup) = log_blowup else {
        let uploaded = words(&[quotient_size, program.width])?;
        return with_slack(sum(&[uploaded, quotient])?);
    };

    let lde_height =
        height.checked_shl(log_blowup as u32).filter(|h| h >> log_blowup == height).ok_or_else(overflow)?;
    // A tree's digest layers: the leaves' digests and every node above them (under 2 per leaf).
    let tree = words(&[2, lde_height, DIGEST])?;
    let twiddles = lde_height;
    let trace_lde = words(&[lde_height, program.width])?;
    let quotient_lde = words(&[lde_height, 1 << log_chunks, EXT_WORDS])?;
    let trace_commit = sum(&[words(&[height, program.width])?, tree, twiddles])?;
    // The quotient and its chunks, split from it on the device, then their LDEs and tree.
    let quotient_commit = sum(&[words(&[2, quotient_size, EXT_WORDS])?, tree, twiddles])?;
    // FRI's codewords stay on the device with their trees (halving: under 2 LDE heights of
    // extension values in all), a round adds its folded output and the reduced opening joining
    // (under one more) and its tree's digest layers.
    let fri_round = sum(&[words(&[3, lde_height, EXT_WORDS])?, tree])?;
    let transient = trace_commit.max(quotient).max(quotient_commit).max(fri_round);
    with_slack(sum(&[trace_lde, quotient_lde, transient])?)
}

/// `words` as bytes, plus room for what the terms leave out: resident tables (twiddles, round
/// constants), the allocator's rounding, a real device's own reservations. On the emulator,
/// which counts every byte, the terms alone came within 1% of the least memory a Keccak-f proof
/// ran in at 2^6 and 2^8 rows, so they are not padded by much.
fn with_slack(words: usize) -> Result<usize> {
    let bytes = byte_len::<u32>(words)?;
    bytes.checked_add(bytes / 16 + SLACK).ok_or_else(|| Error::SizeOverflow(format!("{bytes} bytes of device memory")))
}

/// The fixed part of the slack.
const SLACK: usize = 1 << 20;

/// `OutOfMemory` when `bytes` exceed what `engine`'s device has.
pub(super) fn check_fits(engine: &Engine, bytes: usize) -> Result<()> {
    match engine {
        Engine::Gpu(gpu) if bytes > gpu.total_memory() => {
            Err(Error::OutOfMemory { bytes, backend: "device (the STARK proof's estimate)" })
        }
        _ => Ok(()),
    }
}
