//! Device memory and kernel launches, the same calls for the `emu` and the `cuda` backend.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use bytemuck::Pod;
use rayon::prelude::*;

use super::cuda::{CudaAlloc, CudaDevice};
use super::emu::{EmuDevice, HostAlloc};
use super::plan::{DeviceProps, Launch};
use super::profile::KernelProfile;
use super::stats::{Counters, DeviceStats};
use crate::error::{Error, Result};
use crate::verify::SelfCheck;

/// A host pass riding on a transfer ([`Gpu::upload_visit`], [`Gpu::download_into_visit`]):
/// `f(first, piece)` sees every piece of the host-side data once — `first` the index of its
/// first element, pieces whole multiples of `unit` elements, several at once on different
/// threads — right after the piece is copied, while it is still in cache. A self-check's
/// combination of a matrix's rows costs its arithmetic this way, not a pass over memory.
#[derive(Clone, Copy)]
pub struct Visit<'a, T> {
    /// Elements of one unit a piece never splits (a matrix row).
    pub unit: usize,
    pub f: &'a dyn Visitor<T>,
}

/// What a transfer shows its pieces to: any `Fn(first, piece) + Sync`, or a type of its own
/// (the self-check's `Combiner`).
pub trait Visitor<T>: Sync {
    fn see(&self, first: usize, piece: &[T]);
}

impl<T, G: Fn(usize, &[T]) + Sync> Visitor<T> for G {
    fn see(&self, first: usize, piece: &[T]) {
        self(first, piece)
    }
}

/// Bytes per visited piece: in a core's L2 when the visitor reads it after the copy.
const VISIT_PIECE_BYTES: usize = 256 << 10;

/// Elements per piece of an unvisited emulator transfer.
fn default_piece<T>() -> usize {
    (VISIT_PIECE_BYTES / size_of::<T>().max(1)).max(1)
}

impl<T: Sync> Visit<'_, T> {
    fn unit_bytes(&self) -> usize {
        self.unit.max(1).saturating_mul(size_of::<T>())
    }
    /// Elements per piece: whole units, about [`VISIT_PIECE_BYTES`].
    fn piece(&self) -> usize {
        let unit = self.unit.max(1);
        (VISIT_PIECE_BYTES / size_of::<T>().max(1) / unit).max(1) * unit
    }
    /// Visits `data`, whose first element is element `first` of the transfer, piece by piece in
    /// parallel.
    fn run(&self, first: usize, data: &[T]) {
        let piece = self.piece();
        data.par_chunks(piece).enumerate().for_each(|(i, p)| self.f.see(first + i * piece, p));
    }
}

/// Untyped device memory of one backend.
#[derive(Debug)]
pub enum RawBuffer {
    Emu(HostAlloc),
    Cuda(CudaAlloc),
}

impl RawBuffer {
    pub fn bytes(&self) -> usize {
        match self {
            Self::Emu(a) => a.bytes(),
            Self::Cuda(a) => a.bytes(),
        }
    }
}

/// `len` elements of `T` in device memory (host memory for the emulator). Dropped, its memory
/// goes back to its device's pool ([`Gpu::alloc`]) while the device is alive.
#[derive(Debug)]
pub struct DeviceBuffer<T> {
    /// Present until the buffer is dropped.
    raw: Option<RawBuffer>,
    len: usize,
    home: Weak<Shared>,
    _elem: PhantomData<T>,
}

impl<T> DeviceBuffer<T> {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn raw(&self) -> &RawBuffer {
        self.raw.as_ref().expect("a buffer holds its memory until dropped")
    }
}

impl<T> Drop for DeviceBuffer<T> {
    fn drop(&mut self) {
        if let (Some(raw), Some(home)) = (self.raw.take(), self.home.upgrade()) {
            home.give_back(raw);
        }
    }
}

/// What the clones of one [`Gpu`] share: the counters, the memory pool and the emulator's
/// launch profiles.
#[derive(Debug, Default)]
struct Shared {
    counters: Counters,
    pool: Mutex<Pool>,
    profiles: Mutex<Vec<KernelProfile>>,
}

