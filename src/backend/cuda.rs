//! The `cuda` backend: the thin layer over the driver API (cudarc, loaded at run time). It
//! executes the same [`Launch`] plans as the emulator; everything that can be decided without a
//! GPU is decided elsewhere. Never panics without a driver: [`probe`] checks for libcuda before
//! cudarc touches it.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::sys::{self, CUdevice_attribute, CUfunction_attribute};
use cudarc::driver::{result, CudaContext, CudaFunction, CudaModule, CudaStream, DriverError};
use cudarc::nvrtc::Ptx;

use super::kernels;
use super::plan::{ArgWords, DeviceProps, Launch};
use super::RawBuffer;
use crate::error::{Error, Result};

/// Why the cuda backend cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CudaUnavailable {
    /// nvcc was not found (or failed) when this crate was built.
    BuiltWithoutKernels(String),
    /// No libcuda on this machine.
    NoDriver,
    /// The driver is there but failed (e.g. `cuInit`).
    DriverError(String),
    /// The driver sees no GPU.
    NoDevice,
    /// The GPU is older than the oldest architecture the kernels are built for.
    Unsupported(String),
}

impl fmt::Display for CudaUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BuiltWithoutKernels(why) => write!(f, "built without kernels ({why})"),
            Self::NoDriver => f.write_str("no CUDA driver (libcuda not found)"),
            Self::DriverError(e) => write!(f, "CUDA driver error: {e}"),
            Self::NoDevice => f.write_str("no CUDA device"),
            Self::Unsupported(why) => f.write_str(why),
        }
    }
}

/// One GPU as the driver reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub ordinal: usize,
    pub name: String,
    pub total_mem: usize,
    pub compute_capability: (i32, i32),
    pub sm_count: u32,
    pub max_dynamic_shared: u32,
}

fn driver(e: DriverError) -> CudaUnavailable {
    CudaUnavailable::DriverError(e.to_string())
}

/// The GPUs the driver sees, without requiring kernels. Safe to call anywhere.
pub fn probe() -> Result<Vec<DeviceInfo>, CudaUnavailable> {
    static PROBE: OnceLock<Result<Vec<DeviceInfo>, CudaUnavailable>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            // SAFETY: only tries to dlopen libcuda; cudarc panics on first use without it.
            if !unsafe { sys::is_culib_present() } {
                return Err(CudaUnavailable::NoDriver);
            }
            result::init().map_err(driver)?;
            let count = result::device::get_count().map_err(driver)?;
            if count <= 0 {
                return Err(CudaUnavailable::NoDevice);
            }
            (0..count)
                .map(|i| {
                    let dev = result::device::get(i).map_err(driver)?;
                    // SAFETY: `dev` is a valid device handle from the driver.
                    let attr = |a| unsafe { result::device::get_attribute(dev, a) }.map_err(driver);
                    Ok(DeviceInfo {
                        ordinal: i as usize,
                        name: result::device::get_name(dev).map_err(driver)?,
                        total_mem: unsafe { result::device::total_mem(dev) }.map_err(driver)?,
                        compute_capability: (
                            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
                            attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
                        ),
                        sm_count: attr(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)? as u32,
                        max_dynamic_shared: attr(
                            CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
                        )? as u32,
                    })
                })
                .collect()
        })
        .clone()
}

/// A GPU that can run our kernels: driver, device and kernels all present. Opened once per
/// ordinal and shared, so the fatbins are loaded once per device.
pub fn open(ordinal: usize) -> Result<Arc<CudaDevice>, CudaUnavailable> {
    static OPEN: OnceLock<Mutex<HashMap<usize, Arc<CudaDevice>>>> = OnceLock::new();
    if !kernels::built_with_kernels() {
        return Err(CudaUnavailable::BuiltWithoutKernels(kernels::NVCC_STATUS.to_string()));
    }
    let info = probe()?.into_iter().nth(ordinal).ok_or(CudaUnavailable::NoDevice)?;
    if info.compute_capability < (8, 0) {
        return Err(CudaUnavailable::Unsupported(format!(
            "{} is sm_{}{}; the kernels need sm_80 or newer",
            info.name, info.compute_capability.0, info.compute_capability.1
        )));
    }
    let mut open = OPEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dev) = open.get(&ordinal) {
        return Ok(dev.clone());
    }
    let ctx = CudaContext::new(ordinal).map_err(driver)?;
    // One stream per device, used in order: the driver's cross-stream event tracking is not needed.
    // SAFETY: no buffer of this context is used from another stream.
    unsafe { ctx.disable_event_tracking() };
    let stream = ctx.new_stream().map_err(driver)?;
    let dev = Arc::new(CudaDevice {
        info,
        ctx,
        stream,
        modules: Mutex::default(),
        functions: Mutex::default(),
        staging: Mutex::default(),
    });
    open.insert(ordinal, dev.clone());
    Ok(dev)
}

