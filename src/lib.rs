//! cherenkov: CUDA kernels for ZK provers (NTT, Poseidon2, Merkle, MSM) behind a safe Rust API,
//! with a CPU backend and a CUDA execution-model emulator that runs the same kernels without a
//! GPU. See the README for the backends and how to build for a real GPU.
//!
//! Data flow: [`field`] (representations shared with kernels) → primitives → [`backend`]
//! (cpu | emu | cuda) → adapters, the C ABI and the `cherenkov` command.
//!
//! ```
//! use cherenkov::field::{self, BabyBear, FieldOp};
//! use cherenkov::Backend;
//!
//! # fn main() -> cherenkov::Result<()> {
//! let engine = Backend::from_env()?.engine()?; // auto: cuda if usable, else cpu
//! let a = vec![BabyBear::new(3); 1000];
//! let b = vec![BabyBear::new(5); 1000];
//! let c = field::apply(&engine, FieldOp::Mul, &a, &b)?; // same bits on cpu, emu and cuda
//! assert_eq!(c[0], BabyBear::new(15));
//! # Ok(())
//! # }
//! ```

#![deny(unsafe_code)]

pub mod arkworks;
pub mod backend;
pub mod bench;
pub mod check;
pub mod error;
pub mod field;
#[allow(unsafe_code)] // one zeroed (calloc) allocation: mem::zeroed; the prefetch hint
pub mod mem;
pub mod merkle;
pub mod msm;
pub mod ntt;
pub mod plonky3;
pub mod poseidon2;
pub mod prove;
pub mod roofline;
pub mod stark;
pub mod verify;

pub use backend::{Backend, Engine};
pub use error::{Error, Result};