/// Device memory of dropped buffers, by size in bytes, handed out again to allocations of the
/// same size: repeated operations of one shape allocate nothing (no `cuMemAlloc`, no implicit
/// synchronization). Reuse is safe without waiting because every launch and transfer of a
/// device goes through its one stream, in order. At most [`POOL_FRACTION`] of the device's
/// memory stays cached; an allocation the device refuses empties the pool and is tried again.
#[derive(Debug, Default)]
struct Pool {
    free: HashMap<usize, Vec<RawBuffer>>,
    cached: usize,
    limit: usize,
}

/// The pool keeps at most 1 / POOL_FRACTION of the device's memory.
const POOL_FRACTION: usize = 4;

impl Shared {
    fn give_back(&self, raw: RawBuffer) {
        let bytes = raw.bytes();
        // Under the emulator's ThreadSanitizer build a reused buffer's accesses by an earlier
        // launch's fibers would look unordered with the next launch's: there memory is freed
        // (and the next allocation fresh, which ThreadSanitizer tracks).
        let unpooled = matches!(raw, RawBuffer::Emu(_)) && super::emu::tsan_enabled();
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if bytes == 0 || unpooled || pool.cached + bytes > pool.limit {
            drop(pool);
            drop(raw); // freed outside the lock
            return;
        }
        pool.cached += bytes;
        pool.free.entry(bytes).or_default().push(raw);
    }
    fn take(&self, bytes: usize) -> Option<RawBuffer> {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        let raw = pool.free.get_mut(&bytes)?.pop()?;
        pool.cached -= bytes;
        Some(raw)
    }
    /// Frees every cached buffer (before retrying an allocation the device refused).
    fn drain(&self) {
        let free = {
            let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            pool.cached = 0;
            std::mem::take(&mut pool.free)
        };
        drop(free); // freed outside the lock
    }
}

/// The device behind a [`Gpu`]: the emulator or a CUDA GPU.
#[derive(Debug, Clone)]
pub enum Device {
    Emu(EmuDevice),
    Cuda(Arc<CudaDevice>),
}

/// A device that runs kernels, with the engine's options: whether its results are checked on
/// the host ([`SelfCheck`]).
#[derive(Debug, Clone)]
pub struct Gpu {
    device: Device,
    self_check: Option<SelfCheck>,
    shared: Arc<Shared>,
}

/// The alignment, in 32-bit words, of each array of [`Gpu::upload_packed`]: 16 bytes.
pub const PACK_WORDS: usize = 4;

pub(crate) fn byte_len<T>(len: usize) -> Result<usize> {
    len.checked_mul(size_of::<T>())
        .filter(|b| *b <= isize::MAX as usize)
        .ok_or_else(|| Error::SizeOverflow(format!("{len} elements of {} bytes", size_of::<T>())))
}

impl Gpu {
    /// The emulator, results unchecked.
    pub fn emu(device: EmuDevice) -> Self {
        Self::new(Device::Emu(device))
    }
    /// A CUDA GPU, results unchecked.
    pub fn cuda(device: Arc<CudaDevice>) -> Self {
        Self::new(Device::Cuda(device))
    }
    fn new(device: Device) -> Self {
        let limit = match &device {
            Device::Emu(e) => e.config().memory_bytes,
            Device::Cuda(c) => c.info().total_mem,
        } / POOL_FRACTION;
        let pool = Mutex::new(Pool { limit, ..Pool::default() });
        let shared = Shared { counters: Counters::default(), pool, profiles: Mutex::default() };
        Self { device, self_check: None, shared: Arc::new(shared) }
    }
    pub fn device(&self) -> &Device {
        &self.device
    }
    /// This device with its results checked on the host as `check` says (`None`: unchecked).
    pub fn with_self_check(mut self, check: Option<SelfCheck>) -> Self {
        self.self_check = check;
        self
    }
    /// The self-check of this engine, if it has one.
    pub fn self_check(&self) -> Option<&SelfCheck> {
        self.self_check.as_ref()
    }
    /// The device work done through this handle and its clones so far.
    pub fn stats(&self) -> DeviceStats {
        self.shared.counters.get()
    }
    /// Zeroes [`Gpu::stats`] (for this handle and its clones).
    pub fn reset_stats(&self) {
        self.shared.counters.reset()
    }

