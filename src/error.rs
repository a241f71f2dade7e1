//! One error type for the whole crate: every failure is a value, never a panic.

use crate::backend::Backend;

/// What went wrong. Variants carry enough context to act on without a debugger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The requested backend cannot run here (no driver, no device, built without kernels).
    #[error("backend `{backend}` is unavailable: {reason}")]
    BackendUnavailable { backend: Backend, reason: String },
    /// `CHERENKOV_BACKEND` or a backend name that is not one of auto, cpu, emu, cuda.
    #[error("unknown backend `{0}` (expected auto, cpu, emu or cuda)")]
    UnknownBackend(String),
    /// An error reported by the CUDA driver.
    #[error("CUDA driver: {0}")]
    Cuda(String),
    /// The emulator rejected or aborted a launch (deadlock, divergent barrier, warp misuse, race).
    #[error("emulator ({kind}): {message}")]
    Emulator { kind: EmuErrorKind, message: String },
    /// A kernel name that no build of the kernels contains.
    #[error("no kernel named `{0}`")]
    UnknownKernel(String),
    /// A launch configuration outside what the device or the kernel allows.
    #[error("invalid launch of `{kernel}`: {reason}")]
    InvalidLaunch { kernel: &'static str, reason: String },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what} has {got} elements, expected {expected}")]
    LengthMismatch { what: &'static str, expected: usize, got: usize },
    /// A matrix shape that does not fit the operation (zero width, ragged rows).
    #[error("invalid shape: {0}")]
    InvalidShape(String),
    /// A size that must be a power of two and is not.
    #[error("{what} {value} is not a power of two")]
    NotPowerOfTwo { what: &'static str, value: usize },
    /// A transform taller than the field's largest two-adic subgroup.
    #[error("height 2^{log_height} exceeds the field's two-adicity 2^{max_log_height}")]
    HeightTooLarge { log_height: usize, max_log_height: usize },
    /// A field element whose encoding is not the canonical one (e.g. >= p).
    #[error("non-canonical {field} element at index {index}")]
    NonCanonical { field: &'static str, index: usize },
    /// A point that does not satisfy the curve equation.
    #[error("point at index {index} is not on the curve")]
    NotOnCurve { index: usize },
    /// A point on the curve but outside its prime-order subgroup (BN254 G2 has a cofactor).
    #[error("point at index {index} is not in the prime-order subgroup")]
    NotInSubgroup { index: usize },
    /// Matrices committed together whose heights are not on Plonky3's ladder.
    #[error("matrix height {height} is off the ladder ceil({max_height} / 2^k): expected {expected}")]
    IncompatibleHeights { height: usize, max_height: usize, expected: usize },
    /// An index (a Merkle opening's row, a query) past the end.
    #[error("index {index} out of bounds for length {len}")]
    IndexOutOfBounds { index: usize, len: usize },
    /// A proof or an opening that does not verify.
    #[error("verification failed: {0}")]
    Verification(String),
    /// A size whose element count, byte count or index overflows what the crate or a backend
    /// can address (usize arithmetic, the kernels' 32-bit indices).
    #[error("size overflow: {0}")]
    SizeOverflow(String),
    /// An argument outside its domain that no other variant names: a coset shift of 0, a count
    /// of 0 where one is needed, a flag value out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A malformed configuration value: an environment variable (`CHERENKOV_EMU_SCHEDULE`, ...)
    /// or an engine option.
    #[error("configuration: {name}: {reason}")]
    Config { name: String, reason: String },
    /// Self-check mode ([`crate::verify`]): a device result failed its check on the host.
    #[error("self-check of {operation} failed: {detail}")]
    SelfCheck { operation: &'static str, detail: String },
    /// A file could not be written or read (`cherenkov bench --out`).
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// An allocation failed.
    #[error("out of memory: {bytes} bytes on {backend}")]
    OutOfMemory { bytes: usize, backend: &'static str },
}

impl Error {
    /// Whether the error is the input's (a shape, a size, heights), which every backend would
    /// report alike, as opposed to a device's or a driver's failure. (`NonCanonical` is not one:
    /// a device that returns a value >= p has failed.)
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Self::InvalidShape(_)
                | Self::NotPowerOfTwo { .. }
                | Self::HeightTooLarge { .. }
                | Self::SizeOverflow(_)
                | Self::IncompatibleHeights { .. }
                | Self::LengthMismatch { .. }
                | Self::NotOnCurve { .. }
                | Self::NotInSubgroup { .. }
                | Self::InvalidArgument(_)
                | Self::IndexOutOfBounds { .. }
        )
    }
}

/// Why the emulator stopped a launch; mirrors the codes of kernels/emu/emu_runtime.cpp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmuErrorKind {
    UnknownKernel,
    InvalidConfig,
    Deadlock,
    BarrierDivergence,
    WarpMisuse,
    DataRace,
    Resource,
    Internal,
}

impl std::fmt::Display for EmuErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            Self::UnknownKernel => "unknown kernel",
            Self::InvalidConfig => "invalid launch configuration",
            Self::Deadlock => "deadlock",
            Self::BarrierDivergence => "barrier divergence",
            Self::WarpMisuse => "warp operation misuse",
            Self::DataRace => "data race",
            Self::Resource => "out of resources",
            Self::Internal => "internal error",
        };
        f.write_str(s)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
