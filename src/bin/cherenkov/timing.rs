//! `cherenkov bench`: each primitive timed against its peer, and the self-checks' cost.

use cherenkov::bench::{self, limits};
use cherenkov::Engine;

use crate::args::TimedRun;
use crate::progress::Progress;

/// Times `cases` cases of a primitive (`what`) whose settings ask for `bytes` of memory, as
/// `timed` says, and prints the table (also written to `out`).
pub(crate) fn run_bench(
    what: &str,
    timed: &TimedRun,
    out: Option<std::path::PathBuf>,
    bytes: usize,
    cases: usize,
    run: impl FnOnce(&Engine, &mut dyn FnMut(&str)) -> cherenkov::Result<Vec<bench::BenchRow>>,
) -> cherenkov::Result<bool> {
    limits::fits_in_memory("this bench", bytes)?;
    let TimedRun { backend, reps, seed } = *timed;
    let engine = backend.engine()?;
    let name = engine.name();
    println!(
        "cherenkov bench {what} on {name}: median of {reps} runs per side, seed {seed}; peers built with{} their parallel features",
        if cfg!(feature = "peers-parallel") { "" } else { "out" }
    );
    let progress = Progress::new(cases, "timing", "", String::new());
    let rows = run(&engine, &mut |case| progress.next(case));
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

pub(crate) fn run_verify_bench(reps: usize, seed: u64) -> cherenkov::Result<bool> {
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
    let rows = verify::run(&cfg, |case| progress.next(case));
    progress.finish();
    println!("\n{}", verify::table(&rows?));
    Ok(true)
}
