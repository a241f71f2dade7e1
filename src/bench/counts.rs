//! `cherenkov info --device-counts`: what each public device operation moves, launches and
//! allocates ([`crate::backend::DeviceStats`]), measured on the emulator (which counts what a GPU
//! would), for a first call and for the same call repeated (resident twiddles reused).

use ark_bn254::Fr;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::backend::{DeviceStats, Engine};
use crate::error::Result;
use crate::field::{BabyBear, DeviceField};
use crate::msm::{self, MsmConfig};
use crate::ntt::{self, Direction, Order, Transform};
use crate::poseidon2::{self, Poseidon2Constants};
use crate::{merkle, plonky3};

/// One operation: its counts on a first call and on the same call again.
#[derive(Debug, Clone)]
pub struct OpCounts {
    pub operation: String,
    pub first: DeviceStats,
    pub repeated: DeviceStats,
}

/// Runs `op` twice on `engine`, counting each.
fn count(engine: &Engine, operation: String, op: impl Fn(&Engine) -> Result<()>) -> Result<OpCounts> {
    engine.reset_stats();
    op(engine)?;
    let first = engine.stats();
    engine.reset_stats();
    op(engine)?;
    Ok(OpCounts { operation, first, repeated: engine.stats() })
}

/// The counts of every public device operation on `engine` (a fresh emulator for numbers that
/// start from nothing resident), at small fixed shapes.
pub fn run(engine: &Engine) -> Result<Vec<OpCounts>> {
    let mut rng = StdRng::seed_from_u64(1);
    let (log_n, w) = (12u32, 8usize);
    let m: Vec<BabyBear> = (0..w << log_n).map(|_| BabyBear::random(&mut rng)).collect();
    let c = Poseidon2Constants::babybear_default_16();
    let t = Transform::new(Direction::Forward);
    let shift = <BabyBear as p3_field::Field>::GENERATOR;
    let dims = format!("2^{log_n} x {w} BabyBear ({} KiB)", (m.len() * 4) >> 10);
    let mut rows = vec![
        count(engine, format!("ntt::transform_batch {dims}"), |e| ntt::transform_batch(e, m.clone(), w, t).map(drop))?,
        count(engine, format!("ntt::coset_lde_batch +1 bit {dims}"), |e| {
            ntt::coset_lde_batch(e, m.clone(), w, 1, shift, Order::BitReversed).map(drop)
        })?,
        count(engine, format!("merkle::build {dims}"), |e| {
            merkle::build(e, &c, vec![RowMajorMatrix::new(m.clone(), w)]).map(drop)
        })?,
        count(engine, format!("merkle::commit_lde +1 bit {dims}"), |e| {
            merkle::commit_lde(
                e,
                &c,
                vec![(<BabyBear as p3_field::PrimeCharacteristicRing>::ONE, RowMajorMatrix::new(m.clone(), w))],
                1,
            )
            .map(drop)
        })?,
        count(engine, format!("poseidon2::permute_batch 2^{} states", log_n - 1), |e| {
            let mut s = m[..16 << (log_n - 1)].to_vec();
            poseidon2::permute_batch(e, &c, &mut s)
        })?,
        count(engine, format!("poseidon2::hash_rows {dims}"), |e| poseidon2::hash_rows(e, &c, &m, w).map(drop))?,
    ];
    let dft = plonky3::Dft::on(engine.clone());
    rows.push(count(engine, format!("plonky3::Dft::coset_lde_batch +1 bit {dims}"), |_| {
        use p3_dft::TwoAdicSubgroupDft;
        drop(dft.coset_lde_batch(RowMajorMatrix::new(m.clone(), w), 1, shift));
        Ok(())
    })?);
    let n = 1 << 10;
    let (g1, s) = super::msm_inputs::<ark_bn254::g1::Config>(n, 1);
    let (g2, _) = super::msm_inputs::<ark_bn254::g2::Config>(n / 4, 2);
    let cfg = MsmConfig::TRUSTED;
    rows.push(count(engine, "msm::g1 2^10 points".to_string(), |e| msm::g1(e, &g1, &s, &cfg).map(drop))?);
    let s2: Vec<Fr> = s[..n / 4].to_vec();
    rows.push(count(engine, "msm::g2 2^8 points".to_string(), |e| msm::g2(e, &g2, &s2, &cfg).map(drop))?);
    // Bases uploaded once: the first call makes the table (and runs an MSM), the repeated one is
    // an MSM over it.
    engine.reset_stats();
    let resident = msm::DeviceBases::new(engine, &g1, &cfg)?;
    resident.msm(&s).map(drop)?;
    let first = engine.stats();
    engine.reset_stats();
    resident.msm(&s).map(drop)?;
    let operation = "msm::DeviceBases g1 2^10 points (new + msm, then msm)".to_string();
    rows.push(OpCounts { operation, first, repeated: engine.stats() });
    rows.push(stark_quotient(engine, &mut rng)?);
    rows.push(stark_proof(engine)?);
    Ok(rows)
}

