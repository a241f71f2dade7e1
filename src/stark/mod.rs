//! STARK proofs of Plonky3 AIRs with cherenkov doing the work: p3-uni-stark's protocol, with
//! the quotient evaluated by a register program compiled from the AIR's symbolic constraints
//! ([`ConstraintProgram`]) rather than by the AIR's own folder. The program is the form a device
//! kernel interprets per row; on the cpu it can run over blocks of rows ([`quotient_values`],
//! the check of the program against p3's), but the cpu prover evaluates the AIR's own `eval`
//! (p3-uni-stark's `quotient_values`, compiled code beats an interpreter there).
//! Proofs are byte-identical to `p3_uni_stark::prove` with the same configuration.

mod device;
mod memory;
mod program;
mod prove;
mod quotient;

pub use device::{quotient_values_in_place, quotient_values_on};
pub use memory::device_bytes;
pub use program::{ConstraintProgram, Instr, Op};
pub use prove::{prove, prove_on, prove_with_program};
pub use quotient::quotient_values;
