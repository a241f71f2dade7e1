//! The `cherenkov` command: `check` cross-checks every backend against the references, `bench`
//! times each primitive against its peer, `prove` and `sp1` prove with stock and cherenkov side by
//! side, `profile` shows device cost without a GPU, `info` says what this machine and this build
//! can run.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod check;
mod info;
mod profile;
mod progress;
mod prove;
mod sp1;
mod timing;

use args::{BenchWhat, Cli, Command};
use cherenkov::backend::EmuConfig;
use cherenkov::bench::{self, MerkleBench, MsmBench, NttBench};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The environment's settings are flags too: checked before any work.
    if let Err(e) = EmuConfig::from_env().and(cherenkov::verify::SelfCheck::from_env()) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Check { backend, seed, random, sizes, all_schedules, json } => {
            check::run(backend, seed, random, sizes, all_schedules, json)
        }
        Command::Bench { out, what: BenchWhat::Ntt { shapes, bn254, run } } => {
            let d = NttBench::default();
            let (shapes, bn254_log_sizes) = asked(shapes, bn254, d.shapes, d.bn254_log_sizes);
            let cfg = NttBench { shapes, bn254_log_sizes, repetitions: run.reps, seed: run.seed };
            let cases = 2 * cfg.shapes.len() + cfg.bn254_log_sizes.len();
            cfg.validate()
                .and_then(|bytes| timing::run_bench("ntt", &run, out, bytes, cases, |e, p| bench::ntt(e, &cfg, p)))
        }
        Command::Bench { out, what: BenchWhat::Merkle { batches, log_perms, run } } => {
            let d = MerkleBench::default();
            let (batches, log_perms) = match (batches, log_perms) {
                (None, None) => (d.batches, d.log_perms),
                (b, l) => (b.unwrap_or_default(), l),
            };
            let cfg = MerkleBench { batches, log_perms, repetitions: run.reps, seed: run.seed };
            let cases = cfg.batches.len() + usize::from(cfg.log_perms.is_some());
            cfg.validate().and_then(|bytes| {
                timing::run_bench("merkle", &run, out, bytes, cases, |e, p| bench::merkle(e, &cfg, p))
            })
        }
        Command::Bench { out, what: BenchWhat::Msm { g1, g2, run } } => {
            let d = MsmBench::default();
            let (g1_log_sizes, g2_log_sizes) = asked(g1, g2, d.g1_log_sizes, d.g2_log_sizes);
            let cfg = MsmBench { g1_log_sizes, g2_log_sizes, repetitions: run.reps, seed: run.seed };
            let cases = cfg.g1_log_sizes.len() + cfg.g2_log_sizes.len();
            cfg.validate()
                .and_then(|bytes| timing::run_bench("msm", &run, out, bytes, cases, |e, p| bench::msm(e, &cfg, p)))
        }
        Command::Bench { what: BenchWhat::Verify { reps, seed }, .. } => timing::run_verify_bench(reps, seed),
        Command::Prove { log_rows, backends, prover, queries, pow_bits } => {
            prove::run(log_rows, &backends, prover, queries, pow_bits)
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
            profile::run(&cases, gpu.as_deref(), json, measure)
        }
        Command::Sp1 { version, cycles, backend, shard_size, native, dry_run } => {
            return sp1::run(&sp1::Sp1Run { version, cycles, backend, shard_size, native, dry_run });
        }
        Command::Info { kernels, device_counts } => info::run(kernels, device_counts),
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
