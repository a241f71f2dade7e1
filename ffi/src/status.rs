//! Status codes, the thread-local last error, the panic guard and the pointer checks every entry
//! point goes through.

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use cherenkov::Error;

/// What every `chk_` function returns: `CHK_OK` or one of the `CHK_ERR_` codes.
pub type ChkStatus = i32;

/// Success.
pub const CHK_OK: ChkStatus = 0;
/// A required pointer is null.
pub const CHK_ERR_NULL_POINTER: ChkStatus = 1;
/// A pointer is not aligned for its element type (4 bytes for `uint32_t`, 8 for `uint64_t`).
pub const CHK_ERR_MISALIGNED: ChkStatus = 2;
/// A length does not match: not whole rows or states, an output of the wrong size, two inputs
/// of different lengths.
pub const CHK_ERR_LENGTH: ChkStatus = 3;
/// A height that must be a power of two is not.
pub const CHK_ERR_NOT_POWER_OF_TWO: ChkStatus = 4;
/// A field element is not canonical in the given encoding (its value or Montgomery form >= p).
pub const CHK_ERR_NON_CANONICAL: ChkStatus = 5;
/// A point is not on the curve (checked when `CHK_MSM_VALIDATE` is set).
pub const CHK_ERR_NOT_ON_CURVE: ChkStatus = 6;
/// A G2 point is on the curve but not in the prime-order subgroup (with `CHK_MSM_VALIDATE`).
pub const CHK_ERR_NOT_IN_SUBGROUP: ChkStatus = 7;
/// An argument is out of range: an unknown field, backend, encoding or flag; width 0; Merkle
/// heights off Plonky3's ladder; an index past the tree.
pub const CHK_ERR_INVALID_ARGUMENT: ChkStatus = 8;
/// A size too large: n × width overflows, a height above the field's two-adicity, more
/// elements than the kernels' 32-bit indices address.
pub const CHK_ERR_SIZE: ChkStatus = 9;
/// The engine's backend cannot run here (no CUDA driver or device).
pub const CHK_ERR_BACKEND_UNAVAILABLE: ChkStatus = 10;
/// An allocation failed (host or device).
pub const CHK_ERR_OUT_OF_MEMORY: ChkStatus = 11;
/// The CUDA driver or the emulator reported a failure.
pub const CHK_ERR_DEVICE: ChkStatus = 12;
/// Rust panicked; the panic was caught at the boundary (a bug: please report it).
pub const CHK_ERR_PANIC: ChkStatus = 13;
/// Any other failure; `chk_last_error()` says what.
pub const CHK_ERR_OTHER: ChkStatus = 14;

/// A failed call: its code and the message `chk_last_error` returns.
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: ChkStatus,
    pub message: String,
}

impl Failure {
    pub fn new(code: ChkStatus, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::BackendUnavailable { .. } | Error::UnknownBackend(_) => CHK_ERR_BACKEND_UNAVAILABLE,
            Error::Cuda(_) | Error::Emulator { .. } | Error::UnknownKernel(_) | Error::InvalidLaunch { .. } => {
                CHK_ERR_DEVICE
            }
            Error::LengthMismatch { .. } => CHK_ERR_LENGTH,
            Error::NotPowerOfTwo { .. } => CHK_ERR_NOT_POWER_OF_TWO,
            Error::NonCanonical { .. } => CHK_ERR_NON_CANONICAL,
            Error::NotOnCurve { .. } => CHK_ERR_NOT_ON_CURVE,
            Error::NotInSubgroup { .. } => CHK_ERR_NOT_IN_SUBGROUP,
            Error::InvalidShape(_)
            | Error::IncompatibleHeights { .. }
            | Error::IndexOutOfBounds { .. }
            | Error::InvalidArgument(_)
            | Error::Config { .. } => CHK_ERR_INVALID_ARGUMENT,
            Error::HeightTooLarge { .. } | Error::SizeOverflow(_) => CHK_ERR_SIZE,
            Error::OutOfMemory { .. } => CHK_ERR_OUT_OF_MEMORY,
            _ => CHK_ERR_OTHER,
        };
        Self { code, message: e.to_string() }
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

pub(crate) fn set_last_error(message: &str) {
    // An interior NUL would truncate the C string: replace it.
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// The message of the last call on this thread that did not return `CHK_OK` ("" if none).
/// The string stays valid until the next failing `chk_` call on the same thread.
#[no_mangle]
pub extern "C" fn chk_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

thread_local! {
    /// Whether this thread is inside [`guarded`]: its panics are the caller's status, not
    /// something to print on the host program's stderr.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Calls inside [`guarded`] on any thread: a panic on one of rayon's worker threads during
/// such a call is carried to the calling thread by rayon, and so is the caller's too.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Installs (once) a panic hook that stays silent for panics inside [`guarded`] (and on rayon's
/// workers while a guarded call runs) — their message reaches the caller through
/// `chk_last_error` — and defers to the previous hook (Rust's default: message and backtrace on
/// stderr) for every other panic of the process.
fn silence_guarded_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = GUARDED.with(Cell::get)
                || (ACTIVE.load(Ordering::Relaxed) > 0 && rayon::current_thread_index().is_some());
            if !ours {
                previous(info);
            }
        }));
    });
}

