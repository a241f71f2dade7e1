//! What nvcc produced at build time: every kernel for every architecture, no spills, shared
//! memory within its declaration, a loadable fatbin. Needs nvcc at build time: without it this
//! says so and checks nothing, unless CHERENKOV_REQUIRE_NVCC is set, which makes it fail.

use cherenkov::backend::kernels::{
    built_with_kernels, product_sass, CUDA_ARCHS, KERNEL_SOURCES, KERNEL_STATS, NO_CALL_DIRS, NO_LOCAL_DIRS,
    NVCC_STATUS, PRODUCT_FIELDS, SASS_STATUS,
};

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

/// cuobjdump's reading of the SASS: present for every kernel and arch (CI installs cuobjdump),
/// no local memory or subroutine call in the NTT, Poseidon2 and Merkle kernels, no local memory in
/// the MSM kernels, a 31-bit
/// Montgomery product in at most 6 instructions on sm_90 (IMAD.WIDE.U32, IMAD, IMAD.HI.U32,
/// ISETP, IADD3, a predicated IADD3) and a BN254 one in at most 250 (the carry chains).
#[test]
fn sass_has_no_calls_in_hot_kernels_and_short_products() {
    if !built_with_kernels() || KERNEL_STATS.iter().all(|s| s.sass.is_none()) {
        assert!(
            !required(),
            "CHERENKOV_REQUIRE_NVCC is set but there are no SASS figures: {NVCC_STATUS} {SASS_STATUS}"
        );
        eprintln!("not checked: no SASS figures ({NVCC_STATUS} {SASS_STATUS})");
        return;
    }
    for src in KERNEL_SOURCES {
        let strict = NO_CALL_DIRS.iter().any(|d| src.file.starts_with(d));
        let no_local = NO_LOCAL_DIRS.iter().any(|d| src.file.starts_with(d));
        for k in src.kernels {
            for arch in CUDA_ARCHS {
                let s = KERNEL_STATS.iter().find(|s| s.kernel == *k && s.arch == *arch).unwrap();
                let sass = s.sass.unwrap_or_else(|| panic!("no SASS figures for {k} on {arch}"));
                assert!(sass.instructions > 0, "{k} on {arch}: empty SASS");
                if strict {
                    assert_eq!((sass.local, sass.calls), (0, 0), "{k} on {arch}: local memory or calls");
                }
                if no_local {
                    assert_eq!(sass.local, 0, "{k} on {arch}: local memory");
                }
            }
        }
    }
    for field in PRODUCT_FIELDS {
        for arch in CUDA_ARCHS {
            assert!(product_sass(field, arch).is_some_and(|n| n > 0.0), "{field} on {arch}");
        }
    }
    for field in ["babybear", "koalabear"] {
        let n = product_sass(field, "sm_90").unwrap();
        assert!(n <= 6.0, "a {field} product is {n} SASS instructions on sm_90");
    }
    for field in ["bn254_fr", "bn254_fq"] {
        for arch in CUDA_ARCHS {
            let n = product_sass(field, arch).unwrap();
            assert!(n <= 250.0, "a {field} product is {n} SASS instructions on {arch}");
        }
    }
}
