//! The emulator's access profile: what each launch's warps ask of the memory system, measured
//! without a GPU (`CHERENKOV_EMU_PROFILE=1`, or [`super::EmuConfig::profile`]).
//!
//! A second build of the kernels (build.rs, kernels/emu/profile.h) has every load, store and
//! atomic instrumented; it is a shared library of its own, loaded on the first profiled launch.
//! For each warp-level access it counts 32-byte sectors (global memory: coalescing) or
//! wavefronts (shared memory: bank conflicts); it also counts barriers, warp operations and the
//! field operations the kernels' arithmetic performs. [`crate::roofline`] turns a profile into a
//! time estimate for named GPUs.

use std::ffi::{c_char, c_int, c_void};
use std::sync::OnceLock;

use super::plan::Dim3;
use crate::error::{Error, Result};

/// Mirrors `chk_emu_profile` (kernels/emu/profile.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawProfile {
    blocks: u64,
    sampled_blocks: u64,
    threads_per_block: u64,
    global_load_requests: u64,
    global_load_sectors: u64,
    global_load_bytes: u64,
    global_store_requests: u64,
    global_store_sectors: u64,
    global_store_bytes: u64,
    global_atomics: u64,
    global_unique_load_sectors: u64,
    global_unique_store_sectors: u64,
    shared_load_requests: u64,
    shared_store_requests: u64,
    shared_wavefronts: u64,
    shared_ideal_wavefronts: u64,
    shared_max_ways: u64,
    shared_atomics: u64,
    barriers: u64,
    warp_ops: u64,
    local_accesses: u64,
    const_accesses: u64,
    ops: [u64; 8],
    busiest_thread_ops: [u64; 8],
}

/// Field operations a launch performed, lane by lane (kernels/emu/compat.h: `chk_profile_op`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FieldOps {
    /// BabyBear/KoalaBear products (extension products count their base products).
    pub mont31_mul: f64,
    /// BabyBear/KoalaBear additions and subtractions.
    pub mont31_add: f64,
    /// BN254 Fr/Fq products.
    pub mont256_mul: f64,
    /// BN254 Fr/Fq additions and subtractions.
    pub mont256_add: f64,
}

/// What one launch asked of the memory system, for the whole grid: the sampled blocks' counts
/// times blocks / sampled blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AccessCounts {
    /// Warp-level global loads, the 32-byte sectors they touched and the distinct bytes their
    /// lanes asked for.
    pub global_load_requests: f64,
    pub global_load_sectors: f64,
    pub global_load_bytes: f64,
    /// The same for global stores.
    pub global_store_requests: f64,
    pub global_store_sectors: f64,
    pub global_store_bytes: f64,
    /// Lane-level atomic operations on global memory.
    pub global_atomics: f64,
    /// Distinct global sectors loaded plus distinct sectors stored: the DRAM traffic if every
    /// reuse hits in L2 (a sector loaded and then stored moves twice).
    pub dram_sectors: f64,
    /// Warp-level shared-memory loads and stores.
    pub shared_requests: f64,
    /// The wavefronts they took, and what they would take without bank conflicts.
    pub shared_wavefronts: f64,
    pub shared_ideal_wavefronts: f64,
    /// Lane-level atomic operations on shared memory.
    pub shared_atomics: f64,
    /// `__syncthreads` passed, over all blocks.
    pub barriers: f64,
    /// Warp-level shuffles, votes and `__syncwarp`s.
    pub warp_ops: f64,
    /// Accesses to a thread's own stack (registers, or local memory, on a GPU) and to constant
    /// tables: not memory traffic the profile scores.
    pub local_accesses: f64,
    pub const_accesses: f64,
    pub ops: FieldOps,
}

/// One profiled launch.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelProfile {
    pub kernel: &'static str,
    pub grid: Dim3,
    pub block: Dim3,
    /// Dynamic shared memory per block, bytes.
    pub shared_bytes: u32,
    /// Blocks whose accesses were recorded (all, or evenly spread runs of a large grid).
    pub sampled_blocks: u64,
    pub counts: AccessCounts,
    /// The worst bank conflict of one shared request (1 = none).
    pub shared_max_ways: u64,
    /// The field operations of the thread that performed the most, over every block (sampled
    /// or not, not scaled): its warp runs at least that long, and so does the launch.
    pub busiest_thread: FieldOps,
}

