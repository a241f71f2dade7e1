//! The emulator's access profile: its scoring checked against access patterns whose cost on a
//! GPU follows from the hardware's rules, and the profiles of the main kernels pinned.

use cherenkov::backend::{Dim3, EmuConfig, Engine, Launch};

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
