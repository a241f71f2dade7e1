//! What build.rs produced: the kernel sources, the embedded fatbins and their ptxas statistics.

/// One `.cu` file under kernels/: its kernels and, when nvcc ran, its fatbin.
#[derive(Debug)]
pub struct KernelSource {
    /// Path relative to kernels/, e.g. `ff/ff_ops.cu`.
    pub file: &'static str,
    /// The `extern "C" __global__` entry points it defines.
    pub kernels: &'static [&'static str],
    /// SASS for every architecture in [`CUDA_ARCHS`] plus PTX for the last one.
    pub fatbin: Option<&'static [u8]>,
}

/// ptxas statistics of one kernel on one architecture.
#[derive(Debug, Clone, Copy)]
pub struct KernelStat {
    pub kernel: &'static str,
    pub arch: &'static str,
    pub registers: u32,
    pub stack_frame: u32,
    pub spill_stores: u32,
    pub spill_loads: u32,
    pub static_smem: u32,
    /// What the kernel declares with `// chk:smem=BYTES`; the build fails above it.
    pub smem_limit: u32,
    /// Its SASS as cuobjdump reads it; `None` when cuobjdump was not found ([`SASS_STATUS`]).
    pub sass: Option<Sass>,
}

/// What one kernel's SASS on one architecture holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sass {
    /// Instructions, not counting the NOP padding after the last one.
    pub instructions: u32,
    /// Local-memory loads and stores (`LDL`/`STL`): a stack frame, slow as global memory.
    pub local: u32,
    /// Subroutine calls (`CALL`): a 64-bit division routine or a helper nvcc did not inline.
    pub calls: u32,
}

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

/// Whether nvcc produced the device code (otherwise the cuda backend cannot run).
pub fn built_with_kernels() -> bool {
    KERNEL_SOURCES.iter().any(|s| s.fatbin.is_some())
}

/// The statistics of `kernel` on `arch` (e.g. `"sm_90"`), when nvcc built it.
pub fn stat(kernel: &str, arch: &str) -> Option<&'static KernelStat> {
    KERNEL_STATS.iter().find(|s| s.kernel == kernel && s.arch == arch)
}

/// Fields with product- and sum-chain kernels (`chk_ff_<field>_{mul,add}_chain{1,17}`,
/// kernels/ff/ops.cuh).
pub const PRODUCT_FIELDS: &[&str] = &["babybear", "koalabear", "bn254_fr", "bn254_fq"];

/// SASS instructions of one product in `field` on `arch`: the 17-product chain's count less the
/// 1-product chain's, over 16 (the rest of the two kernels is the same). `None` without SASS.
pub fn product_sass(field: &str, arch: &str) -> Option<f64> {
    chain_sass(field, "mul", arch)
}

/// SASS instructions of one addition in `field` on `arch`, measured like [`product_sass`].
pub fn sum_sass(field: &str, arch: &str) -> Option<f64> {
    chain_sass(field, "add", arch)
}

fn chain_sass(field: &str, op: &str, arch: &str) -> Option<f64> {
    let count = |n: u32| {
        let name = format!("chk_ff_{field}_{op}_chain{n}");
        KERNEL_STATS.iter().find(|s| s.kernel == name && s.arch == arch)?.sass.map(|s| s.instructions)
    };
    Some((count(17)? as f64 - count(1)? as f64) / 16.0)
}

/// Kernel sources whose kernels may hold no local memory and no subroutine call (build.rs fails
/// the build under `CHERENKOV_REQUIRE_NVCC` otherwise).
pub const NO_CALL_DIRS: &[&str] = &["ntt/", "poseidon2/", "merkle/", "fri/"];

/// Kernel sources whose kernels may hold no local memory; calls are allowed (the MSM's G2 point
/// formulas are out of line with their operands in memory).
pub const NO_LOCAL_DIRS: &[&str] = &["msm/"];

/// The source file that defines `kernel`.
pub fn source_of(kernel: &str) -> Option<&'static KernelSource> {
    KERNEL_SOURCES.iter().find(|s| s.kernels.contains(&kernel))
}
