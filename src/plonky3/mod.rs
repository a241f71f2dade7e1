//! Drop-in types for Plonky3 (p3 0.8) provers.

pub mod config;
mod dft;
mod fri;
pub(crate) mod grind;
mod mmcs;
mod open;
mod pcs;
pub mod proof;

pub use dft::Dft;
pub use mmcs::{Commitment, Compressor, Hasher, LdeTree, Mmcs, StockMmcs};
pub use pcs::{FusedPcs, InnerPcs};
