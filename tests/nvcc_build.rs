//! What nvcc produced at build time: every kernel for every architecture, no spills, shared
//! memory within its declaration, a loadable fatbin. Needs nvcc at build time: without it this
//! says so and checks nothing, unless CHERENKOV_REQUIRE_NVCC is set, which makes it fail.

use cherenkov::backend::kernels::{built_with_kernels, CUDA_ARCHS, KERNEL_SOURCES, KERNEL_STATS, NVCC_STATUS};

fn required() -> bool {
    std::env::var("CHERENKOV_REQUIRE_NVCC").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn every_kernel_compiled_for_every_arch_without_spills() {
    if !built_with_kernels() {
        assert!(!required(), "CHERENKOV_REQUIRE_NVCC is set but the build has no kernels: {NVCC_STATUS}");
        eprintln!("not checked: built without nvcc ({NVCC_STATUS})");
        return;
    }
    assert_eq!(CUDA_ARCHS, ["sm_80", "sm_86", "sm_89", "sm_90"]);
    for src in KERNEL_SOURCES {
        let image = src.fatbin.expect("every source has a fatbin when any has");
        // fatbin container magic, little-endian 0xBA55ED50
        assert_eq!(&image[..4], &[0x50, 0xed, 0x55, 0xba], "{} is not a fatbin", src.file);
        for k in src.kernels {
            for arch in CUDA_ARCHS {
                let s = KERNEL_STATS
                    .iter()
                    .find(|s| s.kernel == *k && s.arch == *arch)
                    .unwrap_or_else(|| panic!("no ptxas stats for {k} on {arch}"));
                assert_eq!((s.spill_stores, s.spill_loads), (0, 0), "{k} spills on {arch}");
                assert!(s.static_smem <= s.smem_limit, "{k} on {arch}: {} > {}", s.static_smem, s.smem_limit);
                assert!(s.registers > 0 && s.registers <= 255, "{k} on {arch}: {} registers", s.registers);
            }
        }
    }
}
