//! The `emu` backend: kernels compiled as host C++ against kernels/emu/, launched through the
//! same [`Launch`] plans as CUDA. Slow, exact and deterministic for a given schedule; never
//! picked by `auto`.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::plan::{ArgWords, DeviceProps, Launch};
use super::profile::{self, KernelProfile, RawProfile};
use super::RawBuffer;
use crate::error::{EmuErrorKind, Error, Result};

#[repr(C)]
struct ChkEmuConfig {
    schedule: u32,
    threads: u32,
    seed: u64,
    stack_bytes: u64,
    max_dynamic_shared: u64,
}

extern "C" {
    fn chk_emu_launch(
        name: *const c_char,
        grid: *const u32,
        block: *const u32,
        dyn_shared: u32,
        args: *mut *mut c_void,
        cfg: *const ChkEmuConfig,
        err: *mut c_char,
        err_len: usize,
    ) -> c_int;
    fn chk_emu_kernel_count() -> usize;
    fn chk_emu_kernel_name(i: usize) -> *const c_char;
    fn chk_emu_tsan_enabled() -> c_int;
}

/// The order in which the fibers of a block run between synchronisation points. Correct
/// kernels give the same result under all of them; racy ones usually do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Thread 0 first, like a GPU warp scheduler tends to.
    Forward,
    /// Last thread first.
    Reverse,
    /// A fresh shuffle at every scheduling pass, from this seed (and the block index).
    Random(u64),
}

impl Schedule {
    /// All three kinds, the random one with `seed`: what kernel tests run under.
    pub fn all(seed: u64) -> [Schedule; 3] {
        [Schedule::Forward, Schedule::Reverse, Schedule::Random(seed)]
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Forward => f.write_str("forward"),
            Self::Reverse => f.write_str("reverse"),
            Self::Random(s) => write!(f, "random:{s}"),
        }
    }
}

impl std::str::FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "forward" => Ok(Self::Forward),
            "reverse" => Ok(Self::Reverse),
            "random" => Ok(Self::Random(0)),
            _ => s
                .strip_prefix("random:")
                .and_then(|seed| seed.parse().ok())
                .map(Self::Random)
                .ok_or_else(|| format!("unknown schedule `{s}` (forward, reverse, random or random:SEED)")),
        }
    }
}

/// How the emulator runs kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmuConfig {
    pub schedule: Schedule,
    /// OS threads that run blocks; 0 = one per core.
    pub threads: u32,
    /// Stack of each emulated GPU thread. Kernels with large local arrays need more
    /// (`ptxas -v` reports each kernel's frame, `cherenkov info --kernels` lists it).
    pub stack_bytes: usize,
    /// Dynamic shared memory per block the emulated device offers. Lower it to emulate a small
    /// device: kernels that size their tiles by it then split work into more passes, so
    /// multi-pass paths are exercised at sizes the emulator runs quickly.
    pub max_dynamic_shared: u32,
    /// Test-only fault injection (`CHERENKOV_EMU_FAULT=BYTE`): every download of a buffer longer
    /// than BYTE bytes comes back with the lowest bit of that byte flipped — a deliberately
    /// broken device, so tests can show that `cherenkov check` catches one.
    #[doc(hidden)]
    pub fault_byte: Option<usize>,
    /// Record every launch's access profile ([`super::profile`]; `CHERENKOV_EMU_PROFILE=1`):
    /// [`super::Engine::take_profiles`] returns them. Launches then run one at a time,
    /// through the instrumented build of the kernels (several times slower).
    pub profile: bool,
    /// The SMs the emulated device reports ([`EMU_PROPS`]: 4, so grids stay small). Launch plans
    /// size grid-stride grids by it: a profile of what a GPU would run sets the GPU's count.
    pub sm_count: u32,
    /// Device memory the emulated device has ([`EMU_MEMORY`] by default): what memory plans size
    /// against, and a limit its allocations enforce (live buffers and the pool's, together), so
    /// a small device's `OutOfMemory` paths run here (`CHERENKOV_EMU_MEMORY_MB`).
    pub memory_bytes: usize,
}

/// The emulator's default device memory: a nominal 2 GiB.
pub const EMU_MEMORY: usize = 2 << 30;

