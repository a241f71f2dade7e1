//! cherenkov's C ABI. This first cut exposes the version and backend availability; the
//! primitives (NTT, Poseidon2/Merkle, MSM) join as they land, with a cbindgen header.
//!
//! Rules for every function here: status codes, no unwinding across the boundary (panics are
//! caught and become an error code), every pointer checked.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use cherenkov::backend::{availability, Backend};

/// Success.
pub const CHK_OK: i32 = 0;
/// An argument is out of range.
pub const CHK_ERR_INVALID_ARGUMENT: i32 = 1;
/// Rust panicked; the panic was caught at the boundary.
pub const CHK_ERR_PANIC: i32 = 99;

/// Runs `f`, turning a panic into `CHK_ERR_PANIC`.
fn guarded(f: impl FnOnce() -> i32) -> i32 {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(CHK_ERR_PANIC)
}

/// The library version, a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn chk_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Whether `backend` (0 = cpu, 1 = emu, 2 = cuda) can run here: writes 1 or 0 to `*out`.
///
/// # Safety
/// `out` must be null or point to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn chk_backend_available(backend: u32, out: *mut i32) -> i32 {
    guarded(|| {
        let wanted = match backend {
            0 => Backend::Cpu,
            1 => Backend::Emu,
            2 => Backend::Cuda,
            _ => return CHK_ERR_INVALID_ARGUMENT,
        };
        if out.is_null() {
            return CHK_ERR_INVALID_ARGUMENT;
        }
        let available = availability().iter().any(|a| a.backend == wanted && a.available);
        // SAFETY: non-null, and the caller promises it is writable.
        unsafe { *out = available as i32 };
        CHK_OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_availability() {
        let v = unsafe { std::ffi::CStr::from_ptr(chk_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        let mut out = -1;
        assert_eq!(unsafe { chk_backend_available(0, &mut out) }, CHK_OK);
        assert_eq!(out, 1);
        assert_eq!(unsafe { chk_backend_available(1, &mut out) }, CHK_OK);
        assert_eq!(out, 1);
        assert_eq!(unsafe { chk_backend_available(7, &mut out) }, CHK_ERR_INVALID_ARGUMENT);
        assert_eq!(unsafe { chk_backend_available(0, std::ptr::null_mut()) }, CHK_ERR_INVALID_ARGUMENT);
    }

    #[test]
    fn panics_become_codes() {
        assert_eq!(guarded(|| panic!("boom")), CHK_ERR_PANIC);
    }
}
