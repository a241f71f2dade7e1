//! Edges a new user of the C ABI met: a coset shift of 0, empty batches, widths that overflow,
//! and a caught panic that must not print on the host's stderr.

use std::ffi::CStr;
use std::ptr::{null, null_mut};

use cherenkov_ffi::*;

fn last_error() -> String {
    unsafe { CStr::from_ptr(chk_last_error()) }.to_string_lossy().into_owned()
}

fn engines() -> Vec<*mut ChkEngine> {
    [CHK_BACKEND_CPU, CHK_BACKEND_EMU]
        .into_iter()
        .map(|b| {
            let mut e = null_mut();
            assert_eq!(unsafe { chk_engine_new(b, &mut e) }, CHK_OK);
            e
        })
        .collect()
}

#[test]
fn a_zero_coset_shift_is_an_invalid_argument() {
    let zero = 0u32;
    for e in engines() {
        for direction in [CHK_NTT_FORWARD, CHK_NTT_INVERSE] {
            let mut data = [1u32, 2, 3, 4];
            let status = unsafe {
                chk_ntt(
                    e,
                    CHK_FIELD_BABYBEAR,
                    CHK_ENCODING_CANONICAL,
                    data.as_mut_ptr().cast(),
                    4,
                    1,
                    direction,
                    0,
                    (&zero as *const u32).cast(),
                )
            };
            assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "{}", last_error());
            assert!(last_error().contains("coset shift is 0"), "{}", last_error());
            assert_eq!(data, [1, 2, 3, 4], "the input is untouched");
        }
        let input = [1u32; 4];
        let mut out = [0u32; 8];
        let status = unsafe {
            chk_lde(
                e,
                CHK_FIELD_KOALABEAR,
                CHK_ENCODING_CANONICAL,
                input.as_ptr().cast(),
                4,
                1,
                1,
                (&zero as *const u32).cast(),
                0,
                out.as_mut_ptr().cast(),
                8,
            )
        };
        assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "{}", last_error());
        let zero_fr = [0u64; 4];
        let mut fr = [[1u64, 0, 0, 0], [2, 0, 0, 0]];
        let status = unsafe {
            chk_ntt(
                e,
                CHK_FIELD_BN254_FR,
                CHK_ENCODING_CANONICAL,
                fr.as_mut_ptr().cast(),
                2,
                1,
                CHK_NTT_INVERSE,
                0,
                zero_fr.as_ptr().cast(),
            )
        };
        assert_eq!(status, CHK_ERR_INVALID_ARGUMENT, "{}", last_error());
        unsafe { chk_engine_free(e) };
    }
}

#[test]
fn empty_batches_are_accepted_everywhere() {
    for e in engines() {
        for field in [CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR4, CHK_FIELD_BN254_FR] {
            let status =
                unsafe { chk_ntt(e, field, CHK_ENCODING_CANONICAL, null_mut(), 0, 3, CHK_NTT_FORWARD, 0, null()) };
            assert_eq!(status, CHK_OK, "{}", last_error());
            let status =
                unsafe { chk_lde(e, field, CHK_ENCODING_CANONICAL, null(), 0, 3, 2, null(), 0, null_mut(), 0) };
            assert_eq!(status, CHK_OK, "{}", last_error());
        }
        let status = unsafe {
            chk_poseidon2_permute(
                e,
                CHK_FIELD_BABYBEAR,
                CHK_POSEIDON2_PLONKY3,
                16,
                CHK_ENCODING_CANONICAL,
                null_mut(),
                0,
            )
        };
        assert_eq!(status, CHK_OK);
        let mut out = [7u64; 8];
        assert_eq!(unsafe { chk_msm_g1(e, CHK_ENCODING_CANONICAL, null(), null(), 0, 0, out.as_mut_ptr()) }, CHK_OK);
        assert_eq!(out, [0; 8], "the identity");
        // Width 0 is still an error, empty or not.
        let status = unsafe {
            chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, null_mut(), 0, 0, CHK_NTT_FORWARD, 0, null())
        };
        assert_eq!(status, CHK_ERR_INVALID_ARGUMENT);
        unsafe { chk_engine_free(e) };
    }
}