impl Default for EmuConfig {
    fn default() -> Self {
        Self {
            schedule: Schedule::Forward,
            threads: 0,
            stack_bytes: 128 << 10,
            max_dynamic_shared: EMU_PROPS.max_dynamic_shared,
            fault_byte: None,
            profile: false,
            sm_count: EMU_PROPS.sm_count,
            memory_bytes: EMU_MEMORY,
        }
    }
}

impl EmuConfig {
    /// The defaults, overridden by `CHERENKOV_EMU_SCHEDULE` (forward|reverse|random[:SEED]),
    /// `CHERENKOV_EMU_THREADS`, `CHERENKOV_EMU_STACK_KB`, `CHERENKOV_EMU_SHARED_BYTES` and
    /// `CHERENKOV_EMU_PROFILE` (0 or 1) and `CHERENKOV_EMU_MEMORY_MB`.
    /// Malformed values are errors.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`EmuConfig::from_env`] over any source of variables (`var(name)`: the value if set).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut cfg = Self::default();
        let bad = |var: &str, reason: String| Error::Config { name: var.to_string(), reason };
        if let Some(s) = var("CHERENKOV_EMU_SCHEDULE") {
            cfg.schedule = s.parse().map_err(|e| bad("CHERENKOV_EMU_SCHEDULE", e))?;
        }
        if let Some(s) = var("CHERENKOV_EMU_THREADS") {
            cfg.threads = s.parse().map_err(|_| bad("CHERENKOV_EMU_THREADS", format!("`{s}` is not a number")))?;
        }
        if let Some(s) = var("CHERENKOV_EMU_STACK_KB") {
            let kb: usize = s.parse().map_err(|_| bad("CHERENKOV_EMU_STACK_KB", format!("`{s}` is not a number")))?;
            cfg.stack_bytes =
                kb.checked_mul(1024).ok_or_else(|| bad("CHERENKOV_EMU_STACK_KB", format!("{kb} KiB overflows")))?;
        }
        if let Some(s) = var("CHERENKOV_EMU_SHARED_BYTES") {
            let var = "CHERENKOV_EMU_SHARED_BYTES";
            let b: u32 = s.parse().map_err(|_| bad(var, format!("`{s}` is not a number")))?;
            if !(64..=EMU_PROPS.max_dynamic_shared).contains(&b) {
                return Err(bad(var, format!("{b} is outside 64..={}", EMU_PROPS.max_dynamic_shared)));
            }
            cfg.max_dynamic_shared = b;
        }
        if let Some(s) = var("CHERENKOV_EMU_PROFILE") {
            cfg.profile = match s.as_str() {
                "" | "0" => false,
                "1" => true,
                _ => return Err(bad("CHERENKOV_EMU_PROFILE", format!("`{s}` is not 0 or 1"))),
            };
        }
        if let Some(s) = var("CHERENKOV_EMU_MEMORY_MB") {
            let var = "CHERENKOV_EMU_MEMORY_MB";
            let mb: usize = s.parse().map_err(|_| bad(var, format!("`{s}` is not a number")))?;
            cfg.memory_bytes = mb.checked_mul(1 << 20).ok_or_else(|| bad(var, format!("{mb} MiB overflows")))?;
        }
        if let Some(s) = var("CHERENKOV_EMU_FAULT") {
            let byte = s.parse().map_err(|_| bad("CHERENKOV_EMU_FAULT", format!("`{s}` is not a byte offset")))?;
            cfg.fault_byte = Some(byte);
        }
        Ok(cfg)
    }
}

/// Device limits the emulator enforces and reports (those of an sm_90 GPU, with 4 "SMs" so that
/// grids stay small enough to emulate quickly).
pub const EMU_PROPS: DeviceProps = DeviceProps { sm_count: 4, max_threads_per_block: 1024, max_dynamic_shared: 232448 };

/// The emulated device.
#[derive(Debug, Clone, Default)]
pub struct EmuDevice {
    cfg: EmuConfig,
    /// Bytes its allocations hold now (shared by clones, given back as they drop).
    live: Arc<AtomicUsize>,
}

