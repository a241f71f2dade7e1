//! The Merkle and Poseidon2 checks: a sample of leaves hashed again with their paths, a sample of
//! permutations recomputed (see the module docs of `verify`).

use p3_matrix::Matrix;
use p3_symmetric::Permutation;
use rand::rngs::StdRng;

use super::sample;
use crate::merkle::{cpu_fill, Digest, Layout};
use crate::poseidon2::{Poseidon2Constants, Poseidon2Field, Poseidon2Hasher, DIGEST};

type Check = std::result::Result<(), String>;

/// Every node on the paths of the first, the last and `samples` random leaves, recomputed from
/// the rows (layer 0) or from its children as `layers` hold them (above).
pub(crate) fn tree<F: Poseidon2Hasher, M: Matrix<F>>(
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
    layout: &Layout,
    layers: &[Vec<Digest<F>>],
    samples: usize,
    rng: &mut StdRng,
) -> Check {
    if layers.len() != layout.layers.len() || layers.iter().zip(&layout.layers).any(|(l, s)| l.len() != s.padded) {
        return Err("the digest layers do not have the tree's shape".into());
    }
    let perm = c.cpu_permutation();
    for leaf in sample(layout.layers[0].raw, samples, rng) {
        for (k, layer) in layers.iter().enumerate() {
            let j = leaf >> k;
            let children = if k == 0 { &[][..] } else { &layers[k - 1][2 * j..] };
            let mut node = [[F::ZERO; DIGEST]];
            cpu_fill(&perm, leaves, layout, k, j, children, &mut node);
            if node[0] != layer[j] {
                return Err(format!("node {j} of layer {k} (on the path of leaf {leaf}) is wrong"));
            }
        }
    }
    Ok(())
}

/// `after` holds the permutations of the states `before` holds at `indices` (the sampled ones).
pub(crate) fn permutations<F: Poseidon2Field<W>, const W: usize>(
    c: &Poseidon2Constants<F, W>,
    before: &[(usize, [F; W])],
    after: &[F],
) -> Check {
    let perm = c.cpu_permutation();
    for (i, state) in before {
        let want = perm.permute(*state);
        if after[i * W..(i + 1) * W] != want {
            return Err(format!("state {i} is not the permutation of its input"));
        }
    }
    Ok(())
}

/// The states at the indices [`sample`] picks, copied (before an in-place permutation).
pub(crate) fn sampled_states<F: Copy, const W: usize>(
    states: &[F],
    samples: usize,
    rng: &mut StdRng,
) -> Vec<(usize, [F; W])> {
    sample(states.len() / W, samples, rng)
        .into_iter()
        .map(|i| (i, std::array::from_fn(|k| states[i * W + k])))
        .collect()
}

/// `digests` are the sponge digests of the rows of `rows` (`width` columns), sampled.
pub(crate) fn row_digests<F: Poseidon2Hasher>(
    c: &Poseidon2Constants<F, 16>,
    rows: &[F],
    width: usize,
    digests: &[Digest<F>],
    samples: usize,
    rng: &mut StdRng,
) -> Check {
    use p3_symmetric::CryptographicHasher;
    let sponge = p3_symmetric::PaddingFreeSponge::<_, 16, { crate::poseidon2::RATE }, DIGEST>::new(c.cpu_permutation());
    for i in sample(digests.len(), samples, rng) {
        let want: [F; DIGEST] = sponge.hash_iter(rows[i * width..(i + 1) * width].iter().copied());
        if digests[i] != want {
            return Err(format!("the digest of row {i} is wrong"));
        }
    }
    Ok(())
}

/// `out[j]` is the compression of `pairs[2j]` and `pairs[2j + 1]`, sampled.
pub(crate) fn compressions<F: Poseidon2Hasher>(
    c: &Poseidon2Constants<F, 16>,
    pairs: &[Digest<F>],
    out: &[Digest<F>],
    samples: usize,
    rng: &mut StdRng,
) -> Check {
    use p3_symmetric::PseudoCompressionFunction;
    let compress = p3_symmetric::TruncatedPermutation::<_, 2, DIGEST, 16>::new(c.cpu_permutation());
    for j in sample(out.len(), samples, rng) {
        if out[j] != compress.compress([pairs[2 * j], pairs[2 * j + 1]]) {
            return Err(format!("compression {j} is wrong"));
        }
    }
    Ok(())
}
