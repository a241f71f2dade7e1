//! A STARK proof under SP1 v5's exact `BabyBearPoseidon2` parameters (blowup 2, 100 queries,
//! 16 bits of grinding, SP1's Poseidon2, `TwoAdicFriPcs::new(27, …)`) made through cherenkov's
//! fork-`Dft` and fork-`Mmcs`, against the same proof through stock `sp1-stark` 5.2.4
//! (`UniConfig(BabyBearPoseidon2::new())`): serialized proofs byte-identical, each verifier accepts
//! the other's proof, wrong public values are rejected. The AIR is a Fibonacci AIR on the fork's
//! p3-air 0.2.3; proofs are made on one rayon thread, as the fork's grinding searches in parallel
//! and keeps any valid witness.

mod common;

use cherenkov::backend::{EmuConfig, Schedule};
use cherenkov::{Backend, Engine};
use cherenkov_sp1_v5::{BabyBear, Dft, Mmcs};
use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_field::extension::BinomialExtensionField;
use p3_field::AbstractField;
use p3_fri::{FriConfig, TwoAdicFriPcs};
use p3_uni_stark::{prove, verify, StarkConfig};
use sp1_stark::baby_bear_poseidon2::BabyBearPoseidon2;
use sp1_stark::{StarkGenericConfig as _, UniConfig};

use common::fib::{one_thread, trace, Fibonacci};

type Challenge = BinomialExtensionField<BabyBear, 4>;
type Challenger = DuplexChallenger<BabyBear, cherenkov_sp1_v5::Perm, 16, 8>;
type OurPcs = TwoAdicFriPcs<BabyBear, Dft, Mmcs, ExtensionMmcs<BabyBear, Challenge, Mmcs>>;
type OurConfig = StarkConfig<OurPcs, Challenge, Challenger>;

fn ours(engine: Engine) -> (OurConfig, Challenger) {
    let mmcs = Mmcs::on(engine.clone());
    let fri =
        FriConfig { log_blowup: 1, num_queries: 100, proof_of_work_bits: 16, mmcs: ExtensionMmcs::new(mmcs.clone()) };
    let pcs = TwoAdicFriPcs::new(27, Dft::on(engine), mmcs, fri);
    (StarkConfig::new(pcs), Challenger::new(sp1_primitives_perm()))
}

fn sp1_primitives_perm() -> cherenkov_sp1_v5::Perm {
    BabyBearPoseidon2::new().perm
}

fn proofs_equal_sp1_stark(engine: Engine) {
    let name = engine.name();
    for log_rows in [3, 8] {
        let (trace, last) = trace(1 << log_rows);
        let public = vec![last];
        let stock = UniConfig(BabyBearPoseidon2::new());
        let want = one_thread(|| prove(&stock, &Fibonacci, &mut stock.0.challenger(), trace.clone(), &public));
        let (config, challenger) = ours(engine.clone());
        let got = one_thread(|| prove(&config, &Fibonacci, &mut challenger.clone(), trace.clone(), &public));
        let (want_bytes, got_bytes) = (bincode::serialize(&want).unwrap(), bincode::serialize(&got).unwrap());
        assert!(got_bytes == want_bytes, "2^{log_rows} rows on {name}: proofs differ");

        verify(&config, &Fibonacci, &mut challenger.clone(), &got, &public).expect("ours verifies ours");
        verify(&stock, &Fibonacci, &mut stock.0.challenger(), &bincode::deserialize(&got_bytes).unwrap(), &public)
            .expect("sp1-stark verifies ours");
        let wrong = vec![last + BabyBear::one()];
        assert!(verify(&stock, &Fibonacci, &mut stock.0.challenger(), &want, &wrong).is_err());
        assert!(verify(&config, &Fibonacci, &mut challenger.clone(), &got, &wrong).is_err());
    }
}

#[test]
fn cpu_proofs_equal_sp1_stark() {
    proofs_equal_sp1_stark(Engine::Cpu);
}

#[test]
fn device_proofs_equal_sp1_stark() {
    proofs_equal_sp1_stark(Engine::emu(EmuConfig { schedule: Schedule::Forward, ..EmuConfig::default() }));
    if let Ok(cuda) = Backend::Cuda.engine() {
        proofs_equal_sp1_stark(cuda);
    }
}