    /// Whether `other` is a handle of this device (clones share its memory and counters).
    pub fn same_device(&self, other: &Gpu) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The launch profiles recorded since the last call ([`super::profile`]).
    pub fn take_profiles(&self) -> Vec<KernelProfile> {
        std::mem::take(&mut *self.shared.profiles.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A short description: `emu (forward, 2 threads)` or `cuda:0 NVIDIA H100`.
    pub fn name(&self) -> String {
        let name = match &self.device {
            Device::Emu(e) => e.name(),
            Device::Cuda(c) => c.name(),
        };
        match &self.self_check {
            Some(check) => format!("{name}, {check}"),
            None => name,
        }
    }

    pub fn props(&self) -> DeviceProps {
        match &self.device {
            Device::Emu(e) => e.props(),
            Device::Cuda(c) => c.props(),
        }
    }

    /// Device memory in bytes: the GPU's total; for the emulator (which allocates host memory)
    /// its configured size ([`super::EmuConfig::memory_bytes`], a nominal 2 GiB by default),
    /// which its allocations respect. What MSM chunking and other memory plans size against.
    pub fn total_memory(&self) -> usize {
        match &self.device {
            Device::Emu(e) => e.config().memory_bytes,
            Device::Cuda(c) => c.info().total_mem,
        }
    }

    /// `len` zeroed elements: from the pool when it holds a buffer of this size (then zeroed in
    /// stream order, a memset and no synchronization), else fresh device memory.
    pub fn alloc<T: Pod>(&self, len: usize) -> Result<DeviceBuffer<T>> {
        self.alloc_with(len, true)
    }

    /// `len` elements whose contents are unspecified (whatever the pooled buffer held): for
    /// outputs a kernel writes in full. On the emulator every byte is [`EMU_POISON`]: a kernel
    /// that reads an element nobody wrote gets the same wrong value on every run, where a
    /// pooled buffer's leftovers would depend on what ran before it (and on threads' timing).
    pub fn alloc_uninit<T: Pod>(&self, len: usize) -> Result<DeviceBuffer<T>> {
        let buf = self.alloc_with(len, false)?;
        if let RawBuffer::Emu(a) = buf.raw() {
            a.fill(EMU_POISON);
        }
        Ok(buf)
    }

    fn alloc_with<T: Pod>(&self, len: usize, zeroed: bool) -> Result<DeviceBuffer<T>> {
        let _t = trace::span("alloc", || format!("{len} x {}B", size_of::<T>()));
        let bytes = byte_len::<T>(len)?;
        let raw = match self.shared.take(bytes) {
            Some(raw) => {
                self.shared.counters.reuse();
                if zeroed {
                    match (&raw, &self.device) {
                        (RawBuffer::Emu(a), Device::Emu(_)) => a.zero(),
                        (RawBuffer::Cuda(a), Device::Cuda(c)) => c.zero(a)?,
                        _ => unreachable!("a pool holds its own device's memory"),
                    }
                }
                raw
            }
            None => {
                let fresh = || match &self.device {
                    Device::Emu(e) => e.alloc(bytes).map(RawBuffer::Emu),
                    Device::Cuda(c) => c.alloc(bytes, zeroed).map(RawBuffer::Cuda),
                };
                let raw = match fresh() {
                    Err(Error::OutOfMemory { .. }) => {
                        self.shared.drain();
                        fresh()?
                    }
                    other => other?,
                };
                self.shared.counters.allocation(bytes);
                raw
            }
        };
        Ok(DeviceBuffer { raw: Some(raw), len, home: Arc::downgrade(&self.shared), _elem: PhantomData })
    }

    pub fn upload<T: Pod + Send + Sync>(&self, data: &[T]) -> Result<DeviceBuffer<T>> {
        self.upload_visit(data, None)
    }

    /// Several small arrays in one upload — one synchronization where an upload each takes one
    /// per array: their concatenation, each array starting at a multiple of [`PACK_WORDS`]
    /// words (a vector load's alignment) and holding at least one (an empty array still gets a
    /// valid address). Returns the buffer and where each array starts, for [`Launch::buf_at`].
    pub fn upload_packed(&self, parts: &[&[u32]]) -> Result<(DeviceBuffer<u32>, Vec<usize>)> {
        let mut starts = Vec::with_capacity(parts.len());
        let mut len = 0usize;
        for p in parts {
            starts.push(len);
            let room = p.len().max(1).checked_next_multiple_of(PACK_WORDS);
            len = room.and_then(|r| r.checked_add(len)).ok_or_else(|| Error::SizeOverflow("a packed upload".into()))?;
        }
        let mut words = crate::mem::zeroed::<u32>(len)?;
        for (p, &at) in parts.iter().zip(&starts) {
            words[at..at + p.len()].copy_from_slice(p);
        }
        Ok((self.upload(&words)?, starts))
    }

    /// [`Gpu::upload`], `visit` shown every piece of `data` right after the piece is copied.
    pub fn upload_visit<T: Pod + Send + Sync>(
        &self,
        data: &[T],
        visit: Option<Visit<'_, T>>,
    ) -> Result<DeviceBuffer<T>> {
        let buf = self.alloc_with::<T>(data.len(), false)?;
        // After the allocation, which has a span of its own: spans never nest.
        let _t = trace::span("upload", || format!("{} bytes", size_of_val(data)));
        let src: &[u8] = bytemuck::cast_slice(data);
        self.shared.counters.upload(src.len());
        match (buf.raw(), &self.device, visit) {
            // In pieces on every core (as the cuda staging copies), visited or not.
            (RawBuffer::Emu(a), Device::Emu(_), v) => {
                let piece = v.map_or(default_piece::<T>(), |v| v.piece());
                data.par_chunks(piece).enumerate().for_each(|(i, p)| {
                    a.write_at(i * piece * size_of::<T>(), bytemuck::cast_slice(p));
                    if let Some(v) = v {
                        v.f.see(i * piece, p);
                    }
                });
            }
            (RawBuffer::Cuda(a), Device::Cuda(c), v) => {
                let after = |offset: usize, chunk: &[u8]| {
                    if let Some(v) = v {
                        v.run(offset / size_of::<T>(), bytemuck::cast_slice(chunk));
                    }
                };
                c.write(a, src, v.map(|v| (v.unit_bytes(), &after as &(dyn Fn(usize, &[u8]) + Sync))))?
            }
            _ => unreachable!("alloc returns a buffer of this device's kind"),
        }
        Ok(buf)
    }

    pub fn download<T: Pod + Send + Sync>(&self, buf: &DeviceBuffer<T>) -> Result<Vec<T>> {
        let mut out = crate::mem::zeroed::<T>(buf.len)?;
        self.download_into(buf, &mut out)?;
        Ok(out)
    }

    /// Copies `buf` into `dst` (the same length): the caller's memory, already in use, instead
    /// of a fresh allocation whose pages would fault in during the copy.
    pub fn download_into<T: Pod + Send + Sync>(&self, buf: &DeviceBuffer<T>, dst: &mut [T]) -> Result<()> {
        self.download_into_visit(buf, dst, None)
    }

    /// [`Gpu::download_into`], `visit` shown every piece of `dst` right after the piece holds
    /// the data.
    pub fn download_into_visit<T: Pod + Send + Sync>(
        &self,
        buf: &DeviceBuffer<T>,
        dst: &mut [T],
        visit: Option<Visit<'_, T>>,
    ) -> Result<()> {
        if dst.len() != buf.len {
            return Err(Error::LengthMismatch { what: "download destination", expected: buf.len, got: dst.len() });
        }
        self.copy_down(buf, 0, dst, visit)
    }

    /// The `len` elements of `buf` from element `start`: one value out of a large buffer (a
    /// tree's root) without copying the rest.
    pub fn download_range<T: Pod + Send + Sync>(
        &self,
        buf: &DeviceBuffer<T>,
        start: usize,
        len: usize,
    ) -> Result<Vec<T>> {
        if start.checked_add(len).is_none_or(|end| end > buf.len) {
            return Err(Error::IndexOutOfBounds { index: start.saturating_add(len), len: buf.len });
        }
        let mut out = crate::mem::zeroed::<T>(len)?;
        self.copy_down(buf, start, &mut out, None)?;
        Ok(out)
    }

    /// Copies `dst.len()` elements of `buf` from element `start` (in bounds: checked by the
    /// callers) into `dst`.
    fn copy_down<T: Pod + Send + Sync>(
        &self,
        buf: &DeviceBuffer<T>,
        start: usize,
        dst: &mut [T],
        visit: Option<Visit<'_, T>>,
    ) -> Result<()> {
        let _t = trace::span("download", || format!("{} bytes", size_of_val(dst)));
        let size = size_of::<T>();
        let base = start * size;
        self.shared.counters.download(size_of_val(dst));
        match (buf.raw(), &self.device) {
            (RawBuffer::Emu(a), Device::Emu(e)) => {
                let fault = e.config().fault_byte.filter(|&b| b < size_of_val(dst));
                let piece = visit.map_or(default_piece::<T>(), |v| v.piece());
                dst.par_chunks_mut(piece).enumerate().for_each(|(i, p)| {
                    let bytes: &mut [u8] = bytemuck::cast_slice_mut(p);
                    let offset = i * piece * size;
                    a.read_at(base + offset, bytes);
                    // A transfer that flips a bit (the self-check's test), before anyone sees it.
                    if let Some(byte) = fault.filter(|b| (offset..offset + bytes.len()).contains(b)) {
                        bytes[byte - offset] ^= 1;
                    }
                    if let Some(v) = visit {
                        v.f.see(i * piece, p);
                    }
                });
            }
            (RawBuffer::Cuda(a), Device::Cuda(c)) => {
                // Chunks start at multiples of the unit's bytes in `dst`, so stay aligned for T.
                let after = |offset: usize, chunk: &[u8]| {
                    if let Some(v) = visit {
                        v.run(offset / size, bytemuck::cast_slice(chunk));
                    }
                };
                c.read(
                    a,
                    base,
                    bytemuck::cast_slice_mut(dst),
                    visit.map(|v| (v.unit_bytes(), &after as &(dyn Fn(usize, &[u8]) + Sync))),
                )?
            }
            _ => return Err(foreign_buffer("download")),
        }
        Ok(())
    }

    /// Runs one launch to completion.
    ///
    /// # Safety
    /// The kernel's accesses must stay inside the buffers passed to it: the caller checks the
    /// sizes the kernel derives its indices from.
    pub unsafe fn launch(&self, launch: &Launch<'_>) -> Result<()> {
        let _t = trace::span("launch", || format!("{} grid {:?} block {:?}", launch.kernel, launch.grid, launch.block));
        let props = self.props();
        if launch.block.volume() > props.max_threads_per_block as u64 {
            return Err(Error::InvalidLaunch {
                kernel: launch.kernel,
                reason: format!(
                    "{} threads per block, the device allows {}",
                    launch.block.volume(),
                    props.max_threads_per_block
                ),
            });
        }
        if launch.shared_bytes > props.max_dynamic_shared {
            return Err(Error::InvalidLaunch {
                kernel: launch.kernel,
                reason: format!(
                    "{} bytes of dynamic shared memory, the device allows {}",
                    launch.shared_bytes, props.max_dynamic_shared
                ),
            });
        }
        self.shared.counters.launch();
        match &self.device {
            Device::Emu(e) => {
                if let Some(p) = e.launch(launch)? {
                    if super::profile::print_enabled() {
                        eprintln!("[cherenkov profile] {p}");
                    }
                    self.shared.profiles.lock().unwrap_or_else(|e| e.into_inner()).push(p);
                }
                Ok(())
            }
            Device::Cuda(c) => c.launch(launch),
        }
    }

    /// Runs a plan's launches in order.
    ///
    /// # Safety
    /// As for [`Gpu::launch`], for every launch.
    pub unsafe fn run(&self, plan: &[Launch<'_>]) -> Result<()> {
        for l in plan {
            self.launch(l)?;
        }
        Ok(())
    }
}

/// Which device a resident value lives on: the emulator shares host memory, a GPU is its ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Residence {
    Emu,
    Cuda(usize),
}

/// The byte [`Gpu::alloc_uninit`] fills an emulated buffer with: 0xFFFFFFFF is no canonical
/// 31-bit field element, so a word read before it is written shows in any comparison.
pub const EMU_POISON: u8 = 0xff;

type ResidentCache = Mutex<HashMap<(Residence, TypeId, u64), Arc<dyn Any + Send + Sync>>>;

impl Gpu {
    fn residence(&self) -> Residence {
        match &self.device {
            Device::Emu(_) => Residence::Emu,
            Device::Cuda(c) => Residence::Cuda(c.info().ordinal),
        }
    }

    /// A value kept on this device for the life of the process (twiddle tables): the one stored
    /// under `(V, key)` if `usable` accepts it, else `make()`'s, which replaces it. Concurrent
    /// callers may both make a value; one that finds the other's stored and usable for it keeps
    /// that one, so the more capable value stays (a smaller twiddle table never evicts a larger).
    pub fn resident<V: Any + Send + Sync>(
        &self,
        key: u64,
        usable: impl Fn(&V) -> bool,
        make: impl FnOnce() -> Result<V>,
    ) -> Result<Arc<V>> {
        static CACHE: OnceLock<ResidentCache> = OnceLock::new();
        let slot = (self.residence(), TypeId::of::<V>(), key);
        let cache = CACHE.get_or_init(Default::default);
        let lock = || cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lock().get(&slot).cloned().and_then(|v| v.downcast::<V>().ok()) {
            if usable(&v) {
                return Ok(v);
            }
        }
        // Drop the stale value before making the new one: a GPU may not hold both.
        lock().remove(&slot);
        let v = Arc::new(make()?);
        let mut cache = lock();
        if let Some(stored) = cache.get(&slot).cloned().and_then(|s| s.downcast::<V>().ok()) {
            if usable(&stored) {
                return Ok(stored);
            }
        }
        cache.insert(slot, v.clone());
        Ok(v)
    }
}

pub(crate) fn foreign_buffer(op: &str) -> Error {
    Error::InvalidArgument(format!("{op}: buffer belongs to another backend"))
}

/// `CHERENKOV_TRACE=1`: every allocation, transfer and launch on a device, with its wall time,
/// on stderr (a traced cuda launch waits for its kernel, so its time is the kernel's; untraced
/// launches are queued). [`trace::collect`] gathers the same spans of one call in the program.
pub mod trace {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, Instant};

    fn printing() -> bool {
        static ON: OnceLock<bool> = OnceLock::new();
        *ON.get_or_init(|| std::env::var_os("CHERENKOV_TRACE").is_some_and(|v| !v.is_empty() && v != "0"))
    }

    static COLLECTING: AtomicBool = AtomicBool::new(false);
    static SPANS: Mutex<Vec<Spent>> = Mutex::new(Vec::new());
    /// One collection at a time.
    static COLLECTOR: Mutex<()> = Mutex::new(());

    /// Whether device calls are traced (printed or collected): then cuda launches wait for
    /// their kernels.
    pub fn enabled() -> bool {
        COLLECTING.load(Ordering::Relaxed) || printing()
    }

    /// One traced span: what it was (`alloc`, `upload`, `download`, `launch`, `encode`,
    /// `decode`) and how long it took.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Spent {
        pub what: &'static str,
        pub time: Duration,
    }

