//! Drop-in functions for arkworks users (ark 0.6).

mod fft;
mod msm;

pub use fft::{coset_fft, coset_ifft, fft, ifft};
pub use msm::{msm_g1, msm_g1_unchecked, msm_g2, msm_g2_unchecked, DeviceBases, ValidBases};
