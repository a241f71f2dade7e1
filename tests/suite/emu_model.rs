//! The execution model itself: barriers, shared memory, warp operations, atomics and integer
//! intrinsics, checked against CUDA's documented semantics written out independently in Rust;
//! and the misuse the emulator must report instead of hanging or guessing. The same bodies run
//! on a real GPU through the cuda backend when one is present.

use crate::common;

use cherenkov::backend::{emu, Dim3, Gpu, Launch, Schedule};
use cherenkov::error::EmuErrorKind;
use cherenkov::{Engine, Error};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn gpu(engine: &Engine) -> &Gpu {
    match engine {
        Engine::Gpu(g) => g,
        Engine::Cpu => unreachable!("gpu_only tests"),
    }
}

fn random_u32(seed: u64, n: usize) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random()).collect()
}

fn block_sum(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let n = 256 * 7 - 13; // last block partly empty
    let input = random_u32(seed, n);
    let din = g.upload(&input).unwrap();
    let dout = g.alloc::<u32>(7).unwrap();
    let l = Launch::new("chk_selftest_block_sum", Dim3::x(7), Dim3::x(256)).buf(&din).buf(&dout).u64(n as u64);
    unsafe { g.launch(&l).unwrap() };
    let want: Vec<u32> = input.chunks(256).map(|c| c.iter().fold(0u32, |s, v| s.wrapping_add(*v))).collect();
    assert_eq!(g.download(&dout).unwrap(), want);
}
backend_tests!(block_sum, gpu_only);

/// CUDA's shuffle semantics for one warp, from the programming guide.
fn expected_warp_ops(v: &[u32]) -> Vec<u32> {
    let shfl = |lane: usize, src_lane: usize, width: usize| v[(lane & !(width - 1)) + (src_lane & (width - 1))];
    let up = |lane: usize, d: usize, width: usize| if lane % width >= d { v[lane - d] } else { v[lane] };
    let down = |lane: usize, d: usize, width: usize| if lane % width + d < width { v[lane + d] } else { v[lane] };
    let xor = |lane: usize, m: usize, width: usize| {
        let src = lane ^ m;
        if src < (lane & !(width - 1)) + width {
            v[src]
        } else {
            v[lane]
        }
    };
    let ballot = |mask: u32, pred: &dyn Fn(u32) -> bool| {
        (0..32).filter(|&l| mask >> l & 1 == 1 && pred(v[l])).fold(0u32, |b, l| b | 1 << l)
    };
    let mut out = Vec::new();
    for lane in 0..32 {
        let half_mask = if lane & 16 != 0 { 0xffff_0000 } else { 0x0000_ffff };
        let src = v[(lane & 16) + 2];
        out.extend([
            shfl(lane, 5, 32),
            shfl(lane, (lane * 7 + 3) & 31, 8),
            up(lane, 3, 32),
            up(lane, 2, 8),
            down(lane, 4, 32),
            down(lane, 1, 16),
            xor(lane, 1, 32),
            xor(lane, 12, 16),
            ballot(u32::MAX, &|x| x & 1 == 1),
            v.iter().any(|x| x % 7 == 0) as u32,
            v.iter().all(|&x| x != 0) as u32,
            src.wrapping_add(3u32.wrapping_mul(src ^ 0x5a5a_5a5a)),
            ballot(half_mask, &|x| x & 2 == 2),
        ]);
    }
    out
}

fn warp_ops(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let mut input = random_u32(seed, 128);
    input[40] = 0; // warp 1: `all` is false, `any % 7` true
    input[70] = 14;
    for x in &mut input[96..] {
        *x |= 1; // warp 3: no multiple of 7 unless chosen, all non-zero
        if *x % 7 == 0 {
            *x += 2;
        }
    }
    let din = g.upload(&input).unwrap();
    let dout = g.alloc::<u32>(128 * 13).unwrap();
    let l = Launch::new("chk_selftest_warp_ops", Dim3::x(2), Dim3::x(64)).buf(&din).buf(&dout);
    unsafe { g.launch(&l).unwrap() };
    let want: Vec<u32> = input.chunks(32).flat_map(expected_warp_ops).collect();
    assert_eq!(g.download(&dout).unwrap(), want);
}
backend_tests!(warp_ops, gpu_only);

