//! The `cherenkov` command: `check` cross-checks every backend against the references, `bench`
//! times each primitive against its peer, `prove` and `sp1` prove with stock and cherenkov side by
//! side, `profile` shows device cost without a GPU, `info` says what this machine and this build
//! can run.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod sp1;

use cherenkov::backend::{self, cuda, emu, kernels, EmuConfig, Schedule};
use cherenkov::bench::{self, limits, Batch, MerkleBench, MsmBench, NttBench, Shape};
use cherenkov::check::{self, CheckConfig, Outcome};
use cherenkov::{Backend, Engine};

#[derive(Parser)]
#[command(name = "cherenkov", version, about = "GPU kernels for ZK provers: cross-check and inspect")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cross-check every backend against the reference implementations, bit for bit.
    Check {
        /// Backends to check; `all` = every backend available here (cpu, emu, cuda).
        #[arg(long, value_enum, default_value = "all")]
        backend: BackendArg,
        /// Seed for the random inputs (printed; a fresh one when not given).
        #[arg(long)]
        seed: Option<u64>,
        /// Random inputs per case, on top of the edge cases.
        #[arg(long, default_value_t = 1000)]
        random: usize,
        /// log2 sizes (0 to 26) for the size-dependent cases, comma-separated: NTT heights (2^N
        /// rows of 2 columns, every field; capped at each field's two-adicity − 1), Merkle trees
        /// (2^N rows + 2^(N-1) injected) and MSMs (2^N G1 points, 2^N / 4 G2 points). Default: a
        /// built-in set covering every kernel path.
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<u32>,
        /// Run the emulator under forward, reverse and random schedules instead of one.
        #[arg(long)]
        all_schedules: bool,
        /// Print the results as JSON on stdout (the seed, every row, the counts) instead of the
        /// table.
        #[arg(long)]
        json: bool,
    },
    /// Time each primitive against its peer (Plonky3, arkworks) on the same inputs: medians and
    /// the ratio (peer time / ours; above 1 cherenkov is faster).
    Bench {
        /// Also write WHAT.csv, WHAT.json and WHAT.svg (time against size, log-log) to this
        /// folder.
        #[arg(long, global = true)]
        out: Option<std::path::PathBuf>,
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Prove Plonky3's Keccak-f AIR (BabyBear, Poseidon2-16 FRI) with the stock configuration and
    /// with cherenkov's on each backend, by p3-uni-stark's prover, cherenkov's or both; the stock
    /// verifier checks every proof; prints prove times, speed-ups, on a device what each proof
    /// moved and launched, and, with `--pow-bits 0`, whether the proof bytes equal the stock
    /// proof's.
    Prove {
        /// Trace height 2^LOG_ROWS (⌊2^LOG_ROWS / 24⌋ Keccak-f permutations).
        #[arg(long, default_value_t = 12)]
        log_rows: u32,
        /// Backends to prove on, comma-separated (auto = cuda when usable, else cpu).
        #[arg(long, value_delimiter = ',', default_value = "auto")]
        backends: Vec<Backend>,
        /// The prover over cherenkov's configuration: stock (`p3_uni_stark::prove`), cherenkov
        /// (`cherenkov::stark::prove_on`: the constraints on the backend too) or both.
        #[arg(long, value_enum, default_value_t = ProverArg::Both)]
        prover: ProverArg,
        /// FRI queries, at least 1 (the rest of the FRI parameters are
        /// `FriParameters::new_benchmark`'s).
        #[arg(long, default_value_t = 100)]
        queries: usize,
        /// Query proof-of-work bits, 0 to 30 (BabyBear). Plonky3 searches the witness in parallel
        /// and keeps any valid one; cherenkov returns the smallest, so above 0 the proof bytes
        /// are compared with an extra, untimed one-thread stock proof's.
        #[arg(long, default_value_t = 16)]
        pow_bits: usize,
    },
    /// Run the main device operations on the emulator with every memory access profiled: per
    /// launch, sectors per global request (coalescing), shared-memory bank conflicts, barriers,
    /// occupancy and a roofline estimate of its time on named GPUs (no GPU needed). Giving any
    /// case flag runs only the cases given.
    Profile {
        /// BabyBear NTT shapes LOGxWIDTH (LOG at most 22, at most 2^26 elements): a forward
        /// transform and a +1-bit coset LDE of each. Default: 16x16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        shapes: Option<Vec<Shape>>,
        /// log2 of the number of Poseidon2-16 permutations (at most 22). Default: 16.
        #[arg(long)]
        log_perms: Option<u32>,
        /// Merkle trees of one BabyBear matrix each, LOGxWIDTH. Default: 16x16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        trees: Option<Vec<Shape>>,
        /// log2 sizes of BN254 Fr FFTs (at most 18). Default: 12.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        bn254: Option<Vec<u32>>,
        /// log2 numbers of G1 MSM points (at most 16). Default: 12.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g1: Option<Vec<u32>>,
        /// log2 numbers of G2 MSM points (at most 14). Default: 10.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g2: Option<Vec<u32>>,
        /// log2 trace heights of the Keccak-f AIR's quotient (`stark::quotient_values_on`, at
        /// most 12). Not in the default set.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        stark: Option<Vec<u32>>,
        /// log2 trace heights (5 to 12) of whole Keccak-f proofs by the device prover
        /// (`stark::prove_on` with `config::on`: LDEs, trees, quotient, FRI's trees). Not in the
        /// default set.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        stark_proof: Option<Vec<u32>>,
        /// The GPU of the per-launch estimates: h100, h200, a100 or 4090 (the totals cover all).
        /// Default: the GPU --measure runs on, else h100.
        #[arg(long)]
        gpu: Option<String>,
        /// Print the profiles and every GPU's estimates as JSON instead of the tables.
        #[arg(long)]
        json: bool,
        /// Also run the cases on this backend (cuda on a GPU machine), traced: per case the
        /// median call split into kernels, transfers, allocations, conversions and the rest of
        /// the host's work, beside the estimate (`--gpu` defaults to the GPU found).
        #[arg(long)]
        measure: Option<Backend>,
        /// Timed repetitions per case with --measure (after one warm-up call).
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// With --measure: take the estimates from this file (what `profile --json` printed
        /// for the same cases, e.g. on a build machine) instead of profiling here.
        #[arg(long)]
        estimates: Option<std::path::PathBuf>,
    },
    /// Prove a RISC-V program with stock SP1 and through cherenkov in one run (SP1's core
    /// machine, setup and shard proofs, both checked by the stock verifier): prove times, the
    /// ratio, whether the proofs are byte-identical, where each side's time went (SP1's spans)
    /// and, on a device engine, what it moved. Builds and runs the SP1 adapters' shard examples
    /// from cherenkov's source tree (the first build takes 10 to 30 minutes).
    Sp1 {
        /// SP1 version: 5 (BabyBear, the patch crates) or 6 (KoalaBear, Hypercube).
        #[arg(long, value_enum)]
        version: sp1::Sp1Version,
        /// About how many RISC-V cycles to prove (the example prints the exact count).
        #[arg(long, default_value_t = 11_000)]
        cycles: u64,
        /// cherenkov's engine (auto = cuda when usable, else cpu).
        #[arg(long, default_value = "auto")]
        backend: Backend,
        /// SP1 v5 only: cycles per shard, a power of two (default 2^22, one shard for these
        /// programs).
        #[arg(long)]
        shard_size: Option<u64>,
        /// Build both sides with `-C target-cpu=native` (in target/native), as the README's
        /// timings are.
        #[arg(long)]
        native: bool,
        /// Print the cargo command instead of running it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Backends, devices, the kernel build and CPU features.
    Info {
        /// Per-kernel ptxas statistics for every architecture.
        #[arg(long)]
        kernels: bool,
        /// What each public device operation moves, launches and allocates (`Engine::stats`),
        /// measured on the emulator, first call and repeated.
        #[arg(long)]
        device_counts: bool,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// BabyBear dft_batch and coset_lde_batch (+1 bit) against Plonky3's Radix2DitParallel,
    /// BN254 Fr FFT against arkworks' Radix2EvaluationDomain.
    Ntt {
        /// Backend to time: auto = cuda when usable, else cpu.
        #[arg(long, default_value = "auto")]
        backend: Backend,
        /// BabyBear shapes as LOGxWIDTH (2^LOG rows of WIDTH columns), comma-separated. Default
        /// (when neither --shapes nor --bn254 is given): 20x64,16x256,22x16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        shapes: Option<Vec<Shape>>,
        /// log2 sizes of the BN254 Fr FFT (at most 28), comma-separated. Default (when neither
        /// --shapes nor --bn254 is given): 20.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        bn254: Option<Vec<u32>>,
        /// Timed repetitions per side; the median is reported.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Seed of the random inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Poseidon2 Merkle commitments (BabyBear, Plonky3's constants, cap height 0) against
    /// Plonky3's MerkleTreeMmcs with packed hashing, and raw Poseidon2-16 permutations.
    Merkle {
        /// Backend to time: auto = cuda when usable, else cpu.
        #[arg(long, default_value = "auto")]
        backend: Backend,
        /// Batches committed in one tree each: LOGxWIDTH shapes (LOG at most 26) joined by `+`,
        /// comma-separated. Default (when neither --batches nor --log-perms is given):
        /// 20x16,20x8+19x16+18x32.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        batches: Option<Vec<Batch>>,
        /// log2 of the number of width-16 states in the raw permutation case (at most 26).
        /// Default (when neither --batches nor --log-perms is given): 20.
        #[arg(long)]
        log_perms: Option<u32>,
        /// Timed repetitions per side; the median is reported.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Seed of the random inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// What self-check mode (`CHERENKOV_VERIFY=1`) costs: each check on the host against the
    /// cpu backend computing the same operation (BabyBear DFT and LDE 2^20 x 64 and 2^22 x 16,
    /// Merkle 2^20 x 16, 2^20 Poseidon2 permutations, G1 MSM batches of 8 and 32 x 2^16).
    Verify {
        /// Timed repetitions per side; the fastest is reported (a check's few milliseconds
        /// against a shared box's noise).
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Seed of the random inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// BN254 G1 and G2 multi-scalar multiplications against arkworks' VariableBaseMSM::msm.
    Msm {
        /// Backend to time: auto = cuda when usable, else cpu.
        #[arg(long, default_value = "auto")]
        backend: Backend,
        /// log2 numbers of G1 points (at most 26), comma-separated. Default (when neither --g1
        /// nor --g2 is given): 16,20.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g1: Option<Vec<u32>>,
        /// log2 numbers of G2 points (at most 26), comma-separated. Default (when neither --g1
        /// nor --g2 is given): 16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g2: Option<Vec<u32>>,
        /// Timed repetitions per side; the median is reported.
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Seed of the random inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ProverArg {
    Stock,
    Cherenkov,
    Both,
}

impl ProverArg {
    fn provers(self) -> Vec<cherenkov::prove::Prover> {
        use cherenkov::prove::Prover;
        match self {
            Self::Stock => vec![Prover::Stock],
            Self::Cherenkov => vec![Prover::Cherenkov],
            Self::Both => vec![Prover::Stock, Prover::Cherenkov],
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum BackendArg {
    All,
    Auto,
    Cpu,
    Emu,
    Cuda,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The environment's settings are flags too: checked before any work.
    if let Err(e) = EmuConfig::from_env().and(cherenkov::verify::SelfCheck::from_env()) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Check { backend, seed, random, sizes, all_schedules, json } => {
            run_check(backend, seed, random, sizes, all_schedules, json)
        }
        Command::Bench { out, what: BenchWhat::Ntt { backend, shapes, bn254, reps, seed } } => {
            let d = NttBench::default();
            let (shapes, bn254_log_sizes) = asked(shapes, bn254, d.shapes, d.bn254_log_sizes);
            let cfg = NttBench { shapes, bn254_log_sizes, repetitions: reps, seed };
            let cases = 2 * cfg.shapes.len() + cfg.bn254_log_sizes.len();
            cfg.validate()
                .and_then(|bytes| limits::fits_in_memory("this bench", bytes))
                .and_then(|()| run_bench("ntt", backend, out, reps, seed, cases, |e, p| bench::ntt(e, &cfg, p)))
        }
        Command::Bench { out, what: BenchWhat::Merkle { backend, batches, log_perms, reps, seed } } => {
            let d = MerkleBench::default();
            let (batches, log_perms) = match (batches, log_perms) {
                (None, None) => (d.batches, d.log_perms),
                (b, l) => (b.unwrap_or_default(), l),
            };
            let cfg = MerkleBench { batches, log_perms, repetitions: reps, seed };
            let cases = cfg.batches.len() + usize::from(cfg.log_perms.is_some());
            cfg.validate()
                .and_then(|bytes| limits::fits_in_memory("this bench", bytes))
                .and_then(|()| run_bench("merkle", backend, out, reps, seed, cases, |e, p| bench::merkle(e, &cfg, p)))
        }
        Command::Bench { out, what: BenchWhat::Msm { backend, g1, g2, reps, seed } } => {
            let d = MsmBench::default();
            let (g1_log_sizes, g2_log_sizes) = asked(g1, g2, d.g1_log_sizes, d.g2_log_sizes);
            let cfg = MsmBench { g1_log_sizes, g2_log_sizes, repetitions: reps, seed };
            let cases = cfg.g1_log_sizes.len() + cfg.g2_log_sizes.len();
            cfg.validate()
                .and_then(|bytes| limits::fits_in_memory("this bench", bytes))
                .and_then(|()| run_bench("msm", backend, out, reps, seed, cases, |e, p| bench::msm(e, &cfg, p)))
        }
        Command::Bench { what: BenchWhat::Verify { reps, seed }, .. } => run_verify_bench(reps, seed),
        Command::Prove { log_rows, backends, prover, queries, pow_bits } => {
            run_prove(log_rows, &backends, prover, queries, pow_bits)
        }
        Command::Profile {
            shapes,
            log_perms,
            trees,
            bn254,
            g1,
            g2,
            stark,
            stark_proof,
            gpu,
            json,
            measure,
            reps,
            estimates,
        } => {
            let asked = shapes.is_some()
                || log_perms.is_some()
                || trees.is_some()
                || bn254.is_some()
                || g1.is_some()
                || g2.is_some()
                || stark.is_some()
                || stark_proof.is_some();
            let cases = if asked {
                bench::profile::ProfileCases {
                    ntt: shapes.unwrap_or_default(),
                    log_perms,
                    trees: trees.unwrap_or_default(),
                    bn254: bn254.unwrap_or_default(),
                    g1: g1.unwrap_or_default(),
                    g2: g2.unwrap_or_default(),
                    stark: stark.unwrap_or_default(),
                    stark_proof: stark_proof.unwrap_or_default(),
                }
            } else {
                bench::profile::ProfileCases::default()
            };
            let measure = measure.map(|backend| (backend, reps, estimates));
            run_profile(&cases, gpu.as_deref(), json, measure)
        }
        Command::Sp1 { version, cycles, backend, shard_size, native, dry_run } => {
            return sp1::run(&sp1::Sp1Run { version, cycles, backend, shard_size, native, dry_run });
        }
        Command::Info { kernels, device_counts } => {
            info(kernels);
            if device_counts {
                let engine = Engine::emu(EmuConfig::default());
                bench::counts::run(&engine).map(|rows| {
                    println!(
                        "\ndevice counts (Engine::stats on {}):\n\n{}",
                        engine.name(),
                        bench::counts::table(&rows)
                    );
                    true
                })
            } else {
                Ok(true)
            }
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Two lists of cases where giving either means "only what was given": both absent, the
/// defaults; one given, the other is empty.
fn asked<A, B>(a: Option<Vec<A>>, b: Option<Vec<B>>, default_a: Vec<A>, default_b: Vec<B>) -> (Vec<A>, Vec<B>) {
    match (a, b) {
        (None, None) => (default_a, default_b),
        (a, b) => (a.unwrap_or_default(), b.unwrap_or_default()),
    }
}

/// Progress over groups of work on stderr: a bar on a terminal, one line per group elsewhere
/// (a log, CI), so a long run is never silent.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    verb: &'static str,
    suffix: String,
}

impl Progress {
    fn new(len: usize, verb: &'static str, first: &str, suffix: String) -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Self { bar: None, verb, suffix };
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner}} [{{bar:20}}] {{pos}}/{{len}} {verb} {{msg}}{{prefix}} ({{elapsed}})"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(suffix.clone());
        // The first frame names the first group (it read "checking  on cpu" before).
        bar.set_message(first.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar: Some(bar), verb, suffix }
    }

    /// Group `step` (0-based), named `what`, starts.
    fn start(&self, step: usize, what: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(step as u64);
                bar.set_message(what.to_string());
            }
            None => eprintln!("{} {what}{} ...", self.verb, self.suffix),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn engines(arg: BackendArg, seed: u64, all_schedules: bool) -> cherenkov::Result<Vec<Engine>> {
    let emu_cfg = EmuConfig::from_env()?;
    let emus = || -> Vec<Engine> {
        if all_schedules {
            Schedule::all(seed).into_iter().map(|schedule| Engine::emu(EmuConfig { schedule, ..emu_cfg })).collect()
        } else {
            vec![Engine::emu(emu_cfg)]
        }
    };
    let engines = match arg {
        BackendArg::All => {
            let mut v = vec![Engine::Cpu];
            v.extend(emus());
            v.extend(Backend::Cuda.engine().ok());
            v
        }
        BackendArg::Auto => vec![Backend::Auto.engine()?],
        BackendArg::Cpu => vec![Engine::Cpu],
        BackendArg::Emu => emus(),
        BackendArg::Cuda => vec![Backend::Cuda.engine()?],
    };
    // `check` tests the devices themselves: a self-check (CHERENKOV_VERIFY) recomputing a wrong
    // result on the cpu would hide exactly what it looks for.
    Ok(engines.into_iter().map(|e| e.with_self_check(None)).collect())
}

fn run_check(
    arg: BackendArg,
    seed: Option<u64>,
    random: usize,
    log_sizes: Vec<u32>,
    all_schedules: bool,
    json: bool,
) -> cherenkov::Result<bool> {
    bench::limits::check_sizes(&log_sizes)?;
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
    });
    let engines = engines(arg, seed, all_schedules)?;
    let names: Vec<String> = engines.iter().map(|e| e.name()).collect();
    let progress =
        Progress::new(check::GROUPS.len(), "checking", check::GROUPS[0], format!(" on {}", names.join(", ")));
    let cfg = CheckConfig { seed, random, engines, log_sizes: log_sizes.clone() };
    let rows = check::run_with_progress(&cfg, |step, group| progress.start(step, group));
    progress.finish();
    if json {
        let failed = rows.iter().any(|r| r.outcome != Outcome::Pass);
        println!("{}", serde_json::to_string_pretty(&check::to_json(seed, &rows)).unwrap_or_default());
        return Ok(!failed);
    }
    println!("cherenkov check: seed {seed}, {random} random inputs per case (plus edge cases)");
    if !log_sizes.is_empty() {
        let sizes: Vec<String> = log_sizes.iter().map(|l| format!("2^{l}")).collect();
        println!("sizes: {}", sizes.join(", "));
    }
    println!("auto backend resolves to: {}", Backend::Auto.engine()?.name());
    if let Err(why) = cuda::open(0) {
        println!("cuda not checked: {why}");
    }

    // One line per case, one column per engine.
    let case_w = rows.iter().map(|r| r.case.len()).max().unwrap_or(4).max(4);
    let col_w: Vec<usize> = names.iter().map(|n| n.len().max(4)).collect();
    print!("\n{:<9} {:<case_w$} {:>7}", "prim", "case", "n");
    for (n, w) in names.iter().zip(&col_w) {
        print!("  {n:<w$}");
    }
    println!();
    let mut failures = Vec::new();
    for chunk in rows.chunks(names.len()) {
        let r0 = &chunk[0];
        print!("{:<9} {:<case_w$} {:>7}", r0.primitive, r0.case, r0.n);
        for (r, w) in chunk.iter().zip(&col_w) {
            let cell = if r.outcome == Outcome::Pass { "ok" } else { "FAIL" };
            print!("  {cell:<w$}");
            if r.outcome != Outcome::Pass {
                failures.push(r);
            }
        }
        println!();
    }
    println!();
    for f in &failures {
        println!("FAIL {} {} on {}: {}", f.primitive, f.case, f.engine, f.outcome);
    }
    let total = rows.len();
    println!("{} passed, {} failed", total - failures.len(), failures.len());
    Ok(failures.is_empty())
}

fn run_bench(
    what: &str,
    backend: Backend,
    out: Option<std::path::PathBuf>,
    reps: usize,
    seed: u64,
    cases: usize,
    run: impl FnOnce(&Engine, &mut dyn FnMut(&str)) -> cherenkov::Result<Vec<bench::BenchRow>>,
) -> cherenkov::Result<bool> {
    let engine = backend.engine()?;
    let name = engine.name();
    println!(
        "cherenkov bench {what} on {name}: median of {reps} runs per side, seed {seed}; peers built with{} their parallel features",
        if cfg!(feature = "peers-parallel") { "" } else { "out" }
    );
    let progress = Progress::new(cases, "timing", "", String::new());
    let mut started = 0;
    let rows = run(&engine, &mut |case| {
        progress.start(started, case);
        started += 1;
    });
    progress.finish();
    let rows = rows?;
    println!("\n{}", bench::table(&name, &rows));
    if let Some(dir) = out {
        for file in bench::report::write(&dir, what, &name, &rows)? {
            println!("wrote {}", file.display());
        }
    }
    Ok(true)
}

fn run_verify_bench(reps: usize, seed: u64) -> cherenkov::Result<bool> {
    use cherenkov::bench::verify::{self, VerifyBench};
    if reps == 0 {
        return Err(cherenkov::Error::InvalidArgument("--reps 0: at least one timed repetition".into()));
    }
    let cfg = VerifyBench { repetitions: reps, seed, ..VerifyBench::default() };
    println!(
        "cherenkov bench verify: self-checks on the host against the cpu backend, fastest of {reps}, seed {seed}, {} threads",
        rayon::current_num_threads()
    );
    let cases = 2 * cfg.ntt_shapes.len() + cfg.merkle_shapes.len() + 1 + cfg.msm_batches.len();
    let progress = Progress::new(cases, "timing", "", String::new());
    let mut started = 0;
    let rows = verify::run(&cfg, |case| {
        progress.start(started, case);
        started += 1;
    });
    progress.finish();
    println!("\n{}", verify::table(&rows?));
    Ok(true)
}

fn run_prove(
    log_rows: u32,
    backends: &[Backend],
    prover: ProverArg,
    queries: usize,
    pow_bits: usize,
) -> cherenkov::Result<bool> {
    use cherenkov::plonky3::config::FriSettings;
    use cherenkov::prove;

    let fri = FriSettings { num_queries: queries, query_proof_of_work_bits: pow_bits, ..FriSettings::default() };
    // Every flag before any work: p3-fri and p3-challenger assert on these.
    fri.check::<cherenkov::field::BabyBear>().map_err(|e| match e {
        cherenkov::Error::InvalidArgument(m) => cherenkov::Error::InvalidArgument(
            m.replace("num_queries", "--queries").replace("query_proof_of_work_bits", "--pow-bits"),
        ),
        e => e,
    })?;
    prove::check_log_rows(log_rows)?;
    let engines = backends.iter().map(|b| b.engine()).collect::<cherenkov::Result<Vec<Engine>>>()?;
    let provers = prover.provers();
    let trace = prove::keccak_trace(log_rows, &fri)?;
    let trace_bytes = trace.values.len() * 4;
    println!(
        "cherenkov prove: Keccak-f AIR, 2^{log_rows} rows x {} columns ({} MiB), BabyBear, FRI blowup 2^{}, \
         {} queries, {pow_bits} bits of query grinding",
        trace.width,
        trace_bytes >> 20,
        fri.log_blowup,
        fri.num_queries
    );
    let runs_total = 1 + engines.len() * provers.len();
    let progress = Progress::new(runs_total, "proving with", "Plonky3's stock configuration", String::new());
    progress.start(0, "Plonky3's stock configuration");
    let stock = prove::stock(trace.clone(), fri)?;
    // Stock grinding keeps whichever passing witness a thread meets first; cherenkov's returns
    // the smallest, a one-thread stock run's. With grinding on, that run (untimed) is the reference.
    let reference = match pow_bits {
        0 => stock.proof.clone(),
        _ => {
            let one = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .map_err(|e| cherenkov::Error::InvalidArgument(format!("a one-thread pool: {e}")))?;
            one.install(|| prove::stock(trace.clone(), fri))?.proof
        }
    };
    let mut runs = Vec::new();
    for engine in &engines {
        for &p in &provers {
            progress.start(1 + runs.len(), &format!("{} on {}", p.name(), engine.name()));
            runs.push(prove::cherenkov(engine, p, trace.clone(), fri)?);
        }
    }
    progress.finish();
    println!("\n| prover | prove | stock verify | speed-up | proof bytes = stock |\n|---|---|---|---|---|");
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!("| {} | {:.0} ms | {:.1} ms | 1.00× | — |", stock.prover, ms(stock.prove), ms(stock.verify));
    let mut identical = true;
    for r in &runs {
        let same = r.proof == reference;
        identical &= same;
        let speedup = stock.prove.as_secs_f64() / r.prove.as_secs_f64();
        println!(
            "| {} | {:.0} ms | {:.1} ms | {speedup:.2}× | {} |",
            r.prover,
            ms(r.prove),
            ms(r.verify),
            if same { "yes" } else { "NO" }
        );
    }
    let bytes = if identical { "byte-identical" } else { "DIFFER" };
    let to = if pow_bits == 0 { "stock's" } else { "a one-thread stock run's (the smallest witnesses)" };
    println!("\nevery proof verified by the stock verifier; proofs {bytes} to {to} ({} bytes)", stock.proof.len());
    let on_device: Vec<_> = runs.iter().filter_map(|r| r.device.map(|d| (r, d))).collect();
    if !on_device.is_empty() {
        let (up_budget, down_budget) = prove::device_budget(trace_bytes, stock.proof.len());
        println!(
            "\ndevice traffic per proof (budget: to device ≤ 1.05 × trace + 1 MiB = {} KiB, to host ≤ 2 × proof + \
             1 MiB = {} KiB)\n\n| prover | to device | to host | launches | syncs | allocations | within budget (up, down) |\n\
             |---|---|---|---|---|---|---|",
            up_budget >> 10,
            down_budget >> 10
        );
        for (r, d) in on_device {
            let yes = |ok: bool| if ok { "yes" } else { "no" };
            let within = format!("{}, {}", yes(d.bytes_to_device <= up_budget), yes(d.bytes_to_host <= down_budget));
            println!(
                "| {} | {} KiB ({:.2} × trace) | {} KiB ({:.1} × proof) | {} | {} | {} | {} |",
                r.prover,
                d.bytes_to_device >> 10,
                d.bytes_to_device as f64 / trace_bytes as f64,
                d.bytes_to_host >> 10,
                d.bytes_to_host as f64 / stock.proof.len() as f64,
                d.launches,
                d.synchronizations,
                d.allocations,
                within
            );
        }
    }
    Ok(identical)
}

/// `cherenkov profile`: the cases on a profiled emulator, or (with `measure`) on a device
/// beside the profile's estimates.
fn run_profile(
    cases: &bench::profile::ProfileCases,
    gpu: Option<&str>,
    json: bool,
    measure: Option<(Backend, usize, Option<std::path::PathBuf>)>,
) -> cherenkov::Result<bool> {
    use cherenkov::roofline;
    let bad = |msg: String| cherenkov::Error::InvalidArgument(msg);
    let engine = match &measure {
        Some((_, 0, _)) => return Err(bad("--reps 0: at least one timed repetition".into())),
        Some((backend, ..)) => Some(backend.engine()?),
        None => None,
    };
    let spec = match (gpu, &engine) {
        (Some(name), _) => roofline::gpu(name).ok_or_else(|| {
            let known: Vec<&str> = roofline::GPUS.iter().map(|g| g.name).collect();
            bad(format!("--gpu {name}: not one of {}", known.join(", ")))
        })?,
        (None, Some(e)) => roofline::GPUS
            .iter()
            .find(|g| e.name().contains(g.name.split(' ').next().unwrap_or("")))
            .unwrap_or(&roofline::GPUS[0]),
        (None, None) => &roofline::GPUS[0],
    };
    cases.validate().and_then(|bytes| limits::fits_in_memory("this profile", bytes))?;
    let from_file = match &measure {
        Some((_, _, Some(path))) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| cherenkov::Error::Io { path: path.display().to_string(), message: e.to_string() })?;
            let value = serde_json::from_str(&text).map_err(|e| bad(format!("--estimates: {e}")))?;
            Some(bench::profile::estimates_from_json(&value, spec)?)
        }
        _ => None,
    };
    let profiles = if from_file.is_some() {
        Vec::new()
    } else {
        let progress = Progress::new(cases.len(), "profiling", "", format!(" on the emulator (as {})", spec.name));
        let mut step = 0;
        let ops = bench::profile::run(cases, spec, |what| {
            progress.start(step, what);
            step += 1;
        });
        progress.finish();
        ops?
    };
    if let Some(engine) = engine {
        let reps = measure.as_ref().map_or(1, |m| m.1);
        let progress = Progress::new(cases.len(), "measuring", "", format!(" on {}", engine.name()));
        let mut step = 0;
        let rows = bench::profile::measure(&engine, cases, reps, |what| {
            progress.start(step, what);
            step += 1;
        });
        progress.finish();
        let estimates = from_file.unwrap_or_else(|| bench::profile::estimates(&profiles, spec));
        println!("{}", bench::profile::measured_table(&engine.name(), &rows?, &estimates, spec));
        println!("Median of {reps} traced calls after a warm-up (a traced launch waits for its kernel).");
        return Ok(true);
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&bench::profile::to_json(&profiles)).expect("JSON values serialize")
        );
        return Ok(true);
    }
    println!("{}", bench::profile::table(&profiles, spec));
    println!(
        "Kernel time only (no launch overhead or transfers), a floor: the largest of DRAM time (distinct \
         sectors at peak bandwidth), issue time (counted field operations at their SASS cost, plus one \
         instruction per memory request, barrier and warp operation) and the busiest thread's field \
         operations at one instruction a clock. See src/roofline.rs."
    );
    Ok(true)
}

fn info(show_kernels: bool) {
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
