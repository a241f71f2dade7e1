//! `cherenkov-sp1-v5-support`, which the adapter and the patch crates stand on: the fork's
//! BabyBear is recognised and reinterpreted exactly (every value, edge values included), other
//! fields are refused, and the SP1 v5 hash and compression it compares callers' with are SP1's.

mod common;

use cherenkov_sp1_v5::BabyBear;
use cherenkov_sp1_v5_support::{sp1_compress, sp1_hash, BabyBearRepr, Up};
use p3_field::extension::BinomialExtensionField;
use p3_field::{AbstractField, PrimeField32};
use p3_matrix::Matrix as _;
use p3_symmetric::{CryptographicHasher, PseudoCompressionFunction};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sp1_stark::{inner_perm, InnerCompress, InnerHash};
use upstream_field::PrimeField32 as _;

#[test]
fn babybear_is_recognised_and_other_fields_are_not() {
    assert!(BabyBearRepr::<BabyBear>::check().is_some());
    assert!(BabyBearRepr::<BinomialExtensionField<BabyBear, 4>>::check().is_none());
}

#[test]
fn reinterpretation_keeps_every_value() {
    let repr = BabyBearRepr::<BabyBear>::check().unwrap();
    let seed = cherenkov::check::seed_from_env();
    let m = common::matrix(&mut StdRng::seed_from_u64(seed), 64, 5);
    let up = repr.to_up_vec(m.values.clone());
    for (x, y) in m.values.iter().zip(&up) {
        assert_eq!(x.as_canonical_u32(), y.as_canonical_u32(), "seed {seed}");
    }
    assert_eq!(repr.from_up_vec(up), m.values);
    assert_eq!(repr.to_up(BabyBear::neg_one()), -<Up as upstream_field::PrimeCharacteristicRing>::ONE);
}

/// The zero-copy view the patch crates' trees read: every row, sub-row and row iterator equals
/// the fork matrix's, for a dense matrix (borrowed rows) and a strided view of one (rows the fork
/// collects into a fresh vector).
#[test]
fn up_view_reads_every_row_as_the_fork_does() {
    let seed = cherenkov::check::seed_from_env();
    let m = common::matrix(&mut StdRng::seed_from_u64(seed), 64, 5);
    view_matches(&m, seed);
    view_matches(&m.clone().vertically_strided(3, 1), seed);
}

fn view_matches<M: p3_matrix::Matrix<BabyBear>>(m: &M, seed: u64) {
    use upstream_matrix::Matrix as _;
    let view = BabyBearRepr::<BabyBear>::check().unwrap().up_view(m);
    let canon = |v: &[Up]| v.iter().map(|x| x.as_canonical_u32()).collect::<Vec<_>>();
    assert_eq!((view.width(), view.height()), (m.width(), m.height()));
    for r in 0..m.height() {
        let want: Vec<u32> = m.row_slice(r).iter().map(|x| x.as_canonical_u32()).collect();
        assert_eq!(canon(&view.row_slice(r).unwrap()), want, "row {r}, seed {seed}");
        let iterated: Vec<Up> = view.row(r).unwrap().into_iter().collect();
        assert_eq!(canon(&iterated), want, "row {r}, seed {seed}");
        // SAFETY: r < height and 1 <= 4 <= width.
        let sub = unsafe { view.row_subslice_unchecked(r, 1, 4) };
        assert_eq!(canon(&sub), want[1..4], "row {r}, seed {seed}");
    }
    assert!(view.row_slice(m.height()).is_none());
}

#[test]
fn sp1_hash_and_compress_are_sp1s() {
    let repr = BabyBearRepr::<BabyBear>::check().unwrap();
    let (hash, compress) = (InnerHash::new(inner_perm()), InnerCompress::new(inner_perm()));
    for len in [0, 1, 8, 9, 40] {
        let input: Vec<BabyBear> =
            (0..len).map(|i| BabyBear::from_canonical_u32(i * 1_000_003 % 0x7800_0001)).collect();
        let want = hash.hash_iter(input.iter().copied()).map(|x| repr.to_up(x));
        let up: Vec<Up> = input.iter().map(|&x| repr.to_up(x)).collect();
        assert_eq!(sp1_hash(&up), want, "{len} elements");
    }
    let pair = [[BabyBear::one(); 8], [BabyBear::neg_one(); 8]];
    let want = compress.compress(pair).map(|x| repr.to_up(x));
    assert_eq!(sp1_compress(pair.map(|d| d.map(|x| repr.to_up(x)))), want);
}

/// The opened values' hot loop equals the fork's own `Matrix::columnwise_dot_product` with the
/// weights as extension elements: widths below, at and above a packing, one row, weights read
/// at strides 1 and 4, a bit-reversed view (how p3-fri hands matrices over), and the edge
/// weights 0, 1 and −1 in every coordinate.
#[test]
fn columnwise_dot_product_ext4_is_the_forks() {
    use cherenkov_sp1_v5_support::opening::{columnwise_dot_product_ext4, Ext4};
    use p3_field::AbstractExtensionField;
    use p3_matrix::bitrev::BitReversalPerm;
    type Ext = BinomialExtensionField<BabyBear, 4>;
    let repr = BabyBearRepr::<BabyBear>::check().unwrap();
    let seed = cherenkov::check::seed_from_env();
    let rng = &mut StdRng::seed_from_u64(seed);
    for (height, width) in [(1, 1), (8, 15), (64, 16), (256, 17), (1024, 40), (32, 3)] {
        for stride_log in [0, 2] {
            let coords = common::matrix(rng, 4 * (height << stride_log), 1);
            let mut weights: Vec<Ext> = coords.values.chunks(4).map(Ext::from_base_slice).collect();
            let edges = [BabyBear::zero(), BabyBear::one(), BabyBear::neg_one()];
            for (w, e) in weights.iter_mut().zip(edges) {
                *w = Ext::from_base_fn(|_| e);
            }
            let table: Vec<Ext4> = weights.iter().map(|w| repr.to_ext4(w)).collect();
            let strided: Vec<Ext> = weights.iter().step_by(1 << stride_log).copied().collect();
            let m = common::matrix(rng, height, width);
            let view = BitReversalPerm::new_view(m.as_view());
            for (label, got, want) in [
                (
                    "dense",
                    columnwise_dot_product_ext4(repr, &m, &table, stride_log),
                    m.columnwise_dot_product(&strided),
                ),
                (
                    "bit-reversed",
                    columnwise_dot_product_ext4(repr, &view, &table, stride_log),
                    view.columnwise_dot_product(&strided),
                ),
            ] {
                let got: Vec<Ext> = got.iter().map(|c| repr.from_ext4(c)).collect();
                assert_eq!(got, want, "{label} {height}x{width} stride 2^{stride_log}, seed {seed}");
            }
        }
    }
}
