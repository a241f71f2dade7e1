//! The C example (ffi/examples/example.c, linked with the static library) and the README's C++
//! example (ffi/examples/minimal.cpp, linked with the shared library) compiled with the system
//! compilers and run; the C example's printed results are compared with Plonky3's and
//! arkworks' on the same inputs, and with cherenkov's Rust API.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::{Field, PrimeField};
use cherenkov::field::BabyBear;
use p3_commit::Mmcs;
use p3_dft::{Radix2Dit, TwoAdicSubgroupDft};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

/// Where cargo put this package's libraries for this test run (target/<profile>/deps).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent().expect("deps").to_path_buf()
}

fn compile(compiler: &str, args: &[&str], source: &str, out: &Path, libs: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(compiler);
    cmd.args(args)
        .arg("-Wall")
        .arg("-Wextra")
        .arg("-Werror")
        .arg("-I")
        .arg(dir.join("include"))
        .arg(dir.join(source))
        .arg("-o")
        .arg(out)
        .args(libs);
    let result = cmd.output().unwrap_or_else(|e| panic!("running {compiler}: {e}"));
    assert!(result.status.success(), "{compiler} failed on {source}:\n{}", String::from_utf8_lossy(&result.stderr));
}

fn run(exe: &Path, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().expect("run the example");
    assert!(
        out.status.success(),
        "{} {args:?} failed ({}):\n{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The words after `label` on its line.
fn words(stdout: &str, label: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .find(|l| l.split(' ').next() == Some(label))
        .unwrap_or_else(|| panic!("no `{label}` in\n{stdout}"));
    line.split(' ').skip(1).map(|w| u64::from_str_radix(w, 16).expect("hex")).collect()
}

fn canonical(v: &[BabyBear]) -> Vec<u64> {
    v.iter().map(|x| x.as_canonical_u32() as u64).collect()
}

fn bb(v: impl IntoIterator<Item = u32>) -> Vec<BabyBear> {
    v.into_iter().map(BabyBear::from_u32).collect()
}

#[test]
fn c_example_matches_plonky3_and_arkworks() {
    let libs = lib_dir();
    let archive = libs.join("libcherenkov_ffi.a");
    assert!(archive.exists(), "{} was not built", archive.display());
    let exe = libs.join("cherenkov_c_example");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let link = [archive.to_str().unwrap(), "-lstdc++", "-lpthread", "-ldl", "-lm"];
    compile(&cc, &["-std=c11", "-O1"], "examples/example.c", &exe, &link);

    // The references, on the example's inputs.
    let ntt_input = bb((0..32u32).map(|i| i * i + 7));
    let ntt =
        Radix2Dit::<BabyBear>::default().dft_batch(RowMajorMatrix::new(ntt_input, 2)).to_row_major_matrix().values;
    let stock = common::stock_mmcs();
    let a = RowMajorMatrix::new(bb((0..24u32).map(|i| i * 31 + 5)), 3);
    let b = RowMajorMatrix::new(bb((0..8u32).map(|i| i * 17 + 1)), 2);
    let (commit, _) = stock.commit(vec![a, b]);
    let g = G1Projective::generator();
    let bases: Vec<G1Affine> = (1..=4u64).map(|k| (g * Fr::from(k)).into_affine()).collect();
    let scalars = [Fr::from(5u64), Fr::from(0u64), -Fr::from(1u64), Fr::from(2u64).pow([200])];
    let msm = G1Projective::msm(&bases, &scalars).unwrap().into_affine();
    let (x, y) = msm.xy().expect("not the identity");
    let msm_words: Vec<u64> = x.into_bigint().0.iter().chain(&y.into_bigint().0).copied().collect();
    assert!(!msm.is_zero());

    // ... and cherenkov's own Rust API on the cpu (itself checked against the same references
    // in the core crate's tests): the ABI adds nothing between the two.
    let cpu = cherenkov::Engine::Cpu;
    let api_ntt = cherenkov::ntt::transform_batch(
        &cpu,
        bb((0..32u32).map(|i| i * i + 7)),
        2,
        cherenkov::ntt::Transform::new(cherenkov::ntt::Direction::Forward),
    )
    .unwrap();
    assert_eq!(api_ntt, ntt);
    let constants = cherenkov::poseidon2::Poseidon2Constants::<BabyBear, 16>::babybear_default_16();
    let api_tree = cherenkov::merkle::build(
        &cpu,
        &constants,
        vec![
            RowMajorMatrix::new(bb((0..24u32).map(|i| i * 31 + 5)), 3),
            RowMajorMatrix::new(bb((0..8u32).map(|i| i * 17 + 1)), 2),
        ],
    )
    .unwrap();
    assert_eq!(api_tree.root(), commit.roots()[0]);
    let api_msm = cherenkov::msm::g1(&cpu, &bases, &scalars, &Default::default()).unwrap().into_affine();
    assert_eq!(api_msm, msm);

    for backend in ["cpu", "emu"] {
        let stdout = run(&exe, &[backend]);
        assert_eq!(words(&stdout, "ntt"), canonical(&ntt), "ntt on {backend}");
        assert_eq!(words(&stdout, "root"), canonical(&commit.roots()[0]), "root on {backend}");
        assert_eq!(words(&stdout, "msm"), msm_words, "msm on {backend}");
        assert!(stdout.lines().any(|l| l == "errors ok"), "{stdout}");
    }
}

#[test]
fn cpp_example_runs() {
    let libs = lib_dir();
    assert!(libs.join("libcherenkov_ffi.so").exists(), "the shared library was not built");
    let exe = libs.join("cherenkov_cpp_example");
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let rpath = format!("-Wl,-rpath,{}", libs.display());
    let search = format!("-L{}", libs.display());
    compile(&cxx, &["-std=c++17", "-O1"], "examples/minimal.cpp", &exe, &[&search, &rpath, "-lcherenkov_ffi"]);
    // The README shows this file (after its opening comment): keep them the same.
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/minimal.cpp")).unwrap();
    let code: String = source.lines().skip_while(|l| l.starts_with("//")).map(|l| format!("{l}\n")).collect();
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    assert!(readme.contains(&code), "README.md's C++ example differs from ffi/examples/minimal.cpp");
    let stdout = run(&exe, &[]);
    // ntt[0] = Σ i over 0..1024 = 523776 (below p), the rest is checked in the C example.
    assert!(stdout.contains("ntt[0] = 523776,"), "{stdout}");
}
