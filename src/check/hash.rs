//! Poseidon2 and Merkle cases of `cherenkov check`: permutations against Plonky3's own types,
//! trees and openings against Plonky3's `MerkleTreeMmcs`, the fused LDE→commit against
//! Plonky3's LDE committed by the stock MMCS (what `TwoAdicFriPcs::commit` does).

use p3_commit::Mmcs as _;
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{Field, TwoAdicField};
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{CryptographicPermutation, PaddingFreeSponge, Permutation, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{compare, CheckConfig, CheckRow};
use crate::field::{BabyBear, DeviceField, KoalaBear};
use crate::merkle;
use crate::ntt::NttField;
use crate::poseidon2::{self, Poseidon2Constants, Poseidon2Field, Poseidon2Hasher};

type Stock<F, P> = MerkleTreeMmcs<
    <F as Field>::Packing,
    <F as Field>::Packing,
    PaddingFreeSponge<P, 16, 8, 8>,
    TruncatedPermutation<P, 2, 8, 16>,
    2,
    8,
>;

fn states<F: DeviceField + Field, const W: usize>(rng: &mut StdRng, random: usize) -> Vec<F> {
    let mut v = vec![F::ZERO; W];
    v.extend([F::NEG_ONE; W]);
    v.extend((0..random * W).map(|_| F::random(rng)));
    v
}

/// One permutation instance on every engine against `reference`.
fn permutation<F: Poseidon2Field<W>, const W: usize>(
    cfg: &CheckConfig,
    rows: &mut Vec<CheckRow>,
    name: &str,
    c: &Poseidon2Constants<F, W>,
    reference: &impl Permutation<[F; W]>,
) {
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x9e2 ^ W as u64);
    let input: Vec<F> = states::<F, W>(&mut rng, cfg.random.min(1000));
    let want: Vec<F> = input.chunks_exact(W).flat_map(|s| reference.permute(s.try_into().expect("W"))).collect();
    for engine in &cfg.engines {
        let mut got = input.clone();
        let got = poseidon2::permute_batch(engine, c, &mut got).map(|_| got);
        rows.push(CheckRow {
            primitive: "poseidon2",
            case: format!("{name} width {W}"),
            engine: engine.name(),
            n: input.len() / W,
            outcome: compare(got, &want),
        });
    }
}

/// Every digest a tree's openings expose: the siblings of every leaf up to the root, then the
/// root (every node of every layer is some leaf's sibling in a tree this small).
fn tree_digests<F: Copy, M>(tree: &merkle::MerkleTree<F, M>) -> crate::Result<Vec<merkle::Digest<F>>> {
    let mut out = Vec::new();
    for i in 0..tree.layout().max_height() {
        out.extend(tree.siblings(i, 0)?);
    }
    out.push(tree.root());
    Ok(out)
}

/// Trees over `c` against the stock MMCS over `perm`: single, several of one height, and a
/// non-power-of-two ladder with injections at every layer.
fn trees<F, P>(cfg: &CheckConfig, rows: &mut Vec<CheckRow>, name: &str, c: &Poseidon2Constants<F, 16>, perm: P)
where
    F: Poseidon2Hasher,
    P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[F::Packing; 16]>,
{
    let stock: Stock<F, P> =
        MerkleTreeMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 0);
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x3e7);
    let batches: Vec<Vec<(usize, usize)>> = if cfg.log_sizes.is_empty() {
        vec![
            vec![(64, 16)],
            vec![(128, 8), (128, 5), (64, 24)],
            vec![(37, 4), (19, 9), (10, 16), (5, 2), (3, 1), (2, 7), (1, 3)],
        ]
    } else {
        // A tallest matrix of 2^size rows and one injected at half its height.
        cfg.log_sizes.iter().map(|&l| vec![(1usize << l.min(26), 8), ((1usize << l.min(26)).div_ceil(2), 5)]).collect()
    };
    for shapes in &batches {
        let mats: Vec<RowMajorMatrix<F>> = shapes
            .iter()
            .map(|&(h, w)| RowMajorMatrix::new((0..h * w).map(|_| F::random(&mut rng)).collect(), w))
            .collect();
        let (_, stock_tree) = stock.commit(mats.clone());
        let max = shapes.iter().map(|s| s.0).max().unwrap_or(1);
        let mut want: Vec<merkle::Digest<F>> =
            (0..max).flat_map(|i| stock.open_batch(i, &stock_tree).opening_proof).collect();
        want.push(stock_tree.root().into());
        let desc: Vec<String> = shapes.iter().map(|(h, w)| format!("{h}x{w}")).collect();
        for engine in &cfg.engines {
            let got = merkle::build(engine, c, mats.clone()).and_then(|t| tree_digests(&t));
            rows.push(CheckRow {
                primitive: "merkle",
                case: format!("{name} tree {}", desc.join("+")),
                engine: engine.name(),
                n: want.len(),
                outcome: compare(got, &want),
            });
        }
    }
}

