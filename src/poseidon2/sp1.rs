//! SP1's Poseidon2 parameter sets (not bit-identical to upstream Plonky3's): the constants are
//! generated from SP1's own crates by `tests/sp1_poseidon2.rs` into `sp1_v5_params.rs`.

use p3_field::integers::QuotientMap;
use p3_poseidon2::ExternalLayerConstants;

use super::Poseidon2Constants;
use crate::field::BabyBear;

#[rustfmt::skip]
mod params {
    include!("sp1_v5_params.rs");
}

fn field<const N: usize>(v: [u32; N]) -> [BabyBear; N] {
    v.map(<BabyBear as QuotientMap<u32>>::from_int)
}

impl Poseidon2Constants<BabyBear, 16> {
    /// SP1 v5's permutation (`sp1_primitives::poseidon2_init()`, sp1-primitives 5.2.4): BabyBear,
    /// width 16, 8 + 13 rounds, constants from `RC_16_30`, internal layer 2^-32 (J + diag(V)).
    pub fn sp1_v5_babybear_16() -> Self {
        let ext =
            ExternalLayerConstants::new(params::INITIAL.map(field).to_vec(), params::TERMINAL.map(field).to_vec());
        Self::with_internal_layer(ext, field(params::PARTIAL).to_vec(), field(params::DIAG), field([params::SCALE])[0])
            .expect("SP1's own shape")
    }
}