#[test]
fn merkle_widths_that_overflow_are_a_size_error() {
    let root = [0u32; 8];
    let (heights, widths) = ([4usize, 4], [usize::MAX, 2]);
    let mut valid = -1;
    let status = unsafe {
        chk_merkle_verify(
            CHK_FIELD_BABYBEAR,
            CHK_POSEIDON2_PLONKY3,
            CHK_ENCODING_CANONICAL,
            root.as_ptr(),
            heights.as_ptr(),
            widths.as_ptr(),
            2,
            0,
            null(),
            0,
            null(),
            0,
            &mut valid,
        )
    };
    assert_eq!(status, CHK_ERR_SIZE, "{}", last_error());
    assert_eq!(valid, -1, "no verdict on malformed arguments");
}

#[test]
fn a_caught_panic_prints_nothing_on_stderr() {
    let out = run_child("child_panics_through_the_abi");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("CHILD DONE"), "{stdout}");
    assert_eq!(stderr.matches("panicked").count(), 1, "the ABI's panic reached stderr:\n{stderr}");
    assert!(!stderr.contains("chk_selftest_panic"), "{stderr}");
    assert!(stderr.contains("a panic outside the ABI"), "other panics are still reported:\n{stderr}");
}

#[test]
#[ignore = "run by a_caught_panic_prints_nothing_on_stderr in a child process"]
fn child_panics_through_the_abi() {
    assert!(std::env::var_os("CHERENKOV_FFI_CHILD").is_some(), "only as a child");
    assert_eq!(chk_selftest_panic(), CHK_ERR_PANIC);
    assert!(last_error().contains("chk_selftest_panic was called"));
    // A panic outside the ABI still reaches the previous hook (Rust's default: stderr).
    assert!(std::panic::catch_unwind(|| panic!("a panic outside the ABI")).is_err());
    println!("CHILD DONE");
}

#[cfg(target_os = "linux")]
#[test]
fn out_of_host_memory_is_a_status() {
    let out = run_child("child_runs_out_of_memory");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the child died ({:?}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("STATUS 11"), "{stdout}");
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "run by out_of_host_memory_is_a_status in a child process"]
fn child_runs_out_of_memory() {
    assert!(std::env::var_os("CHERENKOV_FFI_CHILD").is_some(), "only as a child");
    // An LDE of 2^20 x 16 by 2^4: the caller's buffers (64 MiB in, 1 GiB out) exist before the
    // cap; the library's own copies of them cannot fit in the 128 MiB left.
    let input = vec![1u32; 16 << 20];
    let mut output = vec![0u32; 256 << 20];
    let mut e = null_mut();
    assert_eq!(unsafe { chk_engine_new(CHK_BACKEND_CPU, &mut e) }, CHK_OK);
    rayon::broadcast(|_| ());
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: sysconf takes no pointers.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let limit = (pages * page + (128 << 20)) as libc::rlim_t;
    let rl = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    // SAFETY: setrlimit reads the struct on our stack.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rl) }, 0);
    let status = unsafe {
        chk_lde(
            e,
            CHK_FIELD_BABYBEAR,
            CHK_ENCODING_CANONICAL,
            input.as_ptr().cast(),
            input.len(),
            16,
            4,
            null(),
            0,
            output.as_mut_ptr().cast(),
            output.len(),
        )
    };
    println!("STATUS {status}: {}", last_error());
}

/// Runs `case`, an ignored test of this module, in a child process (this test binary again).
fn run_child(case: &str) -> std::process::Output {
    // The harness names a test by its path below the crate root: this module's, less the crate.
    let name = match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{case}"),
        None => case.to_string(),
    };
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("CHERENKOV_FFI_CHILD", "1")
        .output()
        .unwrap()
}
