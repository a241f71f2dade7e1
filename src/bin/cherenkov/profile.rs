//! `cherenkov profile`: device cost without a GPU (the emulator's profile and its roofline
//! estimates), or measured on a device beside those estimates.

use cherenkov::bench::{self, limits};
use cherenkov::Backend;

use crate::progress::Progress;

/// `cherenkov profile`: the cases on a profiled emulator, or (with `measure`) on a device
/// beside the profile's estimates.
pub(crate) fn run(
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
        let ops = bench::profile::run(cases, spec, |what| progress.next(what));
        progress.finish();
        ops?
    };
    if let Some(engine) = engine {
        let reps = measure.as_ref().map_or(1, |m| m.1);
        let progress = Progress::new(cases.len(), "measuring", "", format!(" on {}", engine.name()));
        let rows = bench::profile::measure(&engine, cases, reps, |what| progress.next(what));
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