impl EmuDevice {
    pub fn new(cfg: EmuConfig) -> Self {
        Self { cfg, live: Arc::default() }
    }
    /// `bytes` of zeroed memory, within the configured device memory.
    pub(crate) fn alloc(&self, bytes: usize) -> Result<HostAlloc> {
        let live = self.live.fetch_add(bytes, Ordering::Relaxed);
        if live.checked_add(bytes).is_none_or(|total| total > self.cfg.memory_bytes) {
            self.live.fetch_sub(bytes, Ordering::Relaxed);
            return Err(Error::OutOfMemory { bytes, backend: "emu" });
        }
        let mut a = HostAlloc::zeroed(bytes).inspect_err(|_| {
            self.live.fetch_sub(bytes, Ordering::Relaxed);
        })?;
        a.live = Some(self.live.clone());
        Ok(a)
    }
    pub fn config(&self) -> EmuConfig {
        self.cfg
    }
    pub fn name(&self) -> String {
        let tsan = if tsan_enabled() { ", ThreadSanitizer" } else { "" };
        let tsan = if self.cfg.profile { ", profiled" } else { tsan };
        let shared = if self.cfg.max_dynamic_shared == EMU_PROPS.max_dynamic_shared {
            String::new()
        } else {
            format!(", {} B shared", self.cfg.max_dynamic_shared)
        };
        let sms = if self.cfg.sm_count == EMU_PROPS.sm_count {
            String::new()
        } else {
            format!(", {} SMs", self.cfg.sm_count)
        };
        let memory = if self.cfg.memory_bytes == EMU_MEMORY {
            String::new()
        } else {
            format!(", {} MiB", self.cfg.memory_bytes >> 20)
        };
        format!("emu ({} schedule{shared}{sms}{memory}{tsan})", self.cfg.schedule)
    }
    pub fn props(&self) -> DeviceProps {
        DeviceProps { max_dynamic_shared: self.cfg.max_dynamic_shared, sm_count: self.cfg.sm_count.max(1), ..EMU_PROPS }
    }

    /// Runs `launch`; its access profile when the configuration asks for one.
    pub(crate) fn launch(&self, launch: &Launch<'_>) -> Result<Option<KernelProfile>> {
        let mut words = ArgWords::marshal(launch, |b| match b {
            RawBuffer::Emu(a) => Some(a.ptr as u64),
            RawBuffer::Cuda(_) => None,
        })?;
        let mut ptrs = words.pointers();
        let (schedule, seed) = match self.cfg.schedule {
            Schedule::Forward => (0, 0),
            Schedule::Reverse => (1, 0),
            Schedule::Random(s) => (2, s),
        };
        let cfg = ChkEmuConfig {
            schedule,
            threads: self.cfg.threads,
            seed,
            stack_bytes: self.cfg.stack_bytes as u64,
            max_dynamic_shared: EMU_PROPS.max_dynamic_shared as u64,
        };
        let name = CString::new(launch.kernel).map_err(|_| Error::UnknownKernel(launch.kernel.into()))?;
        let mut err = [0 as c_char; 1024];
        let grid = launch.grid.as_array();
        let block = launch.block.as_array();
        let mut raw = RawProfile::default();
        // SAFETY: every pointer is valid for the call; the kernel's own accesses are the
        // caller's contract (Gpu::launch is unsafe).
        let code = unsafe {
            if self.cfg.profile {
                profile::entry()?(
                    name.as_ptr(),
                    grid.as_ptr(),
                    block.as_ptr(),
                    launch.shared_bytes,
                    ptrs.as_mut_ptr(),
                    (&cfg as *const ChkEmuConfig).cast(),
                    profile::MAX_SAMPLED_BLOCKS,
                    &mut raw,
                    err.as_mut_ptr(),
                    err.len(),
                )
            } else {
                chk_emu_launch(
                    name.as_ptr(),
                    grid.as_ptr(),
                    block.as_ptr(),
                    launch.shared_bytes,
                    ptrs.as_mut_ptr(),
                    &cfg,
                    err.as_mut_ptr(),
                    err.len(),
                )
            }
        };
        if code == 0 {
            let profiled = self
                .cfg
                .profile
                .then(|| KernelProfile::new(launch.kernel, launch.grid, launch.block, launch.shared_bytes, &raw));
            return Ok(profiled);
        }
        // SAFETY: the launch NUL-terminates what it writes into `err`.
        let message = unsafe { CStr::from_ptr(err.as_ptr()) }.to_string_lossy().into_owned();
        let kind = match code {
            1 => return Err(Error::UnknownKernel(launch.kernel.into())),
            2 => EmuErrorKind::InvalidConfig,
            3 => EmuErrorKind::Deadlock,
            4 => EmuErrorKind::BarrierDivergence,
            5 => EmuErrorKind::WarpMisuse,
            6 => EmuErrorKind::DataRace,
            7 => EmuErrorKind::Resource,
            _ => EmuErrorKind::Internal,
        };
        Err(Error::Emulator { kind, message })
    }
}

