//! `FieldMerkleTreeMmcs`: the fork's MMCS, with SP1 v5's trees built by cherenkov.

use std::any::TypeId;
use std::cmp::Reverse;
use std::marker::PhantomData;
use std::mem::{size_of, transmute_copy};

use cherenkov_sp1_v5_support::{self as support, BabyBearRepr, Up};
use p3_commit::Mmcs;
use p3_field::{Field, PackedField, PackedValue};
use p3_matrix::{Dimensions, Matrix};
use p3_symmetric::{CryptographicHasher, Hash, PseudoCompressionFunction};
use p3_util::log2_ceil_usize;
use serde::{Deserialize, Serialize};

use crate::FieldMerkleTree;

/// A vector commitment scheme over [`FieldMerkleTree`]s: `P`/`PW` are the leaf and digest
/// packings, `H` the leaf hasher, `C` the node compression, digests of `DIGEST_ELEMS` words.
#[derive(Copy, Clone, Debug)]
pub struct FieldMerkleTreeMmcs<P, PW, H, C, const DIGEST_ELEMS: usize> {
    hash: H,
    compress: C,
    _phantom: PhantomData<(P, PW)>,
}

impl<P, PW, H, C, const DIGEST_ELEMS: usize> FieldMerkleTreeMmcs<P, PW, H, C, DIGEST_ELEMS> {
    pub const fn new(hash: H, compress: C) -> Self {
        Self { hash, compress, _phantom: PhantomData }
    }
}

/// Reads a digest of `N` words as SP1's digest of 8 BabyBear (the caller has checked that the
/// word type is `F`, BabyBear stored as [`Up`], and `N == 8`).
fn as_up_digest<W: Copy, F: Field, const N: usize>(repr: BabyBearRepr<F>, d: &[W; N]) -> [Up; 8] {
    assert_eq!(size_of::<[W; N]>(), size_of::<[F; 8]>());
    // SAFETY: same size (asserted), and W is F (checked by the caller through TypeId).
    repr.to_up_digest(&unsafe { transmute_copy::<[W; N], [F; 8]>(d) })
}

impl<P, PW, H, C, const N: usize> FieldMerkleTreeMmcs<P, PW, H, C, N>
where
    P: PackedField,
    PW: PackedValue,
    H: CryptographicHasher<P::Scalar, [PW::Value; N]>,
    C: PseudoCompressionFunction<[PW::Value; N], 2>,
{
    /// `Some` when this MMCS is SP1 v5's: BabyBear leaves and digest words, 8 words a digest,
    /// and a hasher and compressor equal to SP1 v5's Poseidon2 ones on probe inputs (a partial
    /// and a multi-block absorption, one compression), so cherenkov's tree is this tree.
    fn sp1_tree(&self) -> Option<BabyBearRepr<P::Scalar>> {
        let repr = BabyBearRepr::<P::Scalar>::check()?;
        if N != 8 || TypeId::of::<PW::Value>() != TypeId::of::<P::Scalar>() {
            return None;
        }
        let probe = |len: usize| -> Vec<Up> { (0..len).map(|i| Up::new(7 * i as u32 + 3)).collect() };
        let hashes_match = [5, 19].into_iter().all(|len| {
            let input = probe(len);
            let ours = self.hash.hash_iter(input.iter().map(|&x| repr.from_up(x)));
            as_up_digest(repr, &ours) == support::sp1_hash(&input)
        });
        let block = probe(16);
        let pair: [[Up; 8]; 2] = [0, 8].map(|o| std::array::from_fn(|i| block[o + i]));
        let theirs = self.compress.compress(pair.map(|d| {
            let words = d.map(|x| repr.from_up(x));
            // SAFETY: PW::Value is P::Scalar (checked above) and N == 8.
            unsafe { transmute_copy::<[P::Scalar; 8], [PW::Value; N]>(&words) }
        }));
        let compress_matches = as_up_digest(repr, &theirs) == support::sp1_compress(pair);
        (hashes_match && compress_matches).then_some(repr)
    }
}