/// An opened GPU with its context, stream and loaded kernels.
pub struct CudaDevice {
    info: DeviceInfo,
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    modules: Mutex<HashMap<&'static str, Arc<CudaModule>>>,
    functions: Mutex<HashMap<&'static str, CudaFunction>>,
    /// Pinned buffers for large transfers, allocated on the first one.
    staging: Mutex<Option<Staging>>,
}

impl fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CudaDevice({:?})", self.info)
    }
}

fn cuda_err(e: DriverError) -> Error {
    Error::Cuda(e.to_string())
}

impl CudaDevice {
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }
    pub fn name(&self) -> String {
        format!("cuda:{} {}", self.info.ordinal, self.info.name)
    }
    pub fn props(&self) -> DeviceProps {
        DeviceProps {
            sm_count: self.info.sm_count,
            max_threads_per_block: 1024,
            max_dynamic_shared: self.info.max_dynamic_shared,
        }
    }

    /// Fresh device memory, zeroed (stream-ordered) when `zeroed`.
    pub(crate) fn alloc(&self, bytes: usize, zeroed: bool) -> Result<CudaAlloc> {
        self.ctx.bind_to_thread().map_err(cuda_err)?;
        // SAFETY: context bound; a zero-byte request still gets a valid (1-byte) allocation.
        let ptr = unsafe { result::malloc_sync(bytes.max(1)) }.map_err(|e| match e.0 {
            sys::cudaError_enum::CUDA_ERROR_OUT_OF_MEMORY => Error::OutOfMemory { bytes, backend: "cuda" },
            _ => cuda_err(e),
        })?;
        let alloc = CudaAlloc { ptr, bytes, ctx: self.ctx.clone() };
        if zeroed {
            self.zero(&alloc)?;
        }
        Ok(alloc)
    }

    /// Zeroes `a` in stream order (after the work queued before, before the work queued after).
    pub(crate) fn zero(&self, a: &CudaAlloc) -> Result<()> {
        self.ctx.bind_to_thread().map_err(cuda_err)?;
        // SAFETY: `a` holds `bytes` bytes of this context; the stream is this device's.
        unsafe { result::memset_d8_async(a.ptr, 0, a.bytes, self.stream.cu_stream()) }.map_err(cuda_err)
    }

    /// Copies `src` to `dst`; `after` (if any) is called with each staged chunk (byte offset, host
    /// bytes) once the host has copied it (chunks are whole multiples of its `align` bytes), so a host
    /// pass over the data can read it while it is in cache.
    pub(crate) fn write(&self, dst: &CudaAlloc, src: &[u8], after: Option<AfterChunk<'_>>) -> Result<()> {
        if src.is_empty() {
            return Ok(());
        }
        self.ctx.bind_to_thread().map_err(cuda_err)?;
        // Launches are queued without waiting, and a pooled buffer may still be read by one: the
        // copy goes after everything queued so far.
        self.stream.synchronize().map_err(cuda_err)?;
        let stage = stage_bytes(after);
        if src.len() <= DIRECT_BYTES || stage.is_none() {
            // SAFETY: `dst` holds src.len() bytes (allocated for this buffer's length).
            unsafe { result::memcpy_htod_sync(dst.ptr, src) }.map_err(cuda_err)?;
            if let Some((_, f)) = after {
                f(0, src);
            }
            return Ok(());
        }
        let stage = stage.unwrap_or(STAGE_BYTES);
        let mut guard = self.staging()?;
        let st = guard.as_mut().expect("staging() allocates");
        let stream = self.stream.cu_stream();
        for (i, chunk) in src.chunks(stage).enumerate() {
            let k = i % 2;
            // SAFETY: the event was created in this context; waits for the last DMA out of buffer k.
            unsafe { result::event::synchronize(st.events[k]) }.map_err(cuda_err)?;
            let pinned = &mut st.buffer(k)[..chunk.len()];
            parallel_copy(chunk, pinned);
            if let Some((_, f)) = after {
                f(i * stage, chunk);
            }
            // SAFETY: dst holds src.len() bytes, so the chunk's range; the pinned buffer is not
            // touched again until its event (recorded right after) has completed.
            unsafe {
                result::memcpy_htod_async(dst.ptr + (i * stage) as u64, &*pinned, stream)
                    .and_then(|()| result::event::record(st.events[k], stream))
            }
            .map_err(cuda_err)?;
        }
        self.stream.synchronize().map_err(cuda_err)
    }

    /// Copies `dst.len()` bytes of `src` from byte `offset` into `dst`; `after` as in
    /// [`CudaDevice::write`], each chunk of `dst` once it holds the data.
    pub(crate) fn read(
        &self,
        src: &CudaAlloc,
        offset: usize,
        dst: &mut [u8],
        after: Option<AfterChunk<'_>>,
    ) -> Result<()> {
        if dst.is_empty() {
            return Ok(());
        }
        if offset.checked_add(dst.len()).is_none_or(|end| end > src.bytes()) {
            return Err(Error::IndexOutOfBounds { index: offset.saturating_add(dst.len()), len: src.bytes() });
        }
        let from = src.ptr + offset as u64;
        self.ctx.bind_to_thread().map_err(cuda_err)?;
        self.stream.synchronize().map_err(cuda_err)?;
        let stage = stage_bytes(after);
        if dst.len() <= DIRECT_BYTES || stage.is_none() {
            // SAFETY: `src` holds dst.len() bytes from `offset` (checked above).
            unsafe { result::memcpy_dtoh_sync(&mut *dst, from) }.map_err(cuda_err)?;
            if let Some((_, f)) = after {
                f(0, dst);
            }
            return Ok(());
        }
        let stage = stage.unwrap_or(STAGE_BYTES);
        let mut guard = self.staging()?;
        let st = guard.as_mut().expect("staging() allocates");
        let stream = self.stream.cu_stream();
        let chunks: Vec<&mut [u8]> = dst.chunks_mut(stage).collect();
        let lens: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        // DMA of chunk i + 1 into one buffer while chunk i is copied out of the other.
        let fetch = |st: &mut Staging, i: usize| -> Result<()> {
            let k = i % 2;
            let pinned = &mut st.buffer(k)[..lens[i]];
            // SAFETY: src holds dst.len() bytes from `offset` (checked above); the buffer is
            // read only after its event.
            unsafe {
                result::memcpy_dtoh_async(pinned, from + (i * stage) as u64, stream)
                    .and_then(|()| result::event::record(st.events[k], stream))
            }
            .map_err(cuda_err)
        };
        fetch(st, 0)?;
        for (i, chunk) in chunks.into_iter().enumerate() {
            if i + 1 < lens.len() {
                fetch(st, i + 1)?;
            }
            let k = i % 2;
            // SAFETY: the event was recorded after chunk i's copy into buffer k.
            unsafe { result::event::synchronize(st.events[k]) }.map_err(cuda_err)?;
            parallel_copy(&st.buffer(k)[..chunk.len()], chunk);
            if let Some((_, f)) = after {
                f(i * stage, chunk);
            }
        }
        Ok(())
    }

    /// The staging buffers, allocated on first use.
    fn staging(&self) -> Result<std::sync::MutexGuard<'_, Option<Staging>>> {
        let mut guard = self.staging.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(Staging::new(self.ctx.clone())?);
        }
        Ok(guard)
    }

    fn function(&self, kernel: &'static str) -> Result<CudaFunction> {
        if let Some(f) = self.functions.lock().unwrap_or_else(|e| e.into_inner()).get(kernel) {
            return Ok(f.clone());
        }
        let source = kernels::source_of(kernel).ok_or_else(|| Error::UnknownKernel(kernel.into()))?;
        let image = source.fatbin.ok_or_else(|| Error::UnknownKernel(kernel.into()))?;
        let module = {
            let mut modules = self.modules.lock().unwrap_or_else(|e| e.into_inner());
            match modules.get(source.file) {
                Some(m) => m.clone(),
                None => {
                    let m = self.ctx.load_module(Ptx::from_binary(image.to_vec())).map_err(cuda_err)?;
                    modules.insert(source.file, m.clone());
                    m
                }
            }
        };
        let f = module.load_function(kernel).map_err(cuda_err)?;
        self.functions.lock().unwrap_or_else(|e| e.into_inner()).insert(kernel, f.clone());
        Ok(f)
    }

    pub(crate) fn launch(&self, launch: &Launch<'_>) -> Result<()> {
        let f = self.function(launch.kernel)?;
        if launch.shared_bytes > 48 << 10 {
            f.set_attribute(
                CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                launch.shared_bytes as i32,
            )
            .map_err(cuda_err)?;
        }
        let mut words = ArgWords::marshal(launch, |b| match b {
            RawBuffer::Cuda(a) => Some(a.ptr),
            RawBuffer::Emu(_) => None,
        })?;
        let mut params = words.pointers();
        let dims = |d: super::plan::Dim3| (d.x, d.y, d.z);
        self.ctx.bind_to_thread().map_err(cuda_err)?;
        // SAFETY: params match the kernel's signature by construction of the plan; buffer
        // bounds are the caller's contract (Gpu::launch is unsafe).
        unsafe {
            result::launch_kernel(
                f.cu_function(),
                dims(launch.grid),
                dims(launch.block),
                launch.shared_bytes,
                self.stream.cu_stream(),
                &mut params,
            )
        }
        .map_err(cuda_err)?;
        // Queued: the next transfer (or a drop that frees) waits for it. Traced runs wait here,
        // so that a launch's span is its kernel's time.
        if super::device::trace::enabled() {
            self.stream.synchronize().map_err(cuda_err)?;
        }
        Ok(())
    }
}