impl KernelProfile {
    pub(crate) fn new(kernel: &'static str, grid: Dim3, block: Dim3, shared_bytes: u32, raw: &RawProfile) -> Self {
        let k = if raw.sampled_blocks == 0 { 0.0 } else { raw.blocks as f64 / raw.sampled_blocks as f64 };
        let s = |v: u64| v as f64 * k;
        let field_ops = |ops: &[u64; 8], s: &dyn Fn(u64) -> f64| FieldOps {
            mont31_mul: s(ops[0]),
            mont31_add: s(ops[1]),
            mont256_mul: s(ops[2]),
            mont256_add: s(ops[3]),
        };
        let counts = AccessCounts {
            global_load_requests: s(raw.global_load_requests),
            global_load_sectors: s(raw.global_load_sectors),
            global_load_bytes: s(raw.global_load_bytes),
            global_store_requests: s(raw.global_store_requests),
            global_store_sectors: s(raw.global_store_sectors),
            global_store_bytes: s(raw.global_store_bytes),
            global_atomics: s(raw.global_atomics),
            dram_sectors: s(raw.global_unique_load_sectors + raw.global_unique_store_sectors),
            shared_requests: s(raw.shared_load_requests + raw.shared_store_requests),
            shared_wavefronts: s(raw.shared_wavefronts),
            shared_ideal_wavefronts: s(raw.shared_ideal_wavefronts),
            shared_atomics: s(raw.shared_atomics),
            barriers: s(raw.barriers),
            warp_ops: s(raw.warp_ops),
            local_accesses: s(raw.local_accesses),
            const_accesses: s(raw.const_accesses),
            ops: field_ops(&raw.ops, &s),
        };
        Self {
            kernel,
            grid,
            block,
            shared_bytes,
            sampled_blocks: raw.sampled_blocks,
            counts,
            shared_max_ways: raw.shared_max_ways,
            busiest_thread: field_ops(&raw.busiest_thread_ops, &|v| v as f64),
        }
    }

    /// Sectors per warp-level global load: 4 for 32 lanes reading consecutive 4-byte words, 32
    /// when every lane's word lies in a sector of its own.
    pub fn load_sectors_per_request(&self) -> f64 {
        ratio(self.counts.global_load_sectors, self.counts.global_load_requests)
    }
    pub fn store_sectors_per_request(&self) -> f64 {
        ratio(self.counts.global_store_sectors, self.counts.global_store_requests)
    }
    /// Bytes the lanes asked for over the bytes of the sectors moved, loads and stores together
    /// (1 = every byte of every sector used).
    pub fn sector_efficiency(&self) -> f64 {
        let c = &self.counts;
        ratio(c.global_load_bytes + c.global_store_bytes, 32.0 * (c.global_load_sectors + c.global_store_sectors))
    }
    /// Wavefronts per shared request over the conflict-free number (1 = no bank conflicts).
    pub fn bank_conflict_ways(&self) -> f64 {
        ratio(self.counts.shared_wavefronts, self.counts.shared_ideal_wavefronts).max(1.0)
    }
    pub fn barriers_per_block(&self) -> f64 {
        ratio(self.counts.barriers, self.grid.volume() as f64)
    }
    /// Bytes DRAM moves if L2 keeps every sector once loaded (and writes each stored one back once).
    pub fn dram_bytes(&self) -> f64 {
        32.0 * self.counts.dram_sectors
    }
    /// Bytes of all the global sectors the warps' requests touch (no cache reuse at all).
    pub fn sector_bytes(&self) -> f64 {
        32.0 * (self.counts.global_load_sectors + self.counts.global_store_sectors)
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

impl std::fmt::Display for KernelProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} grid {} x block {}: ld {:.1} / st {:.1} sectors per request, {:.0}% of sector bytes used, \
             {:.0} KiB DRAM; shared {:.0} requests, {:.2}-way conflicts (worst {}); {:.1} barriers per block; \
             busiest thread {:.0} products, {:.0} sums",
            self.kernel,
            self.grid.volume(),
            self.block.volume(),
            self.load_sectors_per_request(),
            self.store_sectors_per_request(),
            100.0 * self.sector_efficiency(),
            self.dram_bytes() / 1024.0,
            self.counts.shared_requests,
            self.bank_conflict_ways(),
            self.shared_max_ways,
            self.barriers_per_block(),
            self.busiest_thread.mont31_mul + self.busiest_thread.mont256_mul,
            self.busiest_thread.mont31_add + self.busiest_thread.mont256_add
        )
    }
}

