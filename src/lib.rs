//! cherenkov: CUDA kernels for ZK provers (NTT, Poseidon2, Merkle, MSM) behind a safe Rust API,
//! with a CPU backend and a CUDA execution-model emulator that runs the same kernels without a
//! GPU. See the README for the backends and how to build for a real GPU.
//!
//! Data flow: [`field`] (representations shared with kernels) → primitives → [`backend`]
//! (cpu | emu | cuda) → adapters, the C ABI and the `cherenkov` command.

#![deny(unsafe_code)]

pub mod backend;
pub mod check;
pub mod error;
pub mod field;

pub use backend::{Backend, Engine};
pub use error::{Error, Result};
