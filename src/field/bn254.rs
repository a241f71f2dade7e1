//! BN254 Fr and Fq: arkworks' types, whose public limbs (`Fp.0.0`) are the Montgomery form the
//! kernels use. Converted limb by limb, never transmuted (arkworks does not promise a layout).

use ark_ff::{AdditiveGroup, BigInt, Field, MontConfig, PrimeField};
use rand::rngs::StdRng;
use rand::RngExt;

use super::{DeviceField, FieldOp};

pub type Bn254Fr = ark_bn254::Fr;
pub type Bn254Fq = ark_bn254::Fq;

/// arkworks' Montgomery limbs of `x`.
pub(crate) fn limbs<P: MontConfig<4>>(x: ark_ff::Fp256<ark_ff::MontBackend<P, 4>>) -> [u64; 4] {
    x.0 .0
}

/// The element with Montgomery limbs `l`, if `l < p`.
pub(crate) fn from_limbs<P: MontConfig<4>>(l: [u64; 4]) -> Option<ark_ff::Fp256<ark_ff::MontBackend<P, 4>>> {
    (BigInt(l) < P::MODULUS).then(|| ark_ff::Fp::new_unchecked(BigInt(l)))
}

macro_rules! bn254_field {
    ($ty:ty, $cfg:ty, $name:literal) => {
        impl DeviceField for $ty {
            type Repr = [u64; 4];
            const NAME: &'static str = $name;
            const OPS_KERNEL: &'static str = concat!("chk_ff_", $name, "_ops");
            fn to_repr(self) -> [u64; 4] {
                limbs(self)
            }
            fn from_repr(r: [u64; 4]) -> Option<Self> {
                from_limbs::<$cfg>(r)
            }
            fn reference_op(op: FieldOp, a: Self, b: Self) -> Self {
                match op {
                    FieldOp::Add => a + b,
                    FieldOp::Sub => a - b,
                    FieldOp::Mul => a * b,
                    FieldOp::Sqr => a.square(),
                    FieldOp::Neg => -a,
                    FieldOp::Dbl => a.double(),
                    FieldOp::Inv => a.inverse().unwrap_or(<$ty>::ZERO),
                }
            }
            fn random(rng: &mut StdRng) -> Self {
                // Rejection sampling of Montgomery limbs below p: uniform over the field.
                loop {
                    let mut l: [u64; 4] = rng.random();
                    l[3] &= u64::MAX >> (256 - <$ty>::MODULUS_BIT_SIZE);
                    if let Some(x) = from_limbs::<$cfg>(l) {
                        return x;
                    }
                }
            }
            fn edge_values() -> Vec<Self> {
                let mut m = <$cfg as MontConfig<4>>::MODULUS;
                m.0[0] -= 1; // p - 1 as Montgomery limbs (p is odd)
                let mut half = <$ty>::MODULUS_MINUS_ONE_DIV_TWO;
                let mut v = vec![<$ty>::ZERO, <$ty>::ONE, <$ty>::from(2u64), -<$ty>::ONE, -<$ty>::from(2u64)];
                v.push(<$ty>::from_bigint(half).unwrap());
                half.0[0] ^= 1;
                v.push(<$ty>::from_bigint(half).unwrap());
                v.push(from_limbs::<$cfg>([1, 0, 0, 0]).unwrap());
                v.push(from_limbs::<$cfg>(m.0).unwrap());
                v.push(<$ty>::from(u64::MAX));
                v
            }
        }
    };
}
bn254_field!(Bn254Fr, ark_bn254::FrConfig, "bn254_fr");
bn254_field!(Bn254Fq, ark_bn254::FqConfig, "bn254_fq");
