//! Membership of the prime-order subgroup, the check [`super::MsmConfig::validate`] runs on
//! every base.
//!
//! BN254 G1 has cofactor 1: a point on the curve is in the subgroup. G2 lives on the twist
//! E'(Fq2), whose order is r·h with h = 2p − r ≈ 2^254 (h = 10069 · 5864401 · 1875725156269 ·
//! a 178-bit prime), so a point on the twist may have a component of any of those orders.
//! Multiplying by r (254 bits) or by 6x² (arkworks' test, ePrint 2022/352: 127 bits) decides
//! it; El Housni, Guillevic and Piellard (ePrint 2022/348, §3 and §5.1) show that for a BN curve
//! whose seed x has x ≢ 4 (mod 13) and x ≢ 92 (mod 97) — BN254's is 0 mod 13 and 49 mod 97 —
//!
//! P ∈ G2  ⟺  [x+1]P + ψ([x]P) + ψ²([x]P) = ψ³([2x]P),
//!
//! with ψ the untwist-Frobenius-twist endomorphism: one multiplication by the 63-bit seed (its
//! signed digits have 24 nonzero ones), three ψ maps and four additions — under half the group
//! operations of the 127-bit test. The unit tests compare it with multiplying by r on points
//! with a component of each prime order dividing h.

use std::sync::LazyLock;

