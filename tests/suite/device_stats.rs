//! `Engine::stats()`: device counters kept where every transfer, allocation and launch passes,
//! so the emulator counts what a GPU would. The cpu counts nothing; clones share; a reset
//! zeroes; the same call counts the same under every schedule; a repeated NTT moves exactly its
//! input down and its output up (twiddles stay resident), and a repeated LDE allocates nothing
//! (the pool) and waits for the device twice.

use crate::common;

use cherenkov::backend::{DeviceStats, Schedule};
use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::Engine;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// The emulator's resident twiddle tables are shared by every emu engine of the process: the two
/// tests that count twiddle uploads take turns, so one's first call cannot replace a table while
/// the other counts a repeated call.
static TWIDDLES: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn input(n: usize) -> Vec<BabyBear> {
    let mut rng = StdRng::seed_from_u64(common::seed());
    (0..n).map(|_| BabyBear::random(&mut rng)).collect()
}

#[test]
fn the_cpu_counts_nothing() {
    let x = input(1 << 10);
    ntt::transform_batch(&Engine::Cpu, x, 4, Transform::new(Direction::Forward)).unwrap();
    assert_eq!(Engine::Cpu.stats(), DeviceStats::default());
}

#[test]
fn transfers_allocations_and_staging_are_counted() {
    let e = common::emu(Schedule::Forward);
    let Engine::Gpu(g) = &e else { unreachable!() };
    let small = g.upload(&[1u32; 1000]).unwrap();
    let s = e.stats();
    assert_eq!((s.bytes_to_device, s.allocations, s.bytes_allocated, s.staging_copies), (4000, 1, 4000, 0));
    assert_eq!(s.synchronizations, 2, "the allocation and the copy");
    // 40 MiB: above 1 MiB it goes through 16 MiB staging chunks (three).
    let big = g.upload(&vec![0u32; 10 << 20]).unwrap();
    assert_eq!(e.stats().staging_copies, 3);
    g.download(&small).unwrap();
    let s = e.stats();
    assert_eq!(s.bytes_to_host, 4000);
    assert_eq!(s.bytes_to_device, 4000 + (40 << 20));
    let clone = e.clone();
    clone.reset_stats();
    assert_eq!(e.stats(), DeviceStats::default(), "clones share the counters");
    g.download(&big).unwrap();
    assert_eq!(clone.stats().bytes_to_host, 40 << 20);
    assert_eq!(clone.stats().launches, 0);
}

#[test]
fn a_repeated_ntt_moves_its_input_down_and_its_output_up() {
    let _turn = TWIDDLES.lock().unwrap_or_else(|e| e.into_inner());
    let (w, log_n) = (4usize, 11u32);
    let x = input(w << log_n);
    let bytes = (x.len() * 4) as u64;
    let mut per_schedule = Vec::new();
    for schedule in [Schedule::Forward, Schedule::Reverse] {
        let e = common::emu(schedule);
        let t = Transform::new(Direction::Inverse).orders(Order::BitReversed, Order::Natural);
        let run_lde = || ntt::coset_lde_batch(&e, x.clone(), w, 2, BabyBear::new(7), Order::BitReversed).unwrap();
        // First calls make the twiddle tables resident; what follows is a repeated call.
        ntt::transform_batch(&e, x.clone(), w, t).unwrap();
        run_lde();
        e.reset_stats();
        ntt::transform_batch(&e, x.clone(), w, t).unwrap();
        let s = e.stats();
        assert_eq!(s.bytes_to_device, bytes, "{s}");
        assert_eq!(s.bytes_to_host, bytes, "{s}");
        assert!(s.launches >= 1, "{s}");
        assert_eq!((s.allocations, s.synchronizations), (0, 2), "pooled buffers, queued launches: {s}");
        let lde = run_lde();
        let after = e.stats();
        assert_eq!(after.bytes_to_device - s.bytes_to_device, bytes, "the LDE uploads its input once");
        assert_eq!(after.bytes_to_host - s.bytes_to_host, (lde.len() * 4) as u64, "the LDE downloads its output once");
        per_schedule.push(after);
        // Repeated on the same shape, the LDE takes every buffer from the pool: no allocation, one
        // wait for the upload and one for the download (launches are queued).
        e.reset_stats();
        let lde = run_lde();
        let s = e.stats();
        assert_eq!((s.allocations, s.bytes_allocated), (0, 0), "{s}");
        assert!(s.pooled_allocations >= 2, "{s}");
        assert_eq!(s.synchronizations, 2, "{s}");
        assert_eq!((s.bytes_to_device, s.bytes_to_host), (bytes, (lde.len() * 4) as u64), "{s}");
    }
    assert_eq!(per_schedule[0], per_schedule[1], "the schedule does not change what is moved");
}

