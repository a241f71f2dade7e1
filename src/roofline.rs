//! What a profiled launch ([`crate::backend::KernelProfile`]) would take on a named GPU: a
//! roofline estimate from machine figures, the kernel's SASS costs and its occupancy.
//!
//! - **Memory**: the DRAM bytes of the distinct sectors the launch touches (every reuse an L2
//!   hit) over the GPU's peak bandwidth; [`Estimate::sector_us`] is the bound with no reuse at
//!   all (every request's sectors from DRAM).
//! - **Issue**: warp instructions over what the SMs the grid fills can issue (4 warp schedulers
//!   an SM, one instruction a clock each, fewer when an SM holds fewer than 4 warps). Warp
//!   instructions = the counted field operations times their SASS cost on the GPU's architecture
//!   (`kernels::{product_sass, sum_sass}`, read from the build's own SASS) over 32 lanes, plus
//!   one per global or shared request, barrier (per warp) and warp operation. Index arithmetic
//!   and control flow are not counted: the issue figure is a floor.
//! - **Busiest thread**: the field operations of the thread that did the most, one SASS
//!   instruction a clock (what one warp issues at best): a launch lasts at least as long as its
//!   slowest warp, however many SMs the rest of the grid keeps busy. Skewed work (an MSM bucket
//!   holding every point) shows here, not in the totals.
//! - The estimate is the largest of the three; all are floors (peak clocks and bandwidth, no launch
//!   overhead, no latency), so a measured kernel is slower by the share of its time it does not
//!   keep the binding unit busy.

use crate::backend::kernels;
use crate::backend::{FieldOps, KernelProfile};

/// One GPU's figures. Sources: NVIDIA's datasheets (bandwidth, SMs, boost clock) and the CUDA C++
/// Programming Guide's table of compute capabilities (per-SM limits).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuSpec {
    pub name: &'static str,
    /// The SASS target whose instruction counts apply.
    pub arch: &'static str,
    pub sms: u32,
    /// Boost clock.
    pub clock_ghz: f64,
    /// Peak DRAM bandwidth.
    pub dram_gb_s: f64,
    pub max_warps_per_sm: u32,
    pub max_blocks_per_sm: u32,
    /// Shared memory an SM can give its blocks (the largest carve-out).
    pub smem_per_sm: u32,
    pub source: &'static str,
}

/// 64 Ki 32-bit registers per SM, allocated per warp in units of 256 (every architecture here).
const REGISTERS_PER_SM: u32 = 65536;
const REGISTER_UNIT: u32 = 256;
/// Shared memory the system reserves per block (compute capability 8.x and 9.0).
const SMEM_RESERVED_PER_BLOCK: u32 = 1024;
/// Warp schedulers per SM, each issuing one warp instruction a clock.
const SCHEDULERS_PER_SM: u32 = 4;

/// The GPUs estimates are made for.
pub const GPUS: &[GpuSpec] = &[
    GpuSpec {
        name: "H100 SXM",
        arch: "sm_90",
        sms: 132,
        clock_ghz: 1.98,
        dram_gb_s: 3350.0,
        max_warps_per_sm: 64,
        max_blocks_per_sm: 32,
        smem_per_sm: 228 << 10,
        source: "NVIDIA H100 Tensor Core GPU datasheet (SXM5: 3.35 TB/s HBM3, 132 SMs); CUDA Programming Guide, CC 9.0",
    },
    GpuSpec {
        name: "H200",
        arch: "sm_90",
        sms: 132,
        clock_ghz: 1.98,
        dram_gb_s: 4800.0,
        max_warps_per_sm: 64,
        max_blocks_per_sm: 32,
        smem_per_sm: 228 << 10,
        source: "NVIDIA H200 Tensor Core GPU datasheet (4.8 TB/s HBM3e); CUDA Programming Guide, CC 9.0",
    },
    GpuSpec {
        name: "A100 SXM",
        arch: "sm_80",
        sms: 108,
        clock_ghz: 1.41,
        dram_gb_s: 2039.0,
        max_warps_per_sm: 64,
        max_blocks_per_sm: 32,
        smem_per_sm: 164 << 10,
        source: "NVIDIA A100 Tensor Core GPU datasheet (80 GB SXM: 2,039 GB/s); Ampere GA100 whitepaper (108 SMs, 1410 MHz); CUDA Programming Guide, CC 8.0",
    },
    GpuSpec {
        name: "RTX 4090",
        arch: "sm_89",
        sms: 128,
        clock_ghz: 2.52,
        dram_gb_s: 1008.0,
        max_warps_per_sm: 48,
        max_blocks_per_sm: 24,
        smem_per_sm: 100 << 10,
        source: "NVIDIA Ada Lovelace architecture whitepaper (RTX 4090: 128 SMs, 2520 MHz boost, 1008 GB/s); CUDA Programming Guide, CC 8.9",
    },
];

/// The GPU named `name` (case and spaces ignored: `h100`, `a100`, `rtx4090`, `h200`), by prefix.
pub fn gpu(name: &str) -> Option<&'static GpuSpec> {
    let key = |s: &str| s.to_ascii_lowercase().replace([' ', '-', '_'], "");
    let want = key(name);
    GPUS.iter().find(|g| key(g.name).starts_with(&want) || key(g.name).trim_start_matches("rtx").starts_with(&want))
}