impl<P, PW, H, C, const N: usize> Mmcs<P::Scalar> for FieldMerkleTreeMmcs<P, PW, H, C, N>
where
    P: PackedField,
    PW: PackedValue,
    H: CryptographicHasher<P::Scalar, [PW::Value; N]>,
    H: CryptographicHasher<P, [PW; N]>,
    H: Sync,
    C: PseudoCompressionFunction<[PW::Value; N], 2>,
    C: PseudoCompressionFunction<[PW; N], 2>,
    C: Sync,
    PW::Value: Eq,
    [PW::Value; N]: Serialize + for<'de> Deserialize<'de>,
{
    type Commitment = Hash<P::Scalar, PW::Value, N>;
    type Proof = Vec<[PW::Value; N]>;
    type Error = ();
    type ProverData<M> = FieldMerkleTree<P::Scalar, PW::Value, M, N>;

    fn commit<M: Matrix<P::Scalar>>(&self, inputs: Vec<M>) -> (Self::Commitment, Self::ProverData<M>) {
        // The span the fork's `FieldMerkleTree::new` opens, so a prover's profile reads the same.
        let _span = tracing::debug_span!("build merkle tree").entered();
        let ours = self.sp1_tree().and_then(|repr| support::merkle_layers(repr, &inputs));
        let tree = match ours {
            Some(layers) => {
                support::count_commit();
                let layers = layers
                    .into_iter()
                    .map(|l| {
                        // SAFETY: PW::Value is P::Scalar and N == 8 (sp1_tree checked both).
                        l.iter().map(|d| unsafe { transmute_copy::<[P::Scalar; 8], [PW::Value; N]>(d) }).collect()
                    })
                    .collect();
                FieldMerkleTree::from_parts(inputs, layers)
            }
            None => FieldMerkleTree::new::<P, PW, H, C>(&self.hash, &self.compress, inputs),
        };
        (tree.root(), tree)
    }

    fn open_batch<M: Matrix<P::Scalar>>(
        &self,
        index: usize,
        tree: &Self::ProverData<M>,
    ) -> (Vec<Vec<P::Scalar>>, Self::Proof) {
        let log_max = log2_ceil_usize(self.get_max_height(tree));
        let openings =
            tree.leaves.iter().map(|m| m.row(index >> (log_max - log2_ceil_usize(m.height()))).collect()).collect();
        let proof = (0..log_max).map(|l| tree.digest_layers[l][(index >> l) ^ 1]).collect();
        (openings, proof)
    }

    fn get_matrices<'a, M: Matrix<P::Scalar>>(&self, tree: &'a Self::ProverData<M>) -> Vec<&'a M> {
        tree.leaves.iter().collect()
    }

    fn verify_batch(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        mut index: usize,
        opened_values: &[Vec<P::Scalar>],
        proof: &Self::Proof,
    ) -> Result<(), ()> {
        // Matrices tallest first (stable, as committed); each group of one padded height is
        // hashed together: the leaf, then injected where the path reaches its height.
        let mut order: Vec<usize> = (0..dimensions.len()).collect();
        order.sort_by_key(|&i| Reverse(dimensions[i].height));
        let Some(&tallest) = order.first() else { return Err(()) };
        if opened_values.len() != dimensions.len() {
            return Err(());
        }
        let mut padded = dimensions[tallest].height.next_power_of_two();
        if proof.len() != padded.trailing_zeros() as usize {
            return Err(());
        }
        let mut rest = &order[..];
        let hash_group = |group: &[usize]| -> [PW::Value; N] {
            let rows = group.iter().map(|&i| opened_values[i].as_slice());
            CryptographicHasher::<P::Scalar, _>::hash_iter_slices(&self.hash, rows)
        };
        let leaf = split_group(&mut rest, |i| dimensions[i].height.next_power_of_two() == padded);
        let mut node = hash_group(leaf);
        for &sibling in proof {
            let pair = if index & 1 == 0 { [node, sibling] } else { [sibling, node] };
            node = PseudoCompressionFunction::<[PW::Value; N], 2>::compress(&self.compress, pair);
            index >>= 1;
            padded >>= 1;
            let next = rest.first().map(|&i| dimensions[i].height).filter(|h| h.next_power_of_two() == padded);
            if let Some(height) = next {
                let group = split_group(&mut rest, |i| dimensions[i].height == height);
                node = self.compress.compress([node, hash_group(group)]);
            }
        }
        if commit == &Hash::from(node) {
            Ok(())
        } else {
            Err(())
        }
    }
}

/// The leading indices of `rest` that satisfy `matches`, taken off it.
fn split_group<'a>(rest: &mut &'a [usize], matches: impl Fn(usize) -> bool) -> &'a [usize] {
    let n = rest.iter().take_while(|&&i| matches(i)).count();
    let (group, tail) = rest.split_at(n);
    *rest = tail;
    group
}
