//! What the ABI tests share: the reference Merkle MMCS.

use cherenkov::field::BabyBear;
use p3_baby_bear::Poseidon2BabyBear;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};

type Packing = <BabyBear as p3_field::Field>::Packing;
type Perm = Poseidon2BabyBear<16>;

/// Plonky3's `MerkleTreeMmcs` over its default BabyBear Poseidon2-16, cap height 0: the
/// reference for `chk_merkle_*` with `CHK_POSEIDON2_PLONKY3`.
pub type StockMmcs =
    MerkleTreeMmcs<Packing, Packing, PaddingFreeSponge<Perm, 16, 8, 8>, TruncatedPermutation<Perm, 2, 8, 16>, 2, 8>;

pub fn stock_mmcs() -> StockMmcs {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    MerkleTreeMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 0)
}