/// Device memory owned by one context.
pub struct CudaAlloc {
    ptr: sys::CUdeviceptr,
    bytes: usize,
    ctx: Arc<CudaContext>,
}

impl fmt::Debug for CudaAlloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CudaAlloc({} bytes)", self.bytes)
    }
}

impl CudaAlloc {
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for CudaAlloc {
    fn drop(&mut self) {
        // Errors here (a dead context) cannot be reported from Drop; the memory goes with the context.
        if self.ctx.bind_to_thread().is_ok() {
            // Queued kernels may still use the memory: wait for them first.
            let _ = self.ctx.synchronize();
            // SAFETY: allocated by malloc_sync in this context, freed once, nothing in flight.
            let _ = unsafe { result::free_sync(self.ptr) };
        }
    }
}

/// What a transfer calls after each staged chunk: (alignment of the chunks in bytes, callback
/// with the chunk's byte offset and its host-side bytes).
pub(crate) type AfterChunk<'a> = (usize, &'a (dyn Fn(usize, &[u8]) + Sync));

/// The staging chunk for `after`: [`STAGE_BYTES`] rounded down to its alignment; `None` when one
/// aligned unit is larger than a chunk (the transfer is then one direct copy, visited after).
fn stage_bytes(after: Option<AfterChunk<'_>>) -> Option<usize> {
    match after {
        None => Some(STAGE_BYTES),
        Some((align, _)) => {
            let align = align.max(1);
            (align <= STAGE_BYTES).then(|| STAGE_BYTES / align * align)
        }
    }
}

