//! The core integration tests, one binary (`cargo test --release --test suite`): each module was
//! a test binary of its own, and each of those compiled and linked the generic code it uses again.
//! Run one module with a filter, e.g. `cargo test --release --test suite -- ntt::`.

#[macro_use]
mod common;

mod backends;
mod check_cli;
mod cli_flags;
mod device_stats;
mod edges;
mod emu_model;
mod field_arith;
mod fri_pcs;
mod generated;
mod kernel_rules;
mod merkle;
mod msm;
mod ntt;
mod nvcc_build;
mod oom;
mod plonky3_dft;
mod poseidon2;
mod profile;
mod self_check;
mod sp1_poseidon2;
mod stark;