fn syncwarp(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let input = random_u32(seed, 128);
    let din = g.upload(&input).unwrap();
    let dout = g.alloc::<u32>(128).unwrap();
    let l = Launch::new("chk_selftest_syncwarp", Dim3::x(2), Dim3::x(64)).buf(&din).buf(&dout);
    unsafe { g.launch(&l).unwrap() };
    let want: Vec<u32> = (0..128).map(|i| input[(i & !31) | ((i + 1) & 31)]).collect();
    assert_eq!(g.download(&dout).unwrap(), want);
}
backend_tests!(syncwarp, gpu_only);

fn dyn_shared(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let mut rng = StdRng::seed_from_u64(seed);
    let input: Vec<u64> = (0..3 * 96).map(|_| rng.random()).collect();
    let din = g.upload(&input).unwrap();
    let dout = g.alloc::<u64>(input.len()).unwrap();
    let l = Launch::new("chk_selftest_dyn_shared", Dim3::x(3), Dim3::x(96)).shared(96 * 8).buf(&din).buf(&dout);
    unsafe { g.launch(&l).unwrap() };
    let want: Vec<u64> = input.chunks(96).flat_map(|c| c.iter().rev().copied()).collect();
    assert_eq!(g.download(&dout).unwrap(), want);
}
backend_tests!(dyn_shared, gpu_only);

fn atomics(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let input = random_u32(seed, 5000);
    let din = g.upload(&input).unwrap();
    let counters = g.upload(&[0u32, 0, u32::MAX, 0, 0]).unwrap();
    let sum = g.alloc::<u64>(1).unwrap();
    let l = Launch::new("chk_selftest_atomics", Dim3::x(6), Dim3::x(128))
        .buf(&din)
        .u64(input.len() as u64)
        .buf(&counters)
        .buf(&sum);
    unsafe { g.launch(&l).unwrap() };
    let want = [
        input.len() as u32,
        *input.iter().max().unwrap(),
        *input.iter().min().unwrap(),
        input.iter().fold(0u32, |s, v| s.wrapping_add(v & 0xff)),
        input.iter().fold(0u32, |s, v| s ^ v),
    ];
    assert_eq!(g.download(&counters).unwrap(), want);
    let want_sum = input.iter().fold(0u64, |s, &v| s.wrapping_add(v as u64 * v as u64));
    assert_eq!(g.download(&sum).unwrap(), vec![want_sum]);
}
backend_tests!(atomics, gpu_only);

fn intrinsics(engine: &Engine, seed: u64) {
    let g = gpu(engine);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut a: Vec<u64> = (0..500).map(|_| rng.random()).collect();
    let mut b: Vec<u64> = (0..500).map(|_| rng.random()).collect();
    a.extend([0, u64::MAX, 1, 1 << 63, 0xffff_ffff]);
    b.extend([0, u64::MAX, u64::MAX, 31 << 32, 32 << 32]);
    let (da, db) = (g.upload(&a).unwrap(), g.upload(&b).unwrap());
    let dout = g.alloc::<u64>(a.len() * 12).unwrap();
    let l = Launch::new("chk_selftest_intrinsics", Dim3::x(2), Dim3::x(128))
        .buf(&da)
        .buf(&db)
        .buf(&dout)
        .u64(a.len() as u64);
    unsafe { g.launch(&l).unwrap() };
    let got = g.download(&dout).unwrap();
    for (i, (&x, &y)) in a.iter().zip(&b).enumerate() {
        let (xl, yl, s) = (x as u32, y as u32, (y >> 32) as u32);
        let pair = ((yl as u64) << 32) | xl as u64;
        let sel = (x >> 32) as u32;
        let bytes = pair.to_le_bytes();
        let perm = (0..4).fold(0u32, |r, k| r | (bytes[(sel >> (4 * k) & 7) as usize] as u32) << (8 * k));
        let want = [
            ((xl as u64 * yl as u64) >> 32),
            ((x as u128 * y as u128) >> 64) as u64,
            ((x as i64 as i128 * y as i64 as i128) >> 64) as u64,
            xl.count_ones() as u64,
            x.count_ones() as u64,
            xl.leading_zeros() as u64,
            x.leading_zeros() as u64,
            xl.reverse_bits() as u64,
            x.reverse_bits(),
            ((pair << (s & 31)) >> 32) as u32 as u64,
            (pair >> (s & 31)) as u32 as u64,
            perm as u64,
        ];
        assert_eq!(&got[i * 12..i * 12 + 12], &want, "inputs {x:#x} {y:#x}");
    }
}
backend_tests!(intrinsics, gpu_only);

