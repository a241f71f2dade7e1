//! cherenkov's stand-in for SP1 v5's `p3-merkle-tree` (Succinct's Plonky3 fork 0.2.3-succinct),
//! used through `[patch.crates-io]` so that an unmodified SP1 v5 prover (whose
//! `BabyBearPoseidon2` hard-codes `ValMmcs = FieldMerkleTreeMmcs<…>`) builds its trees on
//! cherenkov.
//!
//! The public items are the fork's: [`FieldMerkleTree`] (same fields, so prover data is the
//! same type) and [`FieldMerkleTreeMmcs`] (same generics, same `Mmcs` bounds). A commitment is
//! built by cherenkov when the tree is SP1 v5's: BabyBear leaves, BabyBear digests of 8, a
//! hasher and compressor that agree with SP1 v5's Poseidon2 sponge and truncated permutation on
//! probe inputs, every height a power of two. Anything else is built by [`FieldMerkleTree::new`],
//! written here from the fork's semantics (leaf layer padded to a power of two with zero
//! digests, shorter matrices injected where their padded height meets the layer). Openings and
//! verification are the fork's semantics for both.

mod mmcs;
mod tree;

pub use mmcs::FieldMerkleTreeMmcs;
pub use tree::FieldMerkleTree;
