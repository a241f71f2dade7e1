//! cherenkov's fork-`TwoAdicSubgroupDft` against the fork's own `Radix2DitParallel` (Plonky3
//! 0.2.3-succinct, SP1 v5): every method SP1's PCS calls and the ones we override, on random
//! matrices with edge values (0, 1, p − 1), heights 1 to 2^9, blowups 0 to 2, shift 1 and the
//! generator; bit-reversed storage compared as stored; cpu, emu (two schedules), cuda when present.

mod common;

use cherenkov::Engine;
use cherenkov_sp1_v5::{BabyBear, Dft};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::AbstractField;
use p3_matrix::bitrev::BitReversableMatrix;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn stored<M: BitReversableMatrix<BabyBear>>(m: M) -> Vec<BabyBear>
where
    M::BitRev: BitReversableMatrix<BabyBear>,
{
    // The storage under the view: what `TwoAdicFriPcs` commits (`bit_reverse_rows()`).
    p3_matrix::Matrix::to_row_major_matrix(m.bit_reverse_rows()).values
}

fn equal_to_the_fork(engine: Engine) {
    let mut rng = StdRng::seed_from_u64(cherenkov::check::seed_from_env());
    let ours = Dft::on(engine);
    let fork = Radix2DitParallel;
    let name = ours.engine().name();
    for (log_h, width) in [(0usize, 1usize), (1, 3), (5, 7), (9, 4)] {
        let m = common::matrix(&mut rng, 1 << log_h, width);
        let what = format!("2^{log_h} x {width} on {name}");
        assert_eq!(stored(ours.dft_batch(m.clone())), stored(fork.dft_batch(m.clone())), "dft_batch {what}");
        assert_eq!(ours.idft_batch(m.clone()).values, fork.idft_batch(m.clone()).values, "idft_batch {what}");
        for shift in [BabyBear::one(), BabyBear::generator()] {
            assert_eq!(
                stored(ours.coset_dft_batch(m.clone(), shift)),
                stored(fork.coset_dft_batch(m.clone(), shift)),
                "coset_dft_batch {what}"
            );
            assert_eq!(
                ours.coset_idft_batch(m.clone(), shift).values,
                fork.coset_idft_batch(m.clone(), shift).values,
                "coset_idft_batch {what}"
            );
            for added_bits in [0, 1, 2] {
                assert_eq!(
                    stored(ours.coset_lde_batch(m.clone(), added_bits, shift)),
                    stored(fork.coset_lde_batch(m.clone(), added_bits, shift)),
                    "coset_lde_batch +{added_bits} {what}"
                );
            }
        }
        assert_eq!(stored(ours.lde_batch(m.clone(), 1)), stored(fork.lde_batch(m.clone(), 1)), "lde_batch {what}");
    }
}

#[test]
fn cpu_equals_the_fork() {
    equal_to_the_fork(Engine::Cpu);
}

#[test]
fn devices_equal_the_fork() {
    for engine in cherenkov::backend::device_engines() {
        equal_to_the_fork(engine);
    }
}

#[test]
#[should_panic(expected = "cherenkov_sp1_v5::Dft")]
fn a_height_that_is_not_a_power_of_two_panics_with_the_error() {
    let _ = Dft::on(Engine::Cpu).dft_batch(RowMajorMatrix::new(vec![BabyBear::one(); 6], 2));
}