// ---- misuse is reported, with where and what ----------------------------------------------------

fn run_bad(schedule: Schedule, kernel: &'static str, threads: u32) -> Result<Vec<u32>, Error> {
    let Engine::Gpu(g) = common::emu(schedule) else { unreachable!() };
    let out = g.alloc::<u32>(threads as usize).unwrap();
    unsafe { g.launch(&Launch::new(kernel, Dim3::x(1), Dim3::x(threads)).buf(&out))? };
    g.download(&out)
}

fn expect_emu_error(kernel: &'static str, kind: EmuErrorKind, needle: &str) {
    for schedule in Schedule::all(common::seed()) {
        match run_bad(schedule, kernel, 64) {
            Err(Error::Emulator { kind: k, message }) => {
                assert_eq!(k, kind, "{kernel} under {schedule}: {message}");
                assert!(message.contains(needle), "{kernel} under {schedule}: `{message}` lacks `{needle}`");
            }
            other => panic!("{kernel} under {schedule}: expected {kind}, got {other:?}"),
        }
    }
}

#[test]
fn divergent_barriers_are_reported() {
    expect_emu_error("chk_selftest_bad_divergent_barrier", EmuErrorKind::BarrierDivergence, "selftest.cu");
}

#[test]
fn exit_before_a_barrier_is_reported() {
    expect_emu_error("chk_selftest_bad_exit_before_barrier", EmuErrorKind::BarrierDivergence, "exited");
}

#[test]
fn a_lane_outside_its_own_mask_is_reported() {
    expect_emu_error("chk_selftest_bad_warp_mask", EmuErrorKind::WarpMisuse, "does not name it");
}

#[test]
fn lanes_at_different_warp_ops_are_reported() {
    expect_emu_error("chk_selftest_bad_mixed_warp_ops", EmuErrorKind::WarpMisuse, "different warp ops");
}

#[test]
fn deadlocks_are_reported() {
    expect_emu_error("chk_selftest_bad_deadlock", EmuErrorKind::Deadlock, "__syncthreads");
}

/// Without ThreadSanitizer the race shows as schedule-dependent output; with it, as a report.
#[test]
fn a_racy_kernel_is_caught() {
    if emu::tsan_enabled() {
        match run_bad(Schedule::Forward, "chk_selftest_racy", 64) {
            Err(Error::Emulator { kind: EmuErrorKind::DataRace, message }) => {
                assert!(message.contains("ThreadSanitizer"), "{message}")
            }
            other => panic!("expected a ThreadSanitizer report, got {other:?}"),
        }
    } else {
        let fwd = run_bad(Schedule::Forward, "chk_selftest_racy", 64).unwrap();
        let rev = run_bad(Schedule::Reverse, "chk_selftest_racy", 64).unwrap();
        assert_eq!(fwd, vec![63; 64], "forward: thread 63 writes last");
        assert_eq!(rev, vec![0; 64], "reverse: thread 0 writes last");
    }
}

#[test]
fn bad_launches_are_errors() {
    let Engine::Gpu(g) = common::emu(Schedule::Forward) else { unreachable!() };
    let out = g.alloc::<u32>(4).unwrap();
    let launch =
        |name, grid, block, shared| unsafe { g.launch(&Launch::new(name, grid, block).shared(shared).buf(&out)) };
    assert!(matches!(launch("no_such_kernel", Dim3::x(1), Dim3::x(1), 0), Err(Error::UnknownKernel(_))));
    assert!(matches!(launch("chk_selftest_racy", Dim3::x(1), Dim3::x(2048), 0), Err(Error::InvalidLaunch { .. })));
    assert!(matches!(
        launch("chk_selftest_racy", Dim3::x(0), Dim3::x(32), 0),
        Err(Error::Emulator { kind: EmuErrorKind::InvalidConfig, .. })
    ));
    assert!(matches!(launch("chk_selftest_racy", Dim3::x(1), Dim3::x(32), 1 << 20), Err(Error::InvalidLaunch { .. })));
}

#[test]
fn every_kernel_in_the_tree_is_in_the_emulator() {
    let emu_kernels = emu::kernel_names();
    for src in cherenkov::backend::kernels::KERNEL_SOURCES {
        for k in src.kernels {
            assert!(emu_kernels.contains(k), "{k} from {} missing in the emulator build", src.file);
        }
    }
    assert!(emu_kernels.len() >= 20, "{emu_kernels:?}");
}