/// The quotient of Plonky3's Keccak-f AIR at 2^4 rows (a 2^5-point quotient domain) on random
/// evaluations: program, selectors and evaluations up, the quotient down.
fn stark_quotient(engine: &Engine, rng: &mut StdRng) -> Result<OpCounts> {
    use p3_commit::PolynomialSpace;
    use p3_field::coset::TwoAdicMultiplicativeCoset;
    use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};

    let air = p3_keccak_air::KeccakAir {};
    let program = crate::stark::ConstraintProgram::<BabyBear>::compile(&air)?;
    let trace_domain = TwoAdicMultiplicativeCoset::new(BabyBear::ONE, 4).expect("2^4 points");
    let quotient_domain = trace_domain.create_disjoint_domain(1 << 5);
    let values = (0..program.width << 5).map(|_| BabyBear::random(rng)).collect();
    let evals = RowMajorMatrix::new(values, program.width);
    let alpha = plonky3::config::Challenge::<BabyBear>::from_basis_coefficients_fn(|_| BabyBear::random(rng));
    let operation = format!(
        "stark::quotient_values_on Keccak-f 2^4 rows ({} instructions, 2^5 x {} evaluations)",
        program.instrs.len(),
        program.width
    );
    count(engine, operation, |e| {
        crate::stark::quotient_values_on(e, &program, &[], trace_domain, quotient_domain, &evals, alpha).map(drop)
    })
}

/// A whole proof of the Keccak-f AIR at 2^6 rows (two permutations; BabyBear, blowup 2, 20
/// queries, no grinding) by [`crate::stark::prove_on`] with [`plonky3::config::on`].
fn stark_proof(engine: &Engine) -> Result<OpCounts> {
    use plonky3::config::FriSettings;

    let fri = FriSettings { num_queries: 20, query_proof_of_work_bits: 0, ..FriSettings::default() };
    let air = p3_keccak_air::KeccakAir {};
    let trace = air.generate_random_trace_rows::<BabyBear>(2, fri.log_blowup);
    let config = plonky3::config::on(Poseidon2Constants::babybear_default_16(), engine.clone(), fri);
    let operation = format!(
        "stark::prove_on Keccak-f 2^6 rows x {} ({} KiB trace), blowup 2, 20 queries",
        trace.width,
        (trace.values.len() * 4) >> 10
    );
    count(engine, operation, |e| crate::stark::prove_on(e, &config, &air, trace.clone(), &[]).map(drop))
}

/// The rows as a Markdown table.
pub fn table(rows: &[OpCounts]) -> String {
    let mut out = String::from(
        "| operation | call | to device | to host | launches | allocations (bytes) | syncs | staging copies |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        for (call, s) in [("first", &r.first), ("repeated", &r.repeated)] {
            out += &format!(
                "| {} | {call} | {} B | {} B | {} | {} ({} B) | {} | {} |\n",
                r.operation,
                s.bytes_to_device,
                s.bytes_to_host,
                s.launches,
                s.allocations,
                s.bytes_allocated,
                s.synchronizations,
                s.staging_copies
            );
        }
    }
    out
}
