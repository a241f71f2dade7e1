//! SP1's Poseidon2 parameter sets (not bit-identical to upstream Plonky3's): internal layer
//! 2^-32 (J + diag(V)) through SP1's Montgomery shortcut. The constants are generated from
//! SP1's own crates by `tests/suite/sp1_poseidon2.rs` into `sp1_v5_params.rs` / `sp1_v6_params.rs`.

use p3_field::integers::QuotientMap;
use p3_field::PrimeField32;
use p3_poseidon2::ExternalLayerConstants;

use super::{Poseidon2Constants, Poseidon2Field};
use crate::field::{BabyBear, KoalaBear};

#[rustfmt::skip]
mod v5 {
    include!("sp1_v5_params.rs");
}
#[rustfmt::skip]
mod v6 {
    include!("sp1_v6_params.rs");
}

/// The instance from generated canonical values.
fn instance<F: Poseidon2Field<16> + PrimeField32 + QuotientMap<u32>>(
    initial: [[u32; 16]; 4],
    terminal: [[u32; 16]; 4],
    partial: &[u32],
    diag: [u32; 16],
    scale: u32,
) -> Poseidon2Constants<F, 16> {
    let field = |v: [u32; 16]| v.map(F::from_int);
    let ext = ExternalLayerConstants::new(initial.map(field).to_vec(), terminal.map(field).to_vec());
    let partial = partial.iter().map(|&x| F::from_int(x)).collect();
    Poseidon2Constants::with_internal_layer(ext, partial, field(diag), F::from_int(scale)).expect("SP1's own shape")
}

impl Poseidon2Constants<BabyBear, 16> {
    /// SP1 v5's permutation (`sp1_primitives::poseidon2_init()`, sp1-primitives 5.2.4): BabyBear,
    /// width 16, x^7, 8 + 13 rounds, constants from `RC_16_30`.
    pub fn sp1_v5_babybear_16() -> Self {
        instance(v5::INITIAL, v5::TERMINAL, &v5::PARTIAL, v5::DIAG, v5::SCALE)
    }
}

impl Poseidon2Constants<KoalaBear, 16> {
    /// SP1 v6's (Hypercube's) permutation (`slop_koala_bear::my_kb_16_perm()`, 6.10.0): KoalaBear,
    /// width 16, x^3, 8 + 20 rounds.
    pub fn sp1_v6_koalabear_16() -> Self {
        instance(v6::INITIAL, v6::TERMINAL, &v6::PARTIAL, v6::DIAG, v6::SCALE)
    }
}
