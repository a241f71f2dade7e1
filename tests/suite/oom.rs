//! Out of host memory is `Error::OutOfMemory`, never an abort: each case runs in a child process
//! (this test binary again, one `#[ignore]`d case) that builds its inputs, then caps its own
//! address space (RLIMIT_AS) a little above what it uses and calls the cpu backend. The parent
//! checks that the child exited normally and printed the typed error.
#![cfg(target_os = "linux")]

use std::process::Command;

use ark_bn254::Fr;
use cherenkov::field::BabyBear;
use cherenkov::poseidon2::Poseidon2Constants;
use cherenkov::{merkle, msm, ntt, Engine};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;

const CHILD: &str = "CHERENKOV_OOM_CHILD";

/// Runs `case` in a child process and returns its stdout (asserting it exited normally).
fn in_child(case: &str) -> String {
    // The harness names a test by its path below the crate root: this module's, less the crate.
    let name = match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{case}"),
        None => case.to_string(),
    };
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{case} died ({:?}):\n{stdout}\n{stderr}", out.status);
    stdout
}

/// Caps the address space at what the process maps now plus `margin` bytes (the rayon pool
/// already started, so its threads' stacks are counted).
fn cap_memory(margin: usize) {
    rayon::broadcast(|_| ());
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: sysconf and setrlimit take no pointers but the rlimit struct on our stack.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let limit = (pages * page + margin) as libc::rlim_t;
    let rl = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rl) }, 0);
}

fn report(result: cherenkov::Result<impl Sized>) {
    match result {
        Err(e @ cherenkov::Error::OutOfMemory { .. }) => println!("RESULT OutOfMemory: {e}"),
        Err(e) => println!("RESULT other error: {e}"),
        Ok(_) => println!("RESULT ok"),
    }
}

#[test]
fn an_lde_too_large_for_memory_is_an_error() {
    assert!(in_child("child_lde").contains("RESULT OutOfMemory"));
}

#[test]
#[ignore = "run by an_lde_too_large_for_memory_is_an_error in a child process"]
fn child_lde() {
    assert!(std::env::var_os(CHILD).is_some(), "only as a child");
    // 2^20 x 64 (256 MiB) extended by 2^6: 16 GiB, under a cap of 256 MiB more than the input.
    let values = vec![BabyBear::ONE; 64 << 20];
    cap_memory(256 << 20);
    report(ntt::coset_lde_batch(&Engine::Cpu, values, 64, 6, BabyBear::GENERATOR, ntt::Order::Natural));
}

#[test]
fn a_merkle_tree_too_large_for_memory_is_an_error() {
    assert!(in_child("child_merkle").contains("RESULT OutOfMemory"));
}

#[test]
#[ignore = "run by a_merkle_tree_too_large_for_memory_is_an_error in a child process"]
fn child_merkle() {
    assert!(std::env::var_os(CHILD).is_some(), "only as a child");
    // 2^23 rows of one column (32 MiB): the leaf digests alone take 256 MiB.
    let m = RowMajorMatrix::new(vec![BabyBear::ONE; 1 << 23], 1);
    let c = Poseidon2Constants::babybear_default_16();
    cap_memory(64 << 20);
    report(merkle::build(&Engine::Cpu, &c, vec![m]));
}

#[test]
fn an_msm_too_large_for_memory_is_an_error() {
    assert!(in_child("child_msm").contains("RESULT OutOfMemory"));
}

#[test]
#[ignore = "run by an_msm_too_large_for_memory_is_an_error in a child process"]
fn child_msm() {
    assert!(std::env::var_os(CHILD).is_some(), "only as a child");
    // 2^20 points: the scalars as integers (32 MiB), the digits (~80 MiB) and the converted
    // bases (80 MiB) cannot fit in 16 MiB.
    let n = 1 << 20;
    let bases = vec![ark_bn254::G1Affine::default(); n];
    let scalars = vec![Fr::from(3u64); n];
    cap_memory(16 << 20);
    let cfg = msm::MsmConfig::TRUSTED;
    report(msm::g1(&Engine::Cpu, &bases, &scalars, &cfg));
}
