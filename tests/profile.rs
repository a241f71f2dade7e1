//! The emulator's access profile: its scoring checked against access patterns whose cost on a
//! GPU follows from the hardware's rules, and the profiles of the main kernels pinned.

mod common;

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
        assert!(p.bank_conflict_ways() <= 1.25, "{p}");
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
    assert_eq!(p.dram_bytes(), (64u64 << 12) as f64, "{p}");
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
