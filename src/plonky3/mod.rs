//! Drop-in types for Plonky3 (p3 0.8) provers.

mod dft;

pub use dft::Dft;