/// Which unit bounds the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Memory,
    Issue,
    /// The busiest thread.
    Thread,
}

/// One launch on one GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub gpu: &'static str,
    /// Resident warps over the SM's maximum, from the kernel's registers and shared memory on the
    /// GPU's architecture (`None` when the build has no ptxas figures: built without nvcc).
    pub occupancy: Option<f64>,
    /// Warp instructions counted (`None` without SASS figures).
    pub warp_instructions: Option<f64>,
    pub issue_us: Option<f64>,
    /// The busiest thread's field operations at one instruction a clock (`None` without SASS
    /// figures).
    pub thread_us: Option<f64>,
    /// DRAM time of the distinct sectors.
    pub dram_us: f64,
    /// DRAM time if no sector were reused.
    pub sector_us: f64,
    pub us: f64,
    pub bound: Bound,
}

/// Resident blocks per SM for `p` on `gpu`, when the build has the kernel's ptxas figures.
fn blocks_per_sm(p: &KernelProfile, gpu: &GpuSpec) -> Option<u32> {
    let stat = kernels::stat(p.kernel, gpu.arch)?;
    let warps = (p.block.volume() as u32).div_ceil(32).max(1);
    let regs_per_warp = (stat.registers.max(1) * 32).div_ceil(REGISTER_UNIT) * REGISTER_UNIT;
    let by_regs = REGISTERS_PER_SM / (regs_per_warp * warps);
    let smem = stat.static_smem + p.shared_bytes + SMEM_RESERVED_PER_BLOCK;
    let by_smem = gpu.smem_per_sm / smem;
    let by_warps = gpu.max_warps_per_sm / warps;
    Some(by_regs.min(by_smem).min(by_warps).min(gpu.max_blocks_per_sm))
}

/// SASS instructions of the counted field operations on `arch`, when the build read its SASS.
fn op_instructions(ops: &FieldOps, arch: &str) -> Option<f64> {
    let both = |f: fn(&str, &str) -> Option<f64>, a: &str, b: &str| Some((f(a, arch)? + f(b, arch)?) / 2.0);
    let mul31 = both(kernels::product_sass, "babybear", "koalabear")?;
    let add31 = both(kernels::sum_sass, "babybear", "koalabear")?;
    let mul256 = both(kernels::product_sass, "bn254_fr", "bn254_fq")?;
    let add256 = both(kernels::sum_sass, "bn254_fr", "bn254_fq")?;
    Some(ops.mont31_mul * mul31 + ops.mont31_add * add31 + ops.mont256_mul * mul256 + ops.mont256_add * add256)
}

/// The estimate of `p` on `gpu`.
pub fn estimate(p: &KernelProfile, gpu: &GpuSpec) -> Estimate {
    let c = &p.counts;
    let blocks = p.grid.volume();
    let warps_per_block = p.block.volume().div_ceil(32).max(1);
    let resident = blocks_per_sm(p, gpu);
    let occupancy =
        resident.map(|b| (b as u64 * warps_per_block) as f64 / gpu.max_warps_per_sm as f64).map(|o| o.min(1.0));
    // Warps an SM holds at once: what its blocks' share of the grid and its residency allow.
    let blocks_here = blocks.div_ceil(gpu.sms as u64).min(resident.unwrap_or(u32::MAX) as u64);
    let sms_used = blocks.min(gpu.sms as u64) as f64;
    let issue_per_us =
        sms_used * (blocks_here * warps_per_block).min(SCHEDULERS_PER_SM as u64) as f64 * gpu.clock_ghz * 1e3;
    let warp_instructions = op_instructions(&c.ops, gpu.arch).map(|ops| {
        ops / 32.0
            + c.global_load_requests
            + c.global_store_requests
            + c.shared_requests
            + (c.global_atomics + c.shared_atomics) / 32.0
            + c.barriers * warps_per_block as f64
            + c.warp_ops
    });
    let issue_us = warp_instructions.map(|w| w / issue_per_us);
    let bytes_per_us = gpu.dram_gb_s * 1e3;
    let dram_us = p.dram_bytes() / bytes_per_us;
    let sector_us = p.sector_bytes() / bytes_per_us;
    let thread_us = op_instructions(&p.busiest_thread, gpu.arch).map(|i| i / (gpu.clock_ghz * 1e3));
    let (mut us, mut bound) = match issue_us {
        Some(i) if i > dram_us => (i, Bound::Issue),
        _ => (dram_us, Bound::Memory),
    };
    if let Some(t) = thread_us.filter(|&t| t > us) {
        (us, bound) = (t, Bound::Thread);
    }
    Estimate { gpu: gpu.name, occupancy, warp_instructions, issue_us, thread_us, dram_us, sector_us, us, bound }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpus_are_found_by_short_names() {
        assert_eq!(gpu("h100").unwrap().name, "H100 SXM");
        assert_eq!(gpu("A100").unwrap().name, "A100 SXM");
        assert_eq!(gpu("4090").unwrap().name, "RTX 4090");
        assert_eq!(gpu("rtx-4090").unwrap().name, "RTX 4090");
        assert_eq!(gpu("h200").unwrap().name, "H200");
        assert!(gpu("v100").is_none());
    }
}
