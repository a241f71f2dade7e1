//! `cherenkov prove`: a Keccak-f AIR proven by stock Plonky3 and by cherenkov, side by side.

use cherenkov::{Backend, Engine};

use crate::args::ProverArg;
use crate::progress::Progress;

pub(crate) fn run(
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