/// Every kernel the emulator build contains.
pub fn kernel_names() -> Vec<&'static str> {
    // SAFETY: the registry is a static table of NUL-terminated names.
    (0..unsafe { chk_emu_kernel_count() })
        .filter_map(|i| unsafe {
            let p = chk_emu_kernel_name(i);
            (!p.is_null()).then(|| CStr::from_ptr(p).to_str().ok()).flatten()
        })
        .collect()
}

/// Whether this build of the emulator runs under ThreadSanitizer (`CHERENKOV_EMU_TSAN=1`).
pub fn tsan_enabled() -> bool {
    // SAFETY: no arguments, reads a compile-time constant.
    unsafe { chk_emu_tsan_enabled() != 0 }
}

const HOST_ALIGN: usize = 256;

/// Zeroed, 256-byte aligned host memory standing in for device memory.
pub struct HostAlloc {
    pub(crate) ptr: *mut u8,
    bytes: usize,
    /// The emulated device's count of live bytes, when it made this allocation.
    live: Option<Arc<AtomicUsize>>,
}

// SAFETY: a plain allocation; kernels and copies are ordered by the launches that use it.
unsafe impl Send for HostAlloc {}
unsafe impl Sync for HostAlloc {}

impl fmt::Debug for HostAlloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostAlloc({} bytes)", self.bytes)
    }
}

impl HostAlloc {
    pub fn zeroed(bytes: usize) -> Result<Self> {
        if bytes == 0 {
            return Ok(Self { ptr: HOST_ALIGN as *mut u8, bytes, live: None });
        }
        let layout =
            Layout::from_size_align(bytes, HOST_ALIGN).map_err(|_| Error::SizeOverflow(format!("{bytes} bytes")))?;
        // SAFETY: non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        if ptr.is_null() {
            return Err(Error::OutOfMemory { bytes, backend: "emu" });
        }
        Ok(Self { ptr, bytes, live: None })
    }
    pub fn bytes(&self) -> usize {
        self.bytes
    }
    pub(crate) fn zero(&self) {
        self.fill(0);
    }
    /// Sets every byte to `byte`.
    pub(crate) fn fill(&self, byte: u8) {
        // SAFETY: `bytes` bytes at `ptr` (none when empty).
        unsafe { std::ptr::write_bytes(self.ptr, byte, self.bytes) }
    }
    /// Copies `src` to byte `offset`: disjoint pieces of one buffer, written from several
    /// threads at once.
    pub(crate) fn write_at(&self, offset: usize, src: &[u8]) {
        assert!(offset.checked_add(src.len()).is_some_and(|end| end <= self.bytes));
        // SAFETY: in bounds (asserted), distinct allocations.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr.add(offset), src.len()) }
    }
    /// Copies the bytes at `offset` into `dst`.
    pub(crate) fn read_at(&self, offset: usize, dst: &mut [u8]) {
        assert!(offset.checked_add(dst.len()).is_some_and(|end| end <= self.bytes));
        // SAFETY: in bounds (asserted), distinct allocations.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.add(offset), dst.as_mut_ptr(), dst.len()) }
    }
}

impl Drop for HostAlloc {
    fn drop(&mut self) {
        if let Some(live) = &self.live {
            live.fetch_sub(self.bytes, Ordering::Relaxed);
        }
        if self.bytes != 0 {
            // SAFETY: allocated in `zeroed` with this layout.
            unsafe { dealloc(self.ptr, Layout::from_size_align_unchecked(self.bytes, HOST_ALIGN)) }
        }
    }
}
