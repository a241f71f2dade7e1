//! `cherenkov check`: every backend against the references, a table of the outcomes.

use cherenkov::backend::{cuda, EmuConfig, Schedule};
use cherenkov::bench;
use cherenkov::check::{self, CheckConfig, Outcome};
use cherenkov::{Backend, Engine};

use crate::args::BackendArg;
use crate::progress::Progress;

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

pub(crate) fn run(
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
