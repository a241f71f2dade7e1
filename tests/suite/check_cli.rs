//! `cherenkov check` as a user runs it: a clean run passes (and its `--json` says so), and a
//! deliberately broken backend — the emulator with `CHERENKOV_EMU_FAULT` flipping one bit of
//! every download — makes it exit non-zero, naming the first differing index with both values.

use std::process::Command;

fn check(args: &[&str], fault: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cherenkov"));
    cmd.args(["check", "--backend", "emu", "--random", "16", "--seed", "5"]).args(args);
    cmd.env_remove("CHERENKOV_EMU_FAULT");
    if let Some(f) = fault {
        cmd.env("CHERENKOV_EMU_FAULT", f);
    }
    let out = cmd.output().expect("cherenkov runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_clean_run_passes_and_reports_json() {
    let (ok, stdout) = check(&["--json"], None);
    assert!(ok, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(v["seed"], 5);
    assert_eq!(v["failed"], 0);
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() > 100 && rows.iter().all(|r| r["outcome"] == "ok"));
    for primitive in ["field", "ntt", "merkle", "msm g1", "msm g2"] {
        assert!(rows.iter().any(|r| r["primitive"] == primitive), "no {primitive} rows");
    }
}

#[test]
fn a_broken_backend_fails_the_check_at_the_differing_index() {
    // Byte 20: the lowest bit of element 5 of every 4-byte-element download (BabyBear, KoalaBear).
    let (ok, stdout) = check(&[], Some("20"));
    assert!(!ok, "the check passed on a broken backend:\n{stdout}");
    assert!(stdout.contains("FAIL field babybear add on emu"), "{stdout}");
    assert!(stdout.contains("MISMATCH at 5: got"), "{stdout}");
    // Every primitive reads its results back through the broken download.
    for primitive in ["field", "ntt", "merkle", "msm"] {
        assert!(stdout.lines().any(|l| l.starts_with(&format!("FAIL {primitive}"))), "{primitive} not caught");
    }
    let (ok, json) = check(&["--json"], Some("20"));
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["failed"].as_u64().unwrap() > 0);
    let first = v["rows"].as_array().unwrap().iter().find(|r| r["outcome"] != "ok").unwrap();
    assert_eq!(first["outcome"]["mismatch"]["index"], 5, "{first}");
}

#[test]
fn sizes_choose_the_size_dependent_cases() {
    let (ok, stdout) = check(&["--json", "--sizes", "4,9"], None);
    assert!(ok, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    let rows = v["rows"].as_array().unwrap();
    let has = |primitive: &str, case: &str, n: u64| {
        rows.iter().any(|r| r["primitive"] == primitive && r["case"].as_str().unwrap().contains(case) && r["n"] == n)
    };
    for log in [4u32, 9] {
        let h = 1u64 << log;
        assert!(has("ntt", &format!("babybear dft 2^{log}x2"), 2 * h), "babybear ntt 2^{log}");
        assert!(has("ntt", &format!("koalabear coset lde +1 2^{log}x2"), 4 * h), "koalabear lde 2^{log}");
        assert!(has("ntt", &format!("bn254_fr fft 2^{log}"), h), "bn254 fft 2^{log}");
        assert!(rows.iter().any(|r| r["case"].as_str().unwrap().contains(&format!("tree {h}x8+{}x5", h / 2))));
        assert!(has("msm g1", "batched x2", h), "g1 msm of 2^{log}");
        assert!(has("msm g2", "batched x2", h / 4), "g2 msm of 2^{log} / 4");
    }
    // The built-in sizes are replaced, not added to.
    assert!(!rows.iter().any(|r| r["case"].as_str().unwrap().contains("2^13x2")));
}
