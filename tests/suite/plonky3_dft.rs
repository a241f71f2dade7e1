//! Plonky3's own DFT test suite (p3-field-testing's `test_field_dft!`) against
//! `cherenkov::plonky3::Dft` on every backend, plus equality with `Radix2DitParallel`.

use cherenkov::backend::{EmuConfig, Schedule};
use cherenkov::plonky3::Dft;
use cherenkov::Engine;
use p3_dft::TwoAdicSubgroupDft;
use p3_field::TwoAdicField;
use p3_matrix::bitrev::BitReversedMatrixView;
use p3_matrix::dense::RowMajorMatrix;

/// `test_field_dft!` builds its DFT with `Default`: one newtype per engine, delegating every
/// method `Dft` overrides.
macro_rules! dft_on {
    ($name:ident, $engine:expr) => {
        #[derive(Clone)]
        struct $name(Dft);
        impl Default for $name {
            fn default() -> Self {
                Self(Dft::on($engine))
            }
        }
        impl<F: cherenkov::ntt::NttField + TwoAdicField> TwoAdicSubgroupDft<F> for $name {
            type Evaluations = BitReversedMatrixView<RowMajorMatrix<F>>;
            fn dft_batch(&self, m: RowMajorMatrix<F>) -> Self::Evaluations {
                self.0.dft_batch(m)
            }
            fn coset_dft_batch(&self, m: RowMajorMatrix<F>, s: F) -> Self::Evaluations {
                self.0.coset_dft_batch(m, s)
            }
            fn idft_batch(&self, m: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
                self.0.idft_batch(m)
            }
            fn coset_idft_batch(&self, m: RowMajorMatrix<F>, s: F) -> RowMajorMatrix<F> {
                self.0.coset_idft_batch(m, s)
            }
            fn coset_lde_batch(&self, m: RowMajorMatrix<F>, b: usize, s: F) -> Self::Evaluations {
                self.0.coset_lde_batch(m, b, s)
            }
        }
    };
}

fn emu(schedule: Schedule) -> Engine {
    Engine::emu(EmuConfig { schedule, ..EmuConfig::default() })
}

dft_on!(CpuDft, Engine::Cpu);
dft_on!(EmuForwardDft, emu(Schedule::Forward));
dft_on!(EmuReverseDft, emu(Schedule::Reverse));
dft_on!(EmuRandomDft, emu(Schedule::Random(0x5eed)));

p3_field_testing::test_field_dft!(
    babybear_cpu,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::CpuDft
);
p3_field_testing::test_field_dft!(
    koalabear_cpu,
    cherenkov::field::KoalaBear,
    cherenkov::field::KoalaBear4,
    crate::plonky3_dft::CpuDft
);
p3_field_testing::test_field_dft!(
    babybear_emu_forward,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::EmuForwardDft
);
p3_field_testing::test_field_dft!(
    koalabear_emu_forward,
    cherenkov::field::KoalaBear,
    cherenkov::field::KoalaBear4,
    crate::plonky3_dft::EmuForwardDft
);
p3_field_testing::test_field_dft!(
    babybear_emu_reverse,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::EmuReverseDft
);
p3_field_testing::test_field_dft!(
    babybear_emu_random,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::EmuRandomDft
);
// Large sizes (2^14..2^17 rows): Plonky3's own consistency checks, on the cpu backend.
p3_field_testing::test_field_dft_large!(
    babybear_cpu_large,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::CpuDft
);
p3_field_testing::test_field_dft_consistency!(
    babybear_cpu_vs_radix2dit_parallel,
    cherenkov::field::BabyBear,
    cherenkov::field::BabyBear4,
    crate::plonky3_dft::CpuDft,
    p3_dft::Radix2DitParallel<cherenkov::field::BabyBear>
);

#[test]
fn default_is_auto_and_never_panics() {
    let d = Dft::default();
    assert_ne!(d.engine().kind(), cherenkov::Backend::Emu);
    assert!(d.last_device_error().is_none());
}
