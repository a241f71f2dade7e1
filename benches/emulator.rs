//! How much slower the emulator runs a kernel than plain Rust does the same work, both on one
//! thread: the cost of emulating the execution model (fibers, barriers), not a product speed.
//! `cargo bench --bench emulator`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use cherenkov::backend::{Dim3, EmuConfig, Gpu, Launch, Schedule};
use cherenkov::field::{self, BabyBear, FieldOp};
use cherenkov::Engine;

const N: usize = 1 << 16;

fn one_thread_emu() -> Engine {
    Engine::emu(EmuConfig { schedule: Schedule::Forward, threads: 1, ..EmuConfig::default() })
}

fn babybear_mul(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let a: Vec<BabyBear> = (0..N).map(|_| rng.random()).collect();
    let b: Vec<BabyBear> = (0..N).map(|_| rng.random()).collect();
    let emu = one_thread_emu();
    let mut g = c.benchmark_group(format!("emulator/babybear_mul/n={N}"));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("native", "p3"), |bench| {
        bench.iter(|| a.iter().zip(&b).map(|(x, y)| *x * *y).collect::<Vec<_>>())
    });
    g.bench_function(BenchmarkId::new("emu", "1 thread"), |bench| {
        bench.iter(|| field::apply(&emu, FieldOp::Mul, &a, &b).unwrap())
    });
    g.finish();
}

fn block_sum(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2);
    let input: Vec<u32> = (0..N).map(|_| rng.random()).collect();
    let Engine::Gpu(gpu) = one_thread_emu() else { unreachable!() };
    let din = gpu.upload(&input).unwrap();
    let blocks = (N / 256) as u32;
    let dout = gpu.alloc::<u32>(blocks as usize).unwrap();
    let mut g = c.benchmark_group(format!("emulator/block_sum/n={N}"));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("native", "chunks"), |bench| {
        bench.iter(|| input.chunks(256).map(|ch| ch.iter().fold(0u32, |s, v| s.wrapping_add(*v))).collect::<Vec<_>>())
    });
    g.bench_function(BenchmarkId::new("emu", "1 thread"), |bench| {
        bench.iter(|| {
            let l =
                Launch::new("chk_selftest_block_sum", Dim3::x(blocks), Dim3::x(256)).buf(&din).buf(&dout).u64(N as u64);
            // SAFETY: n = N elements in, N / 256 sums out.
            unsafe { run(&gpu, &l) }
        })
    });
    g.finish();
}

unsafe fn run(gpu: &Gpu, l: &Launch<'_>) {
    unsafe { gpu.launch(l).unwrap() }
}

criterion_group!(benches, babybear_mul, block_sum);
criterion_main!(benches);
