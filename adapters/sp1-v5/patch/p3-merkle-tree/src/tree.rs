//! `FieldMerkleTree`: the fork's tree, built on the cpu with the caller's hasher and compressor.

use std::cmp::Reverse;
use std::marker::PhantomData;

use p3_field::{PackedField, PackedValue};
use p3_matrix::Matrix;
use p3_symmetric::{CryptographicHasher, Hash, PseudoCompressionFunction};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A binary Merkle tree over the rows of matrices: leaves of type `F`, digests `[W; N]`.
/// `digest_layers[0]` holds the leaf digests (padded to a power of two), the last the root.
#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct FieldMerkleTree<F, W, M, const DIGEST_ELEMS: usize> {
    pub leaves: Vec<M>,
    #[serde(bound(serialize = "[W; DIGEST_ELEMS]: Serialize"))]
    #[serde(bound(deserialize = "[W; DIGEST_ELEMS]: Deserialize<'de>"))]
    pub digest_layers: Vec<Vec<[W; DIGEST_ELEMS]>>,
    _phantom: PhantomData<F>,
}

impl<F: Clone + Send + Sync, W: Clone, M: Matrix<F>, const DIGEST_ELEMS: usize> FieldMerkleTree<F, W, M, DIGEST_ELEMS> {
    /// The fork's tree over `leaves`. Heights need not be powers of two, but two heights that
    /// round up to the same power of two must be equal (panics otherwise, as the fork does).
    /// `P` and `PW` are the packings the fork hashes with; the digests do not depend on them.
    pub fn new<P, PW, H, C>(h: &H, c: &C, leaves: Vec<M>) -> Self
    where
        P: PackedField<Scalar = F>,
        PW: PackedValue<Value = W>,
        H: CryptographicHasher<F, [W; DIGEST_ELEMS]>,
        H: CryptographicHasher<P, [PW; DIGEST_ELEMS]>,
        H: Sync,
        C: PseudoCompressionFunction<[W; DIGEST_ELEMS], 2>,
        C: PseudoCompressionFunction<[PW; DIGEST_ELEMS], 2>,
        C: Sync,
    {
        assert!(!leaves.is_empty(), "No matrices given?");
        assert_eq!(P::WIDTH, PW::WIDTH, "Packing widths must match");
        let mut heights: Vec<usize> = leaves.iter().map(|m| m.height()).collect();
        heights.sort_unstable();
        assert!(
            heights.windows(2).all(|p| p[0] == p[1] || p[0].next_power_of_two() != p[1].next_power_of_two()),
            "matrix heights that round up to the same power of two must be equal"
        );

        let digest_layers = digest_layers::<P, PW, H, C, M, DIGEST_ELEMS>(h, c, &leaves);
        Self::from_parts(leaves, digest_layers)
    }

    pub fn from_parts(leaves: Vec<M>, digest_layers: Vec<Vec<[W; DIGEST_ELEMS]>>) -> Self {
        Self { leaves, digest_layers, _phantom: PhantomData }
    }

    #[must_use]
    pub fn root(&self) -> Hash<F, W, DIGEST_ELEMS>
    where
        W: Copy,
    {
        self.digest_layers.last().expect("a tree has a root")[0].into()
    }
}

/// The fork's digest layers over `leaves` (checked by the caller): leaves to root.
fn digest_layers<P, PW, H, C, M, const N: usize>(h: &H, c: &C, leaves: &[M]) -> Vec<Vec<[PW::Value; N]>>
where
    P: PackedField,
    PW: PackedValue,
    H: CryptographicHasher<P::Scalar, [PW::Value; N]> + Sync,
    C: PseudoCompressionFunction<[PW::Value; N], 2> + Sync,
    M: Matrix<P::Scalar>,
{
    // Tallest first; a stable sort keeps the commit order among equal heights, which is
    // the order their rows are hashed in.
    let mut order: Vec<&M> = leaves.iter().collect();
    order.sort_by_key(|m| Reverse(m.height()));
    let rows_digest = |group: &[&M], i: usize| -> [PW::Value; N] {
        CryptographicHasher::<P::Scalar, _>::hash_iter(h, group.iter().flat_map(|m| m.row(i)))
    };
    let zero: [PW::Value; N] = [PW::Value::default(); N];

    let max_height = order[0].height();
    let tallest = order.iter().take_while(|m| m.height() == max_height).count();
    let (group, mut rest) = order.split_at(tallest);
    let mut first = vec![zero; max_height.next_power_of_two()];
    first[..max_height].par_iter_mut().enumerate().for_each(|(i, d)| *d = rows_digest(group, i));
    let mut digest_layers = vec![first];

    while digest_layers.last().map_or(0, Vec::len) > 1 {
        let prev = digest_layers.last().expect("one layer at least");
        let len = prev.len() / 2;
        let inject = rest.iter().take_while(|m| m.height().next_power_of_two() == len).count();
        let (group, tail) = rest.split_at(inject);
        rest = tail;
        let injected_rows = group.first().map_or(0, |m| m.height());
        let mut next = vec![zero; len];
        next.par_iter_mut().enumerate().for_each(|(i, d)| {
            let node = PseudoCompressionFunction::<[PW::Value; N], 2>::compress(c, [prev[2 * i], prev[2 * i + 1]]);
            *d = match (group.is_empty(), i < injected_rows) {
                (true, _) => node,
                (false, true) => c.compress([node, rows_digest(group, i)]),
                (false, false) => c.compress([node, zero]),
            };
        });
        digest_layers.push(next);
    }
    digest_layers
}
