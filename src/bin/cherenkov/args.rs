//! The command line: every subcommand, its flags and their help.

use clap::{Args, Parser, Subcommand, ValueEnum};

use cherenkov::bench::{Batch, Shape};
use cherenkov::Backend;

use crate::sp1;

#[derive(Parser)]
#[command(name = "cherenkov", version, about = "GPU kernels for ZK provers: cross-check and inspect")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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

/// The flags of every primitive `bench` times against its peer.
#[derive(Args, Clone, Copy)]
pub(crate) struct TimedRun {
    /// Backend to time: auto = cuda when usable, else cpu.
    #[arg(long, default_value = "auto")]
    pub(crate) backend: Backend,
    /// Timed repetitions per side; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub(crate) reps: usize,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
}

#[derive(Subcommand)]
pub(crate) enum BenchWhat {
    /// BabyBear dft_batch and coset_lde_batch (+1 bit) against Plonky3's Radix2DitParallel,
    /// BN254 Fr FFT against arkworks' Radix2EvaluationDomain.
    Ntt {
        /// BabyBear shapes as LOGxWIDTH (2^LOG rows of WIDTH columns), comma-separated. Default
        /// (when neither --shapes nor --bn254 is given): 20x64,16x256,22x16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        shapes: Option<Vec<Shape>>,
        /// log2 sizes of the BN254 Fr FFT (at most 28), comma-separated. Default (when neither
        /// --shapes nor --bn254 is given): 20.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        bn254: Option<Vec<u32>>,
        #[command(flatten)]
        run: TimedRun,
    },
    /// Poseidon2 Merkle commitments (BabyBear, Plonky3's constants, cap height 0) against
    /// Plonky3's MerkleTreeMmcs with packed hashing, and raw Poseidon2-16 permutations.
    Merkle {
        /// Batches committed in one tree each: LOGxWIDTH shapes (LOG at most 26) joined by `+`,
        /// comma-separated. Default (when neither --batches nor --log-perms is given):
        /// 20x16,20x8+19x16+18x32.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        batches: Option<Vec<Batch>>,
        /// log2 of the number of width-16 states in the raw permutation case (at most 26).
        /// Default (when neither --batches nor --log-perms is given): 20.
        #[arg(long)]
        log_perms: Option<u32>,
        #[command(flatten)]
        run: TimedRun,
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
        /// log2 numbers of G1 points (at most 26), comma-separated. Default (when neither --g1
        /// nor --g2 is given): 16,20.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g1: Option<Vec<u32>>,
        /// log2 numbers of G2 points (at most 26), comma-separated. Default (when neither --g1
        /// nor --g2 is given): 16.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        g2: Option<Vec<u32>>,
        #[command(flatten)]
        run: TimedRun,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum ProverArg {
    Stock,
    Cherenkov,
    Both,
}

impl ProverArg {
    pub(crate) fn provers(self) -> Vec<cherenkov::prove::Prover> {
        use cherenkov::prove::Prover;
        match self {
            Self::Stock => vec![Prover::Stock],
            Self::Cherenkov => vec![Prover::Cherenkov],
            Self::Both => vec![Prover::Stock, Prover::Cherenkov],
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum BackendArg {
    All,
    Auto,
    Cpu,
    Emu,
    Cuda,
}