/// Transfers up to this size go straight from pageable memory.
const DIRECT_BYTES: usize = super::stats::DIRECT_BYTES;
/// One staging buffer; two of them alternate.
const STAGE_BYTES: usize = super::stats::STAGE_BYTES;

/// Two pinned host buffers and their events. Large transfers go through them in chunks: copies
/// from pageable memory run at a fraction of the bus (measured on an H100 host: 8 GB/s pageable,
/// 53 GB/s pinned), and a fresh destination's pages fault in on the copying thread; here the host
/// side of each chunk is copied by all cores while the other buffer's DMA runs.
struct Staging {
    ptrs: [*mut u8; 2],
    events: [sys::CUevent; 2],
    ctx: Arc<CudaContext>,
}

// SAFETY: the pointers are pinned host allocations owned by this value, used under the
// device's mutex only.
unsafe impl Send for Staging {}

impl Staging {
    fn new(ctx: Arc<CudaContext>) -> Result<Self> {
        ctx.bind_to_thread().map_err(cuda_err)?;
        let mut st = Staging { ptrs: [std::ptr::null_mut(); 2], events: [std::ptr::null_mut(); 2], ctx };
        for k in 0..2 {
            // SAFETY: context bound; freed in Drop (null entries are skipped there).
            st.ptrs[k] = unsafe { result::malloc_host(STAGE_BYTES, 0) }
                .map_err(|_| Error::OutOfMemory { bytes: STAGE_BYTES, backend: "cuda (pinned host)" })?
                .cast();
            st.events[k] = result::event::create(sys::CUevent_flags::CU_EVENT_DISABLE_TIMING).map_err(cuda_err)?;
        }
        Ok(st)
    }

    fn buffer(&mut self, k: usize) -> &mut [u8] {
        // SAFETY: ptrs[k] is a live allocation of STAGE_BYTES bytes, borrowed through &mut self.
        unsafe { std::slice::from_raw_parts_mut(self.ptrs[k], STAGE_BYTES) }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.ctx.bind_to_thread().is_err() {
            return;
        }
        for k in 0..2 {
            // SAFETY: created/allocated in this context by `new`, released once.
            unsafe {
                if !self.events[k].is_null() {
                    let _ = result::event::destroy(self.events[k]);
                }
                if !self.ptrs[k].is_null() {
                    let _ = result::free_host(self.ptrs[k].cast());
                }
            }
        }
    }
}

/// `dst.copy_from_slice(src)` on every core.
fn parallel_copy(src: &[u8], dst: &mut [u8]) {
    use rayon::prelude::*;
    const PIECE: usize = 256 << 10;
    dst.par_chunks_mut(PIECE).zip(src.par_chunks(PIECE)).for_each(|(d, s)| d.copy_from_slice(s));
}
