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
}

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

/// Whether nvcc produced the device code (otherwise the cuda backend cannot run).
pub fn built_with_kernels() -> bool {
    KERNEL_SOURCES.iter().any(|s| s.fatbin.is_some())
}

/// The source file that defines `kernel`.
pub fn source_of(kernel: &str) -> Option<&'static KernelSource> {
    KERNEL_SOURCES.iter().find(|s| s.kernels.contains(&kernel))
}