use ark_bn254::{Fq, Fq2, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{Field, PrimeField, Zero};
use rand::RngExt;
use rayon::prelude::*;

use super::cpu::CpuCurve;
use super::Layout;

/// Whether points known to be on the curve lie in the prime-order subgroup.
pub trait SubgroupCheck: SWCurveConfig {
    fn in_prime_subgroup(p: &Affine<Self>) -> bool;

    /// Whether every point does (a batch may be cheaper than one test per point).
    fn all_in_prime_subgroup(points: &[Affine<Self>]) -> bool {
        points.par_iter().all(Self::in_prime_subgroup)
    }
}

impl SubgroupCheck for ark_bn254::g1::Config {
    fn in_prime_subgroup(_: &Affine<Self>) -> bool {
        // Cofactor 1: the whole curve is the subgroup.
        true
    }
}

impl SubgroupCheck for ark_bn254::g2::Config {
    fn in_prime_subgroup(p: &G2Affine) -> bool {
        g2_in_subgroup(p)
    }

    fn all_in_prime_subgroup(points: &[G2Affine]) -> bool {
        g2_all_in_subgroup(points)
    }
}

/// Below this many points the batch test's fixed cost (bucket sums) outweighs testing each.
const BATCH_MIN: usize = 256;
/// The batch test's soundness: a set with a point outside G2 passes with probability at most
/// 2^-SECURITY_BITS.
const SECURITY_BITS: u32 = 100;
/// The widest coefficient range a round draws from, 2^10. Soundness needs 2^c below h's
/// smallest prime (10069 > 2^13), so that the coefficients are distinct modulo every prime
/// dividing h. Speed caps it lower: the rounds run side by side (the cpu MSM's
/// `rounds_groups`), and wider rounds' buckets outgrow the caches — at 2^16 points (IFMA,
/// 2 threads, min of 15) c = 10 took 54–56 ms, c = 13 (8 rounds, the cost model's pick without
/// the cap) 69–91 ms, c = 11 and 12 in between.
const MAX_ROUND_BITS: u32 = 10;

/// The coefficient width `c` of the batch test's rounds for `n` points: each round costs n
/// bucket additions plus running sums over 2^(c-1) buckets (a few additions each), and
/// ⌈SECURITY_BITS / c⌉ rounds are needed; the cheapest total up to [`MAX_ROUND_BITS`] (from
/// 2^12 points on: c = 10, ten rounds).
fn round_bits(n: usize) -> u32 {
    let cost = |c: u32| SECURITY_BITS.div_ceil(c) as usize * (n + 3 * (1usize << (c - 1)));
    (6..=MAX_ROUND_BITS).min_by_key(|&c| cost(c)).expect("a non-empty range")
}

/// Whether every point (on the curve) is in G2, by random linear combinations.
///
/// Write P_i = G_i + T_i with G_i ∈ G2 and T_i in the cofactor part (order dividing h). A
/// round draws coefficients ρ_i uniformly from the 2^c integers in [-2^(c-1), 2^(c-1)) with the
/// OS-seeded thread RNG (unknown to whoever chose the points) and tests C = Σ ρ_i P_i with
/// [`g2_in_subgroup`]; C ∈ G2 iff Σ ρ_i T_i = 0. If some T_j ≠ 0, its order m is at least 10069
/// (h's smallest prime) > 2^13 > 2^c, and given every other ρ_i that sum vanishes only for ρ_j
/// in one residue class mod m: at most one of the 2^c values. Each round misses with
/// probability ≤ 2^-c, ⌈100 / c⌉ independent rounds with ≤ 2^-100. Points all in G2 always
/// pass. Cost: each round is one MSM window (the coefficients are its signed digits, so one
/// bucket addition per point), all rounds over bases prepared once — about ten additions per
/// point instead of the 63-bit multiplication of the one-point test.
pub fn g2_all_in_subgroup(points: &[G2Affine]) -> bool {
    if points.len() < BATCH_MIN {
        return points.par_iter().all(g2_in_subgroup);
    }
    let c = round_bits(points.len());
    let rounds = SECURITY_BITS.div_ceil(c) as usize;
    let mut rng = rand::rng();
    let half = 1i32 << (c - 1);
    let sets: Vec<Vec<i32>> =
        (0..rounds).map(|_| (0..points.len()).map(|_| rng.random_range(-half..half)).collect()).collect();
    let sets: Vec<&[i32]> = sets.iter().map(Vec::as_slice).collect();
    // One window of c-bit signed digits: the coefficients themselves.
    let layout = Layout { c, scalar_windows: 1, copies: 1, windows: 1 };
    match <ark_bn254::g2::Config as CpuCurve>::cpu_msm_digits(points, &sets, layout) {
        Ok(combinations) => combinations.par_iter().all(|c| g2_in_subgroup(&c.into_affine())),
        // Out of memory for the buckets: the per-point test needs none.
        Err(_) => points.par_iter().all(g2_in_subgroup),
    }
}

/// BN254's seed x (p and r are polynomials in it).
const SEED: u64 = 4965661367192848881;

/// x in non-adjacent form, least significant digit first (-1, 0 or 1; 24 nonzero).
const SEED_NAF: [i8; 65] = naf(SEED);

const fn naf(mut k: u64) -> [i8; 65] {
    let mut digits = [0i8; 65];
    let mut i = 0;
    // k stays below 2^64 - 1 throughout: adding 1 to an odd k ≡ 3 (mod 4) only happens below x.
    while k != 0 {
        if k & 1 == 1 {
            let d: i8 = if k & 3 == 1 { 1 } else { -1 };
            digits[i] = d;
            k = if d == 1 { k - 1 } else { k + 1 };
        }
        k >>= 1;
        i += 1;
    }
    digits
}

/// ψ's coefficients on x and y: ξ^((p−1)/3) and ξ^((p−1)/2), ξ = 9 + u the twist's non-residue.
static PSI: LazyLock<(Fq2, Fq2)> = LazyLock::new(|| {
    let xi = Fq2::new(Fq::from(9u64), Fq::ONE);
    let mut p_minus_1 = Fq::MODULUS.0;
    p_minus_1[0] -= 1; // p is odd: no borrow
    (xi.pow(div_small(p_minus_1, 3)), xi.pow(div_small(p_minus_1, 2)))
});

/// `a / d` for a little-endian 256-bit integer and a small divisor.
fn div_small(mut a: [u64; 4], d: u64) -> [u64; 4] {
    let mut rem = 0u128;
    for limb in a.iter_mut().rev() {
        let cur = (rem << 64) | u128::from(*limb);
        *limb = (cur / u128::from(d)) as u64;
        rem = cur % u128::from(d);
    }
    a
}

/// ψ(x, y) = (x̄ · ξ^((p−1)/3), ȳ · ξ^((p−1)/2)). On Jacobian coordinates (X/Z², Y/Z³) the
/// conjugation, an automorphism, applies to X, Y and Z alike.
fn psi(p: &G2Projective) -> G2Projective {
    let (cx, cy) = *PSI;
    let mut q = *p;
    q.x.conjugate_in_place();
    q.y.conjugate_in_place();
    q.z.conjugate_in_place();
    q.x *= cx;
    q.y *= cy;
    q
}

/// [x]P: doublings and signed additions of the affine P, most significant digit first.
fn mul_by_seed(p: &G2Affine) -> G2Projective {
    let neg = -*p;
    let mut acc = G2Projective::zero();
    for &d in SEED_NAF.iter().rev() {
        acc.double_in_place();
        match d {
            1 => acc += p,
            -1 => acc += &neg,
            _ => {}
        }
    }
    acc
}

/// Whether `p` (on the curve) is in G2, the order-r subgroup of the twist (2022/348's test).
pub fn g2_in_subgroup(p: &G2Affine) -> bool {
    if p.is_zero() {
        return true;
    }
    let xp = mul_by_seed(p);
    let psi_xp = psi(&xp);
    let lhs = xp + p + psi_xp + psi(&psi_xp);
    let rhs = psi(&psi(&psi(&xp.double())));
    lhs == rhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G2Projective};
    use ark_ec::PrimeGroup;
    use ark_ff::BigInteger;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// The cofactor's prime factors but the largest (checked: their product divides h).
    const SMALL_FACTORS: [u64; 3] = [10069, 5864401, 1875725156269];

    fn cofactor() -> [u64; 4] {
        let mut h = Fq::MODULUS;
        h.mul2();
        assert!(!h.sub_with_borrow(&Fr::MODULUS));
        h.0
    }

    fn fq(rng: &mut StdRng) -> Fq {
        Fq::from_le_bytes_mod_order(&rng.random::<[u8; 32]>())
    }

    fn fr(rng: &mut StdRng) -> Fr {
        Fr::from_le_bytes_mod_order(&rng.random::<[u8; 32]>())
    }

    /// A point of the twist with any component: a random x until x³ + b is a square.
    fn any_point(rng: &mut StdRng) -> G2Affine {
        loop {
            let x = Fq2::new(fq(rng), fq(rng));
            let rhs = x.square() * x + ark_bn254::g2::Config::COEFF_B;
            if let Some(y) = rhs.sqrt() {
                let p = G2Affine::new_unchecked(x, y);
                assert!(p.is_on_curve());
                return p;
            }
        }
    }

    /// The reference: [r]P is the identity.
    fn naive(p: &G2Affine) -> bool {
        p.mul_bigint(Fr::MODULUS).is_zero()
    }

    /// A point of order exactly `q` (h's prime factor, given as h/q): [r]([h/q]Q) for random Q.
    fn of_order(rng: &mut StdRng, h_over_q: &[u64]) -> G2Affine {
        loop {
            let t = any_point(rng).mul_bigint(h_over_q).into_affine().mul_bigint(Fr::MODULUS).into_affine();
            if !t.is_zero() {
                return t;
            }
        }
    }

    #[test]
    fn seed_digits_are_the_seed() {
        let value = SEED_NAF.iter().rev().fold(0i128, |acc, &d| 2 * acc + i128::from(d));
        assert_eq!(value, i128::from(SEED));
        assert!(SEED_NAF.windows(2).all(|w| w[0] == 0 || w[1] == 0), "non-adjacent");
        assert_eq!(SEED % 13, 0);
        assert_eq!(SEED % 97, 49);
    }

    #[test]
    fn psi_acts_on_g2_as_six_x_squared() {
        // On G2, ψ is multiplication by p ≡ t − 1 = 6x² (mod r): checks ψ's coefficients.
        let six_x2 = 6u128 * u128::from(SEED) * u128::from(SEED);
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..4 {
            let p = (G2Projective::generator() * fr(&mut rng)).into_affine();
            let by_scalar = p.mul_bigint([six_x2 as u64, (six_x2 >> 64) as u64]);
            assert_eq!(psi(&p.into()), by_scalar);
        }
    }

    #[test]
    fn agrees_with_multiplying_by_r() {
        let mut rng = StdRng::seed_from_u64(0x5eed_0002);
        let h = cofactor();
        let mut h_small = [0u64; 4];
        h_small[..2].copy_from_slice(&[
            (SMALL_FACTORS.iter().fold(1u128, |a, &q| a * u128::from(q))) as u64,
            (SMALL_FACTORS.iter().fold(1u128, |a, &q| a * u128::from(q)) >> 64) as u64,
        ]);
        // h / q for each prime q | h; the largest prime's h/q is the product of the others.
        let mut quotients: Vec<[u64; 4]> = SMALL_FACTORS.iter().map(|&q| div_small(h, q)).collect();
        quotients.push(h_small);
        for (&q, quotient) in SMALL_FACTORS.iter().zip(&quotients) {
            let mut back = *quotient;
            // q · (h / q) == h: the factor is exact.
            let mut carry = 0u128;
            for limb in back.iter_mut() {
                let cur = u128::from(*limb) * u128::from(q) + carry;
                *limb = cur as u64;
                carry = cur >> 64;
            }
            assert_eq!((back, carry), (h, 0));
        }

        let in_g2 = |rng: &mut StdRng| (G2Projective::generator() * fr(rng)).into_affine();
        assert!(g2_in_subgroup(&G2Affine::identity()));
        assert!(g2_in_subgroup(&G2Affine::generator()));
        for _ in 0..8 {
            let p = in_g2(&mut rng);
            assert!(g2_in_subgroup(&p) && naive(&p));
            // A random twist point: almost surely outside G2.
            let q = any_point(&mut rng);
            assert_eq!(g2_in_subgroup(&q), naive(&q));
            assert!(!naive(&q));
            assert_eq!(g2_in_subgroup(&q), q.is_in_correct_subgroup_assuming_on_curve());
        }
        // A component of each prime order dividing h, alone and on a G2 point.
        for quotient in &quotients {
            for _ in 0..3 {
                let t = of_order(&mut rng, quotient);
                assert!(!g2_in_subgroup(&t) && !naive(&t));
                let p = (in_g2(&mut rng) + t).into_affine();
                assert!(!g2_in_subgroup(&p) && !naive(&p));
                assert!(!g2_in_subgroup(&(-p)));
            }
        }
        // Two small components together.
        let t = (of_order(&mut rng, &quotients[0]) + of_order(&mut rng, &quotients[1])).into_affine();
        assert!(!g2_in_subgroup(&t));
        // Cleared by the cofactor: in G2.
        let cleared = any_point(&mut rng).mul_bigint(h).into_affine();
        assert!(g2_in_subgroup(&cleared) && naive(&cleared));

        // The batch test, above its threshold: a G2 set passes; one point with a component of
        // any prime order dividing h, anywhere, fails it (a miss would be a 2^-104 event).
        let n = BATCH_MIN + 37;
        let step = in_g2(&mut rng);
        let mut acc = G2Projective::from(in_g2(&mut rng));
        let mut set: Vec<G2Projective> = (0..n)
            .map(|_| {
                acc += step;
                acc
            })
            .collect();
        set[5] = G2Projective::zero();
        let good = G2Projective::normalize_batch(&set);
        assert!(g2_all_in_subgroup(&good) && g2_all_in_subgroup(&good[..BATCH_MIN - 1]));
        for (k, quotient) in quotients.iter().enumerate() {
            let mut bad = good.clone();
            let at = [0, n - 1, 100, 201][k];
            bad[at] = (bad[at] + of_order(&mut rng, quotient)).into_affine();
            assert!(!g2_all_in_subgroup(&bad), "a component of h's prime factor #{k} at {at}");
            assert!(!g2_all_in_subgroup(
                &bad[..BATCH_MIN - 1].iter().chain(&bad[at..=at]).copied().collect::<Vec<_>>()
            ));
        }
        let mut bad = good.clone();
        bad[77] = any_point(&mut rng);
        assert!(!g2_all_in_subgroup(&bad));
    }
}