/// Runs `f`: a failure becomes its code and the last error, a panic becomes `CHK_ERR_PANIC`
/// (silently: the message goes to `chk_last_error` only). Nothing unwinds past this point.
pub(crate) fn guarded(f: impl FnOnce() -> FfiResult) -> ChkStatus {
    silence_guarded_panics();
    let outer = GUARDED.with(|g| g.replace(true));
    ACTIVE.fetch_add(1, Ordering::Relaxed);
    let result = catch_unwind(AssertUnwindSafe(f));
    ACTIVE.fetch_sub(1, Ordering::Relaxed);
    GUARDED.with(|g| g.set(outer));
    match result {
        Ok(Ok(())) => CHK_OK,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.code
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            set_last_error(&format!("panic caught at the C boundary: {what}"));
            CHK_ERR_PANIC
        }
    }
}

/// Checks a pointer and a count of `T` before it becomes a slice: null (allowed only for an
/// empty slice), alignment, and a byte size that fits `isize`.
fn check<T>(ptr: *const T, len: usize, what: &str) -> FfiResult {
    if len == 0 {
        return Ok(());
    }
    if ptr.is_null() {
        return Err(Failure::new(CHK_ERR_NULL_POINTER, format!("{what} is null")));
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(Failure::new(CHK_ERR_MISALIGNED, format!("{what} is not aligned to {} bytes", align_of::<T>())));
    }
    if len.checked_mul(size_of::<T>()).is_none_or(|b| b > isize::MAX as usize) {
        return Err(Failure::new(CHK_ERR_SIZE, format!("{what}: {len} elements overflow the address space")));
    }
    Ok(())
}

/// `len` elements at `ptr`, checked.
///
/// # Safety
/// When the checks pass, `ptr` must point to `len` readable `T` that outlive `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> FfiResult<&'a [T]> {
    check(ptr, len, what)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-null, aligned, size in range; the caller vouches for the memory.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `len` writable elements at `ptr`, checked.
///
/// # Safety
/// As [`slice`], and the memory must be writable and not aliased during the call.
pub(crate) unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize, what: &str) -> FfiResult<&'a mut [T]> {
    check(ptr, len, what)?;
    if len == 0 {
        return Ok(&mut []);
    }
    // SAFETY: as in `slice`, and the caller vouches that nothing else touches it.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// A required out-pointer, checked.
///
/// # Safety
/// When non-null and aligned, `ptr` must be writable for one `T`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, what: &str) -> FfiResult<&'a mut T> {
    // SAFETY: forwarded.
    unsafe { slice_mut(ptr, 1, what) }.map(|s| &mut s[0])
}

/// `count × per` elements, or `CHK_ERR_SIZE` when that overflows.
pub(crate) fn times(count: usize, per: usize, what: &str) -> FfiResult<usize> {
    count.checked_mul(per).ok_or_else(|| Failure::new(CHK_ERR_SIZE, format!("{what}: {count} × {per} overflows")))
}

/// A vector with room for `len` elements, or `CHK_ERR_OUT_OF_MEMORY` instead of an abort.
pub(crate) fn vec_with_capacity<T>(len: usize) -> FfiResult<Vec<T>> {
    Ok(cherenkov::mem::with_capacity(len)?)
}

/// Deliberately panics inside Rust and returns what any function returns then: `CHK_ERR_PANIC`,
/// with the panic's message in `chk_last_error()`. For bindings' tests: a panic never unwinds
/// into the caller (do not build this crate with `panic = "abort"`).
#[no_mangle]
pub extern "C" fn chk_selftest_panic() -> ChkStatus {
    guarded(|| panic!("chk_selftest_panic was called"))
}
