//! The `cherenkov` command on values a user may mistype: every flag is checked before any work
//! (a clear message on stderr, exit code 2, in well under a second), only the cases asked for
//! run, and a run off a terminal prints one progress line per group.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn run(args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cherenkov"));
    cmd.args(args).env_remove("CHERENKOV_EMU_FAULT").env_remove("CHERENKOV_VERIFY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let t0 = Instant::now();
    let out = cmd.output().expect("cherenkov runs");
    (out, t0.elapsed())
}

/// `args` exits 2 at once, saying something that contains `says`.
fn refused(args: &[&str], env: &[(&str, &str)], says: &str) {
    let (out, took) = run(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
    assert!(took < Duration::from_secs(10), "{args:?} took {took:?} before refusing");
}

#[test]
fn bad_values_are_refused_before_any_work() {
    refused(&["prove", "--queries", "0"], &[], "--queries");
    refused(&["prove", "--pow-bits", "64"], &[], "--pow-bits = 64");
    refused(&["prove", "--pow-bits", "31"], &[], "--pow-bits = 31");
    refused(&["prove", "--log-rows", "40"], &[], "--log-rows 40");
    refused(&["bench", "msm", "--g1", "99"], &[], "--g1 99");
    refused(&["bench", "msm", "--g2", "27"], &[], "--g2 27");
    refused(&["bench", "ntt", "--reps", "0"], &[], "--reps 0");
    refused(&["bench", "ntt", "--bn254", "29"], &[], "--bn254 29");
    refused(&["bench", "ntt", "--shapes", "27x1"], &[], "--shapes height");
    refused(&["bench", "merkle", "--log-perms", "40"], &[], "--log-perms 40");
    refused(&["bench", "merkle", "--batches", "27x1"], &[], "--batches height 27");
    refused(&["bench", "merkle", "--batches", "30x1"], &[], "height at most 2^27");
    refused(&["check", "--sizes", "99"], &[], "--sizes 99");
    refused(&["check", "--backend", "emu"], &[("CHERENKOV_EMU_SCHEDULE", "sideways")], "CHERENKOV_EMU_SCHEDULE");
    refused(&["check", "--backend", "emu"], &[("CHERENKOV_EMU_STACK_KB", "x")], "CHERENKOV_EMU_STACK_KB");
    refused(&["check"], &[("CHERENKOV_VERIFY", "sometimes")], "CHERENKOV_VERIFY");
    refused(&["sp1", "--version", "7"], &[], "--version");
    refused(&["sp1", "--version", "5", "--cycles", "100"], &[], "--cycles 100");
    refused(&["sp1", "--version", "6", "--cycles", "99999999999"], &[], "--cycles 99999999999");
    refused(&["sp1", "--version", "6", "--shard-size", "4096"], &[], "--shard-size applies to SP1 v5");
    refused(&["sp1", "--version", "5", "--shard-size", "1000"], &[], "--shard-size 1000");
    refused(&["sp1", "--version", "5", "--backend", "gpu"], &[], "gpu");
}

/// `cherenkov sp1` runs the SP1 example whose program makes the cycles asked for (the README's
/// measured points: v5 input 20 000 ran 245 106 cycles, v6 300 iterations 6 646), on the engine
/// and with the flags asked for.
#[test]
fn sp1_runs_the_example_for_the_cycles_asked() {
    let (out, _) = run(
        &["sp1", "--version", "5", "--cycles", "245106", "--backend", "emu", "--shard-size", "4096", "--dry-run"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("program input 20000 (about 245106 cycles)"), "{stderr}");
    assert!(stderr.contains("-p cherenkov-sp1-v5 --example riscv_shard_v5 -- 20000 4096"), "{stderr}");
    assert!(stderr.contains("CHERENKOV_BACKEND=emu") && !stderr.contains("target-cpu=native"), "{stderr}");
    let (out, _) = run(&["sp1", "--version", "6", "--cycles", "6646", "--native", "--dry-run"], &[("RUSTFLAGS", "-g")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("-p cherenkov-sp1-v6 --example riscv_shard -- 300"), "{stderr}");
    assert!(
        stderr.contains("RUSTFLAGS=-g -C target-cpu=native") && stderr.contains("CHERENKOV_BACKEND=auto"),
        "{stderr}"
    );
}

#[test]
fn only_the_cases_asked_for_run() {
    let (out, _) = run(&["bench", "ntt", "--backend", "cpu", "--shapes", "6x2", "--reps", "1"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("babybear dft 2^6 x 2") && !stdout.contains("bn254"), "{stdout}");
    let (out, _) = run(&["bench", "ntt", "--backend", "cpu", "--bn254", "5", "--reps", "1"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bn254_fr fft 2^5") && !stdout.contains("babybear"), "{stdout}");
    let (out, _) = run(&["bench", "merkle", "--backend", "cpu", "--batches", "6x2", "--reps", "1"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("commit 2^6 x 2") && !stdout.contains("permutations"), "{stdout}");
    let (out, _) = run(&["bench", "msm", "--backend", "cpu", "--g2", "4", "--reps", "1"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("G2 MSM 2^4") && !stdout.contains("G1 MSM"), "{stdout}");
}

#[test]
fn off_a_terminal_each_group_prints_a_progress_line() {
    let (out, _) = run(&["check", "--backend", "cpu", "--random", "4", "--sizes", "3"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for group in cherenkov::check::GROUPS {
        assert!(stderr.contains(&format!("checking {group} on cpu")), "no line for {group}:\n{stderr}");
    }
}
