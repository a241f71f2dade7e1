//! Engines (a resolved backend) and what this machine can run.

use std::ffi::{c_char, CString};

use cherenkov::backend::availability;
use cherenkov::{Backend, Engine};

use crate::status::{guarded, out, slice_mut, ChkStatus, Failure, CHK_ERR_INVALID_ARGUMENT, CHK_ERR_LENGTH};

/// The CUDA GPU when one is usable, else the cpu (never the emulator).
pub const CHK_BACKEND_AUTO: u32 = 0;
/// The cpu: rayon over all cores, SIMD where the build enables it.
pub const CHK_BACKEND_CPU: u32 = 1;
/// The CUDA kernels compiled for the host, under the CUDA execution-model emulator (for tests).
pub const CHK_BACKEND_EMU: u32 = 2;
/// The CUDA kernels on GPU 0 through the driver API.
pub const CHK_BACKEND_CUDA: u32 = 3;

/// A resolved backend. Create with `chk_engine_new`, release with `chk_engine_free`. One engine
/// may be used from several threads at once.
pub struct ChkEngine {
    pub(crate) engine: Engine,
    name: CString,
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Engine>()
};

pub(crate) fn parse_backend(code: u32) -> Result<Backend, Failure> {
    match code {
        CHK_BACKEND_AUTO => Ok(Backend::Auto),
        CHK_BACKEND_CPU => Ok(Backend::Cpu),
        CHK_BACKEND_EMU => Ok(Backend::Emu),
        CHK_BACKEND_CUDA => Ok(Backend::Cuda),
        _ => Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown backend {code}"))),
    }
}

/// The engine behind a handle, or `CHK_ERR_NULL_POINTER`.
///
/// # Safety
/// `e` must be null or a live handle from `chk_engine_new`.
pub(crate) unsafe fn engine_ref<'a>(e: *const ChkEngine) -> Result<&'a Engine, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { e.as_ref() }
        .map(|e| &e.engine)
        .ok_or_else(|| Failure::new(crate::status::CHK_ERR_NULL_POINTER, "engine is null"))
}

/// Opens an engine on `backend` (a `CHK_BACKEND_` value) and writes its handle to `*out`.
/// `CHK_ERR_BACKEND_UNAVAILABLE` when it cannot run here (e.g. cuda without a driver).
///
/// # Safety
/// `out` must be null or writable.
#[no_mangle]
pub unsafe extern "C" fn chk_engine_new(backend: u32, engine_out: *mut *mut ChkEngine) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let slot = unsafe { out(engine_out, "engine_out") }?;
        let engine = parse_backend(backend)?.engine()?;
        let name = CString::new(engine.name()).unwrap_or_default();
        *slot = Box::into_raw(Box::new(ChkEngine { engine, name }));
        Ok(())
    })
}

/// Releases an engine. Null is ignored.
///
/// # Safety
/// `engine` must be null or a handle from `chk_engine_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn chk_engine_free(engine: *mut ChkEngine) {
    if !engine.is_null() {
        // SAFETY: the caller hands back a handle we boxed.
        let _ = std::panic::catch_unwind(|| drop(unsafe { Box::from_raw(engine) }));
    }
}

/// The engine's name, e.g. "cpu (16 threads)", valid while the engine lives; null for null.
///
/// # Safety
/// `engine` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn chk_engine_name(engine: *const ChkEngine) -> *const c_char {
    // SAFETY: forwarded.
    unsafe { engine.as_ref() }.map_or(std::ptr::null(), |e| e.name.as_ptr())
}

/// Whether `backend` (a `CHK_BACKEND_` value) can run here: writes 1 or 0 to `*available`.
///
/// # Safety
/// `available` must be null or writable.
#[no_mangle]
pub unsafe extern "C" fn chk_backend_available(backend: u32, available: *mut i32) -> ChkStatus {
    guarded(|| {
        let wanted = parse_backend(backend)?;
        // SAFETY: forwarded.
        let slot = unsafe { out(available, "available") }?;
        *slot = match wanted {
            Backend::Auto => 1,
            b => availability().iter().any(|a| a.backend == b && a.available) as i32,
        };
        Ok(())
    })
}

/// What `cherenkov info` starts with: one line per backend (name, available or not, detail:
/// the device, or why it is unavailable), NUL-terminated, into `buf` of `capacity` bytes.
/// `*needed` (if not null) gets the bytes required including the NUL; `CHK_ERR_LENGTH` when
/// `capacity` is smaller (call once with 0 to size the buffer).
///
/// # Safety
/// `buf` must be null or writable for `capacity` bytes; `needed` null or writable.
#[no_mangle]
pub unsafe extern "C" fn chk_info(buf: *mut c_char, capacity: usize, needed: *mut usize) -> ChkStatus {
    guarded(|| {
        let text: String = availability()
            .iter()
            .map(|a| {
                let state = if a.available { "available" } else { "unavailable" };
                format!("{} {state}: {}\n", a.backend, a.detail.replace('\0', " "))
            })
            .collect();
        let bytes = text.len() + 1;
        if !needed.is_null() {
            // SAFETY: forwarded.
            *unsafe { out(needed, "needed") }? = bytes;
        }
        if capacity < bytes {
            return Err(Failure::new(CHK_ERR_LENGTH, format!("chk_info needs {bytes} bytes, got {capacity}")));
        }
        // SAFETY: forwarded.
        let dst = unsafe { slice_mut(buf.cast::<u8>(), bytes, "buf") }?;
        dst[..text.len()].copy_from_slice(text.as_bytes());
        dst[text.len()] = 0;
        Ok(())
    })
}
