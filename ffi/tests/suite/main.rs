//! The C ABI's integration tests, one binary (`cargo test --release -p cherenkov-ffi --test suite`):
//! each module was a test binary of its own, compiled and linked separately.

mod common;

mod abi;
mod c_example;
mod edges;
mod header;
