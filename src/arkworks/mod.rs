//! Drop-in functions for arkworks users (ark 0.6).

mod fft;

pub use fft::{coset_fft, coset_ifft, fft, ifft};
