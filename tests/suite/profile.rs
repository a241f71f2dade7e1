//! The emulator's access profile: its scoring checked against access patterns whose cost on a
//! GPU follows from the hardware's rules, and the profiles of the main kernels pinned.

use crate::common;

use cherenkov::backend::{Dim3, EmuConfig, Engine, Launch};
use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::merkle;
use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::poseidon2::{self, Poseidon2Constants};
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn profiled() -> Engine {
    Engine::emu(EmuConfig { profile: true, ..EmuConfig::default() })
}

#[test]
fn global_sectors_follow_the_stride() {
    let engine = profiled();
    let Engine::Gpu(gpu) = &engine else { unreachable!() };
    let n = 64 * 32 * 4;
    let input: Vec<u32> = (0..n as u32).collect();
    let din = gpu.upload(&input).unwrap();
    for (stride, words, want) in
        [(1u32, 1u32, 4.0), (2, 1, 8.0), (8, 1, 32.0), (32, 1, 32.0), (2, 2, 8.0), (4, 4, 16.0)]
    {
        let dout = gpu.alloc::<u32>(n).unwrap();
        let l = Launch::new("chk_selftest_probe_global", Dim3::x(1), Dim3::x(64))
            .buf(&din)
            .buf(&dout)
            .u32(stride)
            .u32(words);
        // SAFETY: 64 lanes touch words below 64 * stride + words <= n.
        unsafe { gpu.launch(&l).unwrap() };
        let p = engine.take_profiles().pop().unwrap();
        eprintln!("{p}");
        assert_eq!(p.counts.global_load_requests, 2.0, "stride {stride} x{words}");
        assert_eq!(p.load_sectors_per_request(), want, "stride {stride} x{words}");
        assert_eq!(p.store_sectors_per_request(), want, "stride {stride} x{words}");
    }
}

#[test]
fn shared_bank_conflicts_follow_the_stride() {
    let engine = profiled();
    let Engine::Gpu(gpu) = &engine else { unreachable!() };
    for (stride, ways) in [(1u32, 1.0), (2, 2.0), (4, 4.0), (3, 1.0), (32, 32.0), (33, 1.0)] {
        let dout = gpu.alloc::<u32>(32).unwrap();
        let l = Launch::new("chk_selftest_probe_shared", Dim3::x(1), Dim3::x(32)).buf(&dout).u32(stride);
        // SAFETY: 32 lanes write one word each.
        unsafe { gpu.launch(&l).unwrap() };
        let p = engine.take_profiles().pop().unwrap();
        eprintln!("{p}");
        assert_eq!(p.counts.shared_requests, 2.0, "stride {stride}");
        assert_eq!(p.bank_conflict_ways(), ways, "stride {stride}");
        assert_eq!(p.barriers_per_block(), 1.0);
    }
}

/// The launches `op` makes on a profiled emulator.
fn profile_of(op: impl FnOnce(&Engine)) -> Vec<cherenkov::backend::KernelProfile> {
    let engine = profiled();
    op(&engine);
    let launches = engine.take_profiles();
    assert!(!launches.is_empty());
    for p in &launches {
        eprintln!("{p}");
    }
    launches
}

fn babybear_matrix(log_rows: u32, width: usize) -> Vec<BabyBear> {
    let mut rng = StdRng::seed_from_u64(common::seed());
    (0..width << log_rows).map(|_| BabyBear::random(&mut rng)).collect()
}

/// Every pass reads and writes its tile in whole rows: at most 5 sectors per request (4 for 32
/// consecutive words, the rest the group's twiddles), most of every sector used, shared memory
/// free of bank conflicts but for the twiddle reads of the narrow stages.
#[test]
fn ntt_block_passes_stay_coalesced() {
    let m = babybear_matrix(12, 16);
    for p in profile_of(|e| {
        ntt::transform_batch(e, m.clone(), 16, Transform::new(Direction::Forward)).unwrap();
        ntt::coset_lde_batch(e, m.clone(), 16, 1, BabyBear::new(7), Order::BitReversed).unwrap();
    }) {
        assert!(p.load_sectors_per_request() <= 5.0, "{p}");
        assert!(p.store_sectors_per_request() <= 4.0, "{p}");
        assert!(p.sector_efficiency() >= 0.75, "{p}");
        assert!(p.bank_conflict_ways() <= 1.05, "{p}");
        // Every element crosses DRAM once each way per pass; an LDE's first pass reads half.
        assert!(p.dram_bytes() >= ((4 * 16) << 12) as f64, "{p}");
    }
}