    /// Runs `f` with every device call traced, and returns the spans it made (on any thread of
    /// the process: collections take turns).
    pub fn collect<R>(f: impl FnOnce() -> R) -> (R, Vec<Spent>) {
        let _turn = COLLECTOR.lock().unwrap_or_else(|e| e.into_inner());
        SPANS.lock().unwrap_or_else(|e| e.into_inner()).clear();
        COLLECTING.store(true, Ordering::SeqCst);
        let r = f();
        COLLECTING.store(false, Ordering::SeqCst);
        (r, std::mem::take(&mut *SPANS.lock().unwrap_or_else(|e| e.into_inner())))
    }

    pub(crate) struct Span {
        what: &'static str,
        detail: String,
        start: Instant,
    }

    pub(crate) fn span(what: &'static str, detail: impl FnOnce() -> String) -> Option<Span> {
        enabled().then(|| Span {
            what,
            detail: if printing() { detail() } else { String::new() },
            start: Instant::now(),
        })
    }

    impl Drop for Span {
        fn drop(&mut self) {
            let time = self.start.elapsed();
            if COLLECTING.load(Ordering::Relaxed) {
                SPANS.lock().unwrap_or_else(|e| e.into_inner()).push(Spent { what: self.what, time });
            }
            if printing() {
                eprintln!("[cherenkov] {:>9.3} ms  {:<8} {}", time.as_secs_f64() * 1e3, self.what, self.detail);
            }
        }
    }
}