#[test]
fn every_public_device_operation_has_counts() {
    let _turn = TWIDDLES.lock().unwrap_or_else(|e| e.into_inner());
    let rows = cherenkov::bench::counts::run(&common::emu(Schedule::Forward)).unwrap();
    assert!(rows.len() >= 9);
    for r in &rows {
        assert!(r.first.launches > 0 && r.first.bytes_to_host > 0, "{}: {}", r.operation, r.first);
        assert!(r.repeated.bytes_to_device <= r.first.bytes_to_device, "{}", r.operation);
    }
    let table = cherenkov::bench::counts::table(&rows);
    assert!(table.contains("| merkle::commit_lde"), "{table}");
    // A tree's digest layers come back in one copy however many compress launches fold it:
    // a repeated build waits for its upload and that copy only.
    let build = rows.iter().find(|r| r.operation.starts_with("merkle::build")).expect("a merkle::build row");
    assert!(build.repeated.launches >= 3, "{}", build.repeated);
    assert_eq!(build.repeated.synchronizations, 2, "{}", build.repeated);
}

/// Results come back into the caller's memory: a device NTT returns its input's own allocation
/// (an LDE grows it), Poseidon2 permutes the caller's slice in place, both equal to the cpu's.
/// With a recomputing self-check the input must outlive the device call, so results go to
/// fresh memory.
#[test]
fn results_come_back_into_the_callers_memory() {
    let e = common::emu(Schedule::Forward);
    let t = Transform::new(Direction::Forward);
    let x = input(4 << 9);
    let want = ntt::transform_batch(&Engine::Cpu, x.clone(), 4, t).unwrap();
    let moved = x.clone();
    let at = moved.as_ptr();
    let got = ntt::transform_batch(&e, moved, 4, t).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.as_ptr(), at, "the input's allocation holds the output");

    let mut big = x.clone();
    big.reserve_exact(x.len());
    let at = big.as_ptr();
    let shift = BabyBear::new(7);
    let lde = ntt::coset_lde_batch(&e, big, 4, 1, shift, Order::BitReversed).unwrap();
    assert_eq!(lde.as_ptr(), at, "capacity for the whole LDE is used as is");
    assert_eq!(lde, ntt::coset_lde_batch(&Engine::Cpu, x.clone(), 4, 1, shift, Order::BitReversed).unwrap());

    let c = cherenkov::poseidon2::Poseidon2Constants::babybear_default_16();
    let mut states = input(16 * 64);
    let mut on_cpu = states.clone();
    cherenkov::poseidon2::permute_batch(&Engine::Cpu, &c, &mut on_cpu).unwrap();
    e.reset_stats();
    cherenkov::poseidon2::permute_batch(&e, &c, &mut states).unwrap();
    assert_eq!(states, on_cpu);
    let s = e.stats();
    assert_eq!((s.bytes_to_device, s.bytes_to_host), (4 * 16 * 64, 4 * 16 * 64));

    // Checked with errors as the policy: the input's rows were combined on upload, so its
    // memory still takes the result; a recomputing check keeps the input for the cpu.
    use cherenkov::verify::{OnFailure, SelfCheck};
    let checked = e.clone().with_self_check(Some(SelfCheck::new(OnFailure::Error)));
    let moved = x.clone();
    let at = moved.as_ptr();
    let got = ntt::transform_batch(&checked, moved, 4, t).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.as_ptr(), at, "checked, errors: the input's allocation holds the output");
    let recomputing = e.clone().with_self_check(Some(SelfCheck::new(OnFailure::Recompute)));
    let at = x.as_ptr();
    let got = ntt::transform_batch(&recomputing, x, 4, t).unwrap();
    assert_eq!(got, want);
    assert_ne!(got.as_ptr(), at, "checked, recompute: a fresh result beside the input");
}

/// An uninitialized emulated buffer reads as `EMU_POISON` whether it is fresh or comes from the
/// pool holding another call's data: a kernel that reads what nobody wrote fails every run.
#[test]
fn uninitialized_emulated_buffers_are_poisoned() {
    use cherenkov::backend::{EmuDevice, Gpu, EMU_POISON};
    let gpu = Gpu::emu(EmuDevice::new(Default::default()));
    let poison = u32::from_ne_bytes([EMU_POISON; 4]);
    let fresh = gpu.alloc_uninit::<u32>(1000).unwrap();
    assert!(gpu.download(&fresh).unwrap().iter().all(|&w| w == poison));
    drop(fresh);
    let data: Vec<u32> = (0..1000).collect();
    drop(gpu.upload(&data).unwrap()); // back to the pool, holding data
    let reused = gpu.alloc_uninit::<u32>(1000).unwrap();
    assert!(gpu.stats().pooled_allocations > 0, "the pool served it: {:?}", gpu.stats());
    assert!(gpu.download(&reused).unwrap().iter().all(|&w| w == poison));
}
