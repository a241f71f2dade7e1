//! cherenkov's `slop_dft::Dft` against slop's own `Radix2DitParallel` implementation, on random
//! coefficient matrices and edge values, both orderings, several blowups and shifts, on cpu, emu and cuda when present.

mod common;

use cherenkov::Engine;
use cherenkov_sp1_v6::{Dft, KoalaBear};
use common::seed;
use rand::rngs::StdRng;
use rand::SeedableRng;
use slop_algebra::AbstractField;
use slop_dft::p3::Radix2DitParallel;
use slop_dft::{Dft as _, DftOrdering};
use slop_tensor::Tensor;

fn equal_to_slop(engine: Engine) {
    let mut rng = StdRng::seed_from_u64(seed());
    let ours = Dft::on(engine);
    for (log_h, width) in [(0usize, 1usize), (1, 3), (5, 7), (9, 4)] {
        for log_blowup in [0, 1, 2] {
            for ordering in [DftOrdering::Normal, DftOrdering::BitReversed] {
                for shift in [KoalaBear::one(), KoalaBear::generator()] {
                    let src = common::tensor(&mut rng, 1 << log_h, width);
                    let want = Radix2DitParallel.coset_dft(&src, shift, log_blowup, ordering, 0).unwrap();
                    let got = ours.coset_dft(&src, shift, log_blowup, ordering, 0).unwrap();
                    assert_eq!(got.sizes(), want.sizes());
                    assert!(
                        got.as_slice() == want.as_slice(),
                        "2^{log_h} x {width}, +{log_blowup}, {ordering:?}, shift {shift} on {}",
                        ours.engine().name()
                    );
                }
            }
        }
    }
}

#[test]
fn cpu_equals_slop() {
    equal_to_slop(Engine::Cpu);
}

#[test]
fn devices_equal_slop() {
    for engine in cherenkov::backend::device_engines() {
        equal_to_slop(engine);
    }
}

#[test]
fn bad_shapes_are_errors() {
    let ours = Dft::on(Engine::Cpu);
    let cube = Tensor::<KoalaBear>::from(vec![KoalaBear::one(); 8]).reshape([2, 2, 2]);
    assert!(ours.coset_dft(&cube, KoalaBear::one(), 1, DftOrdering::Normal, 0).is_err());
    let m = Tensor::<KoalaBear>::from(vec![KoalaBear::one(); 6]).reshape([3, 2]);
    assert!(ours.coset_dft(&m, KoalaBear::one(), 1, DftOrdering::Normal, 0).is_err(), "height 3");
    let m = Tensor::<KoalaBear>::from(vec![KoalaBear::one(); 8]).reshape([4, 2]);
    assert!(ours.coset_dft(&m, KoalaBear::one(), 1, DftOrdering::Normal, 1).is_err(), "dimension 1");
}