/// Poseidon2 states move in 16-byte pieces: a warp of 16-element states issues 4 load and 4
/// store requests (not 16), half of every sector used (lanes 64 bytes apart).
#[test]
fn poseidon2_states_move_in_16_byte_pieces() {
    let c = Poseidon2Constants::babybear_default_16();
    let mut states = babybear_matrix(12, 16);
    let [p] = &profile_of(|e| poseidon2::permute_batch(e, &c, &mut states).unwrap())[..] else { panic!() };
    let warps = (1u64 << 12) as f64 / 32.0;
    assert_eq!(p.counts.global_load_requests, 4.0 * warps, "{p}");
    assert_eq!(p.counts.global_store_requests, 4.0 * warps, "{p}");
    assert_eq!(p.sector_efficiency(), 0.5, "{p}");
    // Every state read once and written back once.
    assert_eq!(p.dram_bytes(), 2.0 * (64u64 << 12) as f64, "{p}");
}

/// The Merkle tree's compress levels read their children and write every level through shared
/// memory in whole sectors, with at most 2-way bank conflicts (the pair layout of merkle.cuh);
/// the leaf sponge stages its rows coalesced.
#[test]
fn merkle_levels_move_whole_sectors() {
    let c = Poseidon2Constants::babybear_default_16();
    let m = babybear_matrix(12, 16);
    let launches = profile_of(|e| drop(merkle::build(e, &c, vec![RowMajorMatrix::new(m.clone(), 16)]).unwrap()));
    for p in &launches {
        if p.kernel.contains("compress_levels") {
            assert_eq!(p.sector_efficiency(), 1.0, "{p}");
            assert!(p.bank_conflict_ways() <= 2.0 && p.shared_max_ways <= 2, "{p}");
        } else {
            assert!(p.kernel.contains("absorb_rows"), "{p}");
            assert!(p.load_sectors_per_request() <= 4.0, "{p}");
            assert!(p.bank_conflict_ways() <= 2.0, "{p}");
        }
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cherenkov"))
        .args(args)
        .env_remove("CHERENKOV_EMU_PROFILE")
        .output()
        .expect("cherenkov runs")
}

/// `cherenkov profile`: only the cases asked for, a table per operation with every GPU's total,
/// JSON that `--estimates` reads back, and a measured run beside those estimates.
#[test]
fn the_profile_command_reports_and_measures() {
    let out = cli(&["profile", "--shapes", "8x4", "--g2", "4"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("ntt::coset_lde_batch +1 bit 2^8 x 4 BabyBear") && text.contains("msm::g2 2^4 points"),
        "{text}"
    );
    assert!(!text.contains("poseidon2") && !text.contains("msm::g1"), "{text}");
    assert!(text.contains("chk_ntt_babybear_block_pass") && text.contains("RTX 4090 µs"), "{text}");

    let out = cli(&["profile", "--log-perms", "8", "--json", "--gpu", "a100"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let op = &json[0];
    assert_eq!(op["operation"], "poseidon2::permute_batch 2^8 states");
    assert_eq!(op["launches"][0]["kernel"], "chk_poseidon2_babybear_16");
    assert!(op["estimate_us"]["A100 SXM"].as_f64().unwrap() > 0.0);
    let file = std::env::temp_dir().join(format!("cherenkov-profile-{}.json", std::process::id()));
    std::fs::write(&file, &out.stdout).unwrap();

    let out = cli(&[
        "profile",
        "--log-perms",
        "8",
        "--measure",
        "emu",
        "--reps",
        "2",
        "--gpu",
        "a100",
        "--estimates",
        file.to_str().unwrap(),
    ]);
    std::fs::remove_file(&file).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let row = text.lines().find(|l| l.starts_with("| poseidon2::permute_batch 2^8 states")).expect("a measured row");
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // call, kernels, transfers, allocations, conversions, rest; one launch; the file's estimate.
    assert_eq!(cells[8], "1", "{row}");
    let estimate = op["estimate_us"]["A100 SXM"].as_f64().unwrap() / 1e3;
    assert_eq!(cells[9], format!("{estimate:.3}"), "{row}");
    let ms: Vec<f64> = cells[2..8].iter().map(|c| c.parse().unwrap()).collect();
    // The parts are the call's: kernels took time, and all of them fit in the call.
    assert!(ms[1] > 0.0 && ms[1..].iter().sum::<f64>() <= ms[0] + 0.005, "{row}");
}

#[test]
fn profile_flags_are_checked_before_work() {
    for (args, says) in [
        (&["profile", "--gpu", "v100"][..], "--gpu v100"),
        (&["profile", "--shapes", "23x1"], "--shapes 23"),
        (&["profile", "--shapes", "20x128"], "elements"),
        (&["profile", "--g1", "17"], "--g1 17"),
        (&["profile", "--log-perms", "8", "--measure", "emu", "--reps", "0"], "--reps 0"),
        (&["profile", "--log-perms", "8", "--measure", "emu", "--estimates", "/nonexistent.json"], "nonexistent"),
    ] {
        let out = cli(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