/// The fused LDE→commit against Plonky3's LDE (Radix2DitParallel, bit-reversed rows, as
/// `TwoAdicFriPcs::commit` does) committed by the stock MMCS: LDE values, then every digest.
fn fused<F, P>(cfg: &CheckConfig, rows: &mut Vec<CheckRow>, name: &str, c: &Poseidon2Constants<F, 16>, perm: P)
where
    F: Poseidon2Hasher + NttField + TwoAdicField + Ord,
    P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[F::Packing; 16]>,
{
    let stock: Stock<F, _> =
        MerkleTreeMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 0);
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0xf05e);
    let (log_blowup, shapes) = (1, [(32usize, 7usize), (16, 3)]);
    let traces: Vec<(F, RowMajorMatrix<F>)> = shapes
        .iter()
        .map(|&(h, w)| (F::ONE, RowMajorMatrix::new((0..h * w).map(|_| F::random(&mut rng)).collect(), w)))
        .collect();
    let p3 = Radix2DitParallel::<F>::default();
    let ldes: Vec<RowMajorMatrix<F>> = traces
        .iter()
        .map(|(_, m)| p3.coset_lde_batch(m.clone(), log_blowup, F::GENERATOR).bit_reverse_rows().to_row_major_matrix())
        .collect();
    let (_, stock_tree) = stock.commit(ldes.clone());
    let height = ldes[0].height();
    let mut want: Vec<F> = ldes.iter().flat_map(|m| m.values.clone()).collect();
    want.extend((0..height).flat_map(|i| stock.open_batch(i, &stock_tree).opening_proof).flatten());
    want.extend(stock_tree.root());
    for engine in &cfg.engines {
        let got = merkle::commit_lde(engine, c, traces.clone(), log_blowup).and_then(|t| {
            let mut v: Vec<F> = t.leaves().iter().flat_map(|m| m.values.clone()).collect();
            v.extend(tree_digests(&t)?.into_iter().flatten());
            Ok(v)
        });
        rows.push(CheckRow {
            primitive: "merkle",
            case: format!("{name} fused coset LDE +{log_blowup} and commit, 32x7+16x3"),
            engine: engine.name(),
            n: want.len(),
            outcome: compare(got, &want),
        });
    }
}

pub(super) fn run(cfg: &CheckConfig, rows: &mut Vec<CheckRow>) {
    let bb16 = p3_baby_bear::default_babybear_poseidon2_16();
    let kb16 = p3_koala_bear::default_koalabear_poseidon2_16();
    permutation(cfg, rows, "babybear plonky3", &Poseidon2Constants::babybear_default_16(), &bb16);
    permutation(
        cfg,
        rows,
        "babybear plonky3",
        &Poseidon2Constants::babybear_default_24(),
        &p3_baby_bear::default_babybear_poseidon2_24(),
    );
    permutation(cfg, rows, "koalabear plonky3", &Poseidon2Constants::koalabear_default_16(), &kb16);
    permutation(
        cfg,
        rows,
        "koalabear plonky3",
        &Poseidon2Constants::koalabear_default_24(),
        &p3_koala_bear::default_koalabear_poseidon2_24(),
    );
    // SP1's instances: SP1's crates are not dependencies of the library, so the reference here
    // is the scalar permutation written out from the constants (tests/suite/sp1_poseidon2.rs checks
    // that one, and every backend, against SP1's own crates).
    let c = Poseidon2Constants::sp1_v5_babybear_16();
    permutation(cfg, rows, "babybear sp1 v5", &c, &Scalar(c.clone()));
    let c = Poseidon2Constants::sp1_v6_koalabear_16();
    permutation(cfg, rows, "koalabear sp1 v6", &c, &Scalar(c.clone()));
    trees(cfg, rows, "babybear plonky3", &Poseidon2Constants::babybear_default_16(), bb16.clone());
    trees(cfg, rows, "koalabear plonky3", &Poseidon2Constants::koalabear_default_16(), kb16.clone());
    fused::<BabyBear, _>(cfg, rows, "babybear", &Poseidon2Constants::babybear_default_16(), bb16);
    fused::<KoalaBear, _>(cfg, rows, "koalabear", &Poseidon2Constants::koalabear_default_16(), kb16);
}

/// The constants' scalar permutation (one state at a time).
#[derive(Clone)]
struct Scalar<F: Poseidon2Field<16>>(Poseidon2Constants<F, 16>);

impl<F: Poseidon2Field<16>> Permutation<[F; 16]> for Scalar<F> {
    fn permute_mut(&self, s: &mut [F; 16]) {
        self.0.permute_generic(s)
    }
}
