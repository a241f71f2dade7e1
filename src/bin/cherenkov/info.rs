//! `cherenkov info`: what this machine and this build can run.

use cherenkov::backend::{self, cuda, emu, kernels, EmuConfig};
use cherenkov::{bench, Engine};

/// Prints what this machine and build can run, then (`device_counts`) what each public device
/// operation costs on the emulator (`Engine::stats()`).
pub(crate) fn run(show_kernels: bool, device_counts: bool) -> cherenkov::Result<bool> {
    print(show_kernels);
    if device_counts {
        let engine = Engine::emu(EmuConfig::default());
        let rows = bench::counts::run(&engine)?;
        println!("\ndevice counts (Engine::stats on {}):\n\n{}", engine.name(), bench::counts::table(&rows));
    }
    Ok(true)
}

fn print(show_kernels: bool) {
    println!("cherenkov {}", env!("CARGO_PKG_VERSION"));
    println!("\nbackends:");
    for a in backend::availability() {
        println!(
            "  {:<5} {:<13} {}",
            a.backend.to_string(),
            if a.available { "available" } else { "unavailable" },
            a.detail
        );
    }
    println!(
        "  cpu BN254 path (G1/G2 MSM, Fr FFT): {}",
        match cherenkov::msm::cpu::bn254_path() {
            "avx512ifma" => "AVX-512 IFMA (8 lanes of 52-bit limbs; CHERENKOV_CPU_PORTABLE=1 turns it off)",
            other => other,
        }
    );
    println!("\ndevices:");
    match cuda::probe() {
        Ok(devs) => {
            for d in devs {
                println!(
                    "  cuda:{} {} sm_{}{}, {} SMs, {:.1} GiB",
                    d.ordinal,
                    d.name,
                    d.compute_capability.0,
                    d.compute_capability.1,
                    d.sm_count,
                    d.total_mem as f64 / (1u64 << 30) as f64
                );
            }
        }
        Err(why) => println!("  none ({why})"),
    }
    println!("\nkernel build:");
    println!("  nvcc: {}", if kernels::NVCC_STATUS.is_empty() { "-" } else { kernels::NVCC_STATUS });
    println!("  targets: {} (+ PTX for the last)", kernels::CUDA_ARCHS.join(", "));
    let count: usize = kernels::KERNEL_SOURCES.iter().map(|s| s.kernels.len()).sum();
    println!(
        "  {count} kernels in {} sources; emulator build has {}",
        kernels::KERNEL_SOURCES.len(),
        emu::kernel_names().len()
    );
    if !kernels::KERNEL_STATS.is_empty() {
        let spills = kernels::KERNEL_STATS.iter().filter(|s| s.spill_stores + s.spill_loads > 0).count();
        let max_regs = kernels::KERNEL_STATS.iter().map(|s| s.registers).max().unwrap_or(0);
        println!("  ptxas: {spills} kernel/arch pairs with spills, at most {max_regs} registers");
    }
    if show_kernels {
        // SASS: instructions, local-memory instructions, subroutine calls (cuobjdump).
        println!(
            "\n  {:<40} {:<6} {:>5} {:>6} {:>7} {:>9} {:>7} {:>5} {:>5}",
            "kernel", "arch", "regs", "frame", "spills", "smem/max", "sass", "local", "calls"
        );
        for s in kernels::KERNEL_STATS {
            let (sass, local, calls) = match s.sass {
                Some(x) => (x.instructions.to_string(), x.local.to_string(), x.calls.to_string()),
                None => ("-".into(), "-".into(), "-".into()),
            };
            println!(
                "  {:<40} {:<6} {:>5} {:>6} {:>7} {:>9} {:>7} {:>5} {:>5}",
                s.kernel,
                s.arch,
                s.registers,
                s.stack_frame,
                s.spill_stores + s.spill_loads,
                format!("{}/{}", s.static_smem, s.smem_limit),
                sass,
                local,
                calls
            );
        }
        if !kernels::KERNEL_STATS.is_empty() {
            for (what, cost) in
                [("product", kernels::product_sass as fn(&str, &str) -> Option<f64>), ("addition", kernels::sum_sass)]
            {
                println!("\n  SASS instructions per field {what} (a chain of 17 less a chain of 1, / 16):");
                println!(
                    "  {:<12} {}",
                    "field",
                    kernels::CUDA_ARCHS.iter().map(|a| format!("{a:>8}")).collect::<String>()
                );
                for field in kernels::PRODUCT_FIELDS {
                    let row: String = kernels::CUDA_ARCHS
                        .iter()
                        .map(|a| cost(field, a).map_or(format!("{:>8}", "-"), |n| format!("{n:>8.1}")))
                        .collect();
                    println!("  {field:<12} {row}");
                }
            }
            println!("  SASS read: {}", if kernels::SASS_STATUS.is_empty() { "-" } else { kernels::SASS_STATUS });
        }
        if kernels::KERNEL_STATS.is_empty() {
            println!("  (no statistics: built without nvcc)");
        }
    }
    println!("\ncpu:");
    println!("  {} threads", rayon::current_num_threads());
    #[cfg(target_arch = "x86_64")]
    {
        let detected: Vec<&str> = [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
            ("bmi2", std::arch::is_x86_feature_detected!("bmi2")),
            ("adx", std::arch::is_x86_feature_detected!("adx")),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        let compiled: Vec<&str> = [
            ("avx2", cfg!(target_feature = "avx2")),
            ("avx512f", cfg!(target_feature = "avx512f")),
            ("bmi2", cfg!(target_feature = "bmi2")),
            ("adx", cfg!(target_feature = "adx")),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        println!("  detected: {}", detected.join(" "));
        println!(
            "  compiled for: {} {}",
            if compiled.is_empty() { "baseline x86-64".to_string() } else { compiled.join(" ") },
            if compiled.len() < detected.len() {
                "(build with RUSTFLAGS=\"-C target-cpu=native\" to use the rest)"
            } else {
                ""
            }
        );
    }
}