/// Grids of more blocks record every k-th run of 32 consecutive blocks only (about this many
/// blocks in all).
pub const MAX_SAMPLED_BLOCKS: u64 = 1024;

pub(crate) type LaunchFn = unsafe extern "C" fn(
    name: *const c_char,
    grid: *const u32,
    block: *const u32,
    dyn_shared: u32,
    args: *mut *mut c_void,
    cfg: *const c_void,
    max_sampled_blocks: u64,
    out: *mut RawProfile,
    err: *mut c_char,
    err_len: usize,
) -> c_int;

/// `chk_emu_profile_launch` of the profile library, loaded once.
pub(crate) fn entry() -> Result<LaunchFn> {
    static ENTRY: OnceLock<Result<usize, String>> = OnceLock::new();
    let entry = ENTRY.get_or_init(load);
    match entry {
        // SAFETY: the address of chk_emu_profile_launch, whose signature LaunchFn mirrors.
        Ok(addr) => Ok(unsafe { std::mem::transmute::<usize, LaunchFn>(*addr) }),
        Err(reason) => Err(Error::Config { name: "CHERENKOV_EMU_PROFILE".into(), reason: reason.clone() }),
    }
}

/// Whether this build carries the profile library (not the ThreadSanitizer build, Linux only).
pub fn available() -> bool {
    super::kernels::EMU_PROFILE_LIB.is_some()
}

#[cfg(target_os = "linux")]
fn load() -> Result<usize, String> {
    let Some(lib) = super::kernels::EMU_PROFILE_LIB else {
        return Err("this build has no profile library (a ThreadSanitizer build of the emulator)".into());
    };
    // The library lives in an anonymous in-memory file: nothing is written to disk or left behind.
    // SAFETY: plain libc calls on a file descriptor this function owns; the name is NUL-terminated.
    unsafe {
        let fd = libc::memfd_create(c"cherenkov-emu-profile".as_ptr(), libc::MFD_CLOEXEC);
        if fd < 0 {
            return Err(format!("memfd_create: {}", std::io::Error::last_os_error()));
        }
        let mut written = 0;
        while written < lib.len() {
            let n = libc::write(fd, lib[written..].as_ptr().cast(), lib.len() - written);
            if n <= 0 {
                let e = std::io::Error::last_os_error();
                libc::close(fd);
                return Err(format!("writing the profile library: {e}"));
            }
            written += n as usize;
        }
        let path = std::ffi::CString::new(format!("/proc/self/fd/{fd}")).expect("no NUL in a path");
        let handle = libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        libc::close(fd); // the mapping stays
        if handle.is_null() {
            let e = libc::dlerror();
            let msg =
                if e.is_null() { "unknown".into() } else { std::ffi::CStr::from_ptr(e).to_string_lossy().into_owned() };
            return Err(format!("loading the profile library: {msg}"));
        }
        // Never closed: the profiled launches may come at any time.
        let sym = libc::dlsym(handle, c"chk_emu_profile_launch".as_ptr());
        if sym.is_null() {
            return Err("the profile library has no chk_emu_profile_launch".into());
        }
        Ok(sym as usize)
    }
}

#[cfg(not(target_os = "linux"))]
fn load() -> Result<usize, String> {
    Err("the emulator's profile needs Linux".into())
}

/// `CHERENKOV_EMU_PROFILE` set: every profiled launch is also printed on stderr.
pub(crate) fn print_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CHERENKOV_EMU_PROFILE").is_some_and(|v| !v.is_empty() && v != "0"))
}
