//! Poseidon2 permutations and Poseidon2 Merkle commitments (Plonky3's `MerkleTreeMmcs`:
//! arity 2, digests of 8, cap height 0, so the commitment is the root).

use cherenkov::field::{BabyBear, KoalaBear};
use cherenkov::merkle::{self, Digest, MerkleTree};
use cherenkov::plonky3::Mmcs;
use cherenkov::poseidon2::{self, Poseidon2Constants, Poseidon2Field, Poseidon2Hasher, DIGEST};
use cherenkov::Engine;
use p3_commit::BatchOpeningRef;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Dimensions;
use p3_merkle_tree::MerkleCap;

use crate::engine::{engine_ref, ChkEngine};
use crate::field::{read_all, write_all, Element, Encoding, CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR};
use crate::status::{
    guarded, out, set_last_error, slice, slice_mut, times, ChkStatus, Failure, FfiResult, CHK_ERR_INVALID_ARGUMENT,
    CHK_ERR_LENGTH, CHK_ERR_SIZE,
};

/// Plonky3's default Poseidon2 constants (`default_babybear_poseidon2_16/24`,
/// `default_koalabear_poseidon2_16/24`).
pub const CHK_POSEIDON2_PLONKY3: u32 = 0;
/// SP1's Poseidon2-16: SP1 v5's for BabyBear, SP1 v6's for KoalaBear (width 16 only).
pub const CHK_POSEIDON2_SP1: u32 = 1;

/// The 31-bit fields with Poseidon2 kernels, and their parameter sets.
trait HashField: Poseidon2Hasher + Poseidon2Field<24> + Element<Word = u32> {
    fn constants_16(params: u32) -> FfiResult<Poseidon2Constants<Self, 16>>;
    fn constants_24(params: u32) -> FfiResult<Poseidon2Constants<Self, 24>>;
}

fn unknown_params(params: u32, width: usize) -> Failure {
    Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("no Poseidon2 parameter set {params} of width {width}"))
}

macro_rules! hash_field {
    ($ty:ty, $p16:ident, $p24:ident, $sp1:ident) => {
        impl HashField for $ty {
            fn constants_16(params: u32) -> FfiResult<Poseidon2Constants<Self, 16>> {
                match params {
                    CHK_POSEIDON2_PLONKY3 => Ok(Poseidon2Constants::$p16()),
                    CHK_POSEIDON2_SP1 => Ok(Poseidon2Constants::$sp1()),
                    _ => Err(unknown_params(params, 16)),
                }
            }
            fn constants_24(params: u32) -> FfiResult<Poseidon2Constants<Self, 24>> {
                match params {
                    CHK_POSEIDON2_PLONKY3 => Ok(Poseidon2Constants::$p24()),
                    _ => Err(unknown_params(params, 24)),
                }
            }
        }
    };
}
hash_field!(BabyBear, babybear_default_16, babybear_default_24, sp1_v5_babybear_16);
hash_field!(KoalaBear, koalabear_default_16, koalabear_default_24, sp1_v6_koalabear_16);

/// Calls `$f::<F>(...)` for a 31-bit field code.
macro_rules! by_hash_field {
    ($field:expr, $f:ident, $($arg:expr),*) => {
        match $field {
            CHK_FIELD_BABYBEAR => $f::<BabyBear>($($arg),*),
            CHK_FIELD_KOALABEAR => $f::<KoalaBear>($($arg),*),
            other => Err(Failure::new(
                CHK_ERR_INVALID_ARGUMENT,
                format!("field {other} has no Poseidon2 (BabyBear or KoalaBear only)"),
            )),
        }
    };
}

/// Applies the Poseidon2 permutation of `width` (16 or 24) with parameter set `params`
/// (`CHK_POSEIDON2_`) to each of the `len / width` states in `states`, in place. `field` is
/// `CHK_FIELD_BABYBEAR` or `CHK_FIELD_KOALABEAR`. Equal to Plonky3's `Poseidon2BabyBear` /
/// `Poseidon2KoalaBear` (and SP1's) `permute_mut`, bit for bit.
///
/// # Safety
/// `engine` null or live; `states` null or valid for `len` elements.
#[no_mangle]
pub unsafe extern "C" fn chk_poseidon2_permute(
    engine: *const ChkEngine,
    field: u32,
    params: u32,
    width: u32,
    encoding: u32,
    states: *mut u32,
    len: usize,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let engine = unsafe { engine_ref(engine) }?;
        let enc = Encoding::from_code(encoding)?;
        // SAFETY: forwarded.
        let words = unsafe { slice_mut(states, len, "states") }?;
        by_hash_field!(field, permute_typed, engine, params, width, enc, words)
    })
}

fn permute_typed<F: HashField>(
    engine: &Engine,
    params: u32,
    width: u32,
    enc: Encoding,
    words: &mut [u32],
) -> FfiResult {
    if width != 16 && width != 24 {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("Poseidon2 width {width} (16 or 24)")));
    }
    if !words.len().is_multiple_of(width as usize) {
        return Err(Failure::new(CHK_ERR_LENGTH, format!("{} elements are not whole states of {width}", words.len())));
    }
    let mut states = read_all::<F>(words, enc, "states")?;
    if width == 16 {
        poseidon2::permute_batch(engine, &F::constants_16(params)?, &mut states)?;
    } else {
        poseidon2::permute_batch(engine, &F::constants_24(params)?, &mut states)?;
    }
    write_all(&states, enc, words);
    Ok(())
}

/// A committed batch of matrices, kept for openings. Create with `chk_merkle_commit`, release
/// with `chk_merkle_free`.
pub struct ChkMerkleTree {
    tree: Tree,
    enc: Encoding,
}

enum Tree {
    BabyBear(MerkleTree<BabyBear, RowMajorMatrix<BabyBear>>),
    KoalaBear(MerkleTree<KoalaBear, RowMajorMatrix<KoalaBear>>),
}

/// Runs `$body` with `$t` bound to the typed tree.
macro_rules! with_tree {
    ($tree:expr, $t:ident => $body:expr) => {
        match $tree {
            Tree::BabyBear($t) => $body,
            Tree::KoalaBear($t) => $body,
        }
    };
}

/// Reads the shapes of a batch: `count` heights and widths (widths ≥ 1).
///
/// # Safety
/// `heights` and `widths` null or valid for `count` values.
unsafe fn shapes<'a>(
    heights: *const usize,
    widths: *const usize,
    count: usize,
) -> FfiResult<(&'a [usize], &'a [usize])> {
    if count == 0 {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, "no matrices"));
    }
    // SAFETY: forwarded.
    let (h, w) = unsafe { (slice(heights, count, "heights")?, slice(widths, count, "widths")?) };
    if let Some(i) = w.iter().position(|&w| w == 0) {
        return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("matrix {i} has width 0")));
    }
    merkle::Layout::new(h)?;
    Ok((h, w))
}

/// Commits `count` row-major matrices (`matrices[i]` holds `heights[i] × widths[i]` elements
/// of `field` in `encoding`) in one Poseidon2-16 Merkle tree with parameter set `params`;
/// writes the tree's handle to `*tree_out`. Heights must sit on Plonky3's ladder
/// (`ceil(max / 2^k)`). The root (`chk_merkle_root`) equals `MerkleTreeMmcs::commit`'s
/// commitment at cap height 0. The tree copies the matrices (openings read them).
///
/// # Safety
/// `engine` null or live; `matrices`, `heights`, `widths` null or valid for `count` entries,
/// each `matrices[i]` valid for its elements; `tree_out` null or writable.
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_commit(
    engine: *const ChkEngine,
    field: u32,
    params: u32,
    encoding: u32,
    matrices: *const *const u32,
    heights: *const usize,
    widths: *const usize,
    count: usize,
    tree_out: *mut *mut ChkMerkleTree,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded, for all of these.
        let engine = unsafe { engine_ref(engine) }?;
        let slot = unsafe { out(tree_out, "tree_out") }?;
        let enc = Encoding::from_code(encoding)?;
        let (heights, widths) = unsafe { shapes(heights, widths, count) }?;
        let pointers = unsafe { slice(matrices, count, "matrices") }?;
        let mut leaves = Vec::with_capacity(count);
        for (i, ((&p, &h), &w)) in pointers.iter().zip(heights).zip(widths).enumerate() {
            let what = format!("matrices[{i}]");
            let words = unsafe { slice(p, times(h, w, &what)?, &what) }?;
            leaves.push((words, w));
        }
        let tree = match field {
            CHK_FIELD_BABYBEAR => Tree::BabyBear(commit_typed(engine, params, enc, &leaves)?),
            CHK_FIELD_KOALABEAR => Tree::KoalaBear(commit_typed(engine, params, enc, &leaves)?),
            other => return Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("field {other} has no Poseidon2"))),
        };
        *slot = Box::into_raw(Box::new(ChkMerkleTree { tree, enc }));
        Ok(())
    })
}

fn commit_typed<F: HashField>(
    engine: &Engine,
    params: u32,
    enc: Encoding,
    leaves: &[(&[u32], usize)],
) -> FfiResult<MerkleTree<F, RowMajorMatrix<F>>> {
    let constants = F::constants_16(params)?;
    let mut matrices = Vec::with_capacity(leaves.len());
    for (i, &(words, width)) in leaves.iter().enumerate() {
        matrices.push(RowMajorMatrix::new(read_all::<F>(words, enc, &format!("matrices[{i}]"))?, width));
    }
    Ok(merkle::build(engine, &constants, matrices)?)
}

/// Releases a tree. Null is ignored.
///
/// # Safety
/// `tree` null or a handle from `chk_merkle_commit` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_free(tree: *mut ChkMerkleTree) {
    if !tree.is_null() {
        // SAFETY: the caller hands back a handle we boxed.
        let _ = std::panic::catch_unwind(|| drop(unsafe { Box::from_raw(tree) }));
    }
}

/// # Safety
/// `tree` null or live.
unsafe fn tree_ref<'a>(tree: *const ChkMerkleTree) -> FfiResult<&'a ChkMerkleTree> {
    // SAFETY: forwarded.
    unsafe { tree.as_ref() }.ok_or_else(|| Failure::new(crate::status::CHK_ERR_NULL_POINTER, "tree is null"))
}

fn write_digests<F: Element<Word = u32>>(digests: &[Digest<F>], enc: Encoding, out: &mut [u32]) {
    write_all(digests.as_flattened(), enc, out);
}

/// Writes the root (8 elements, in the tree's encoding) to `root`.
///
/// # Safety
/// `tree` null or live; `root` null or writable for 8 `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_root(tree: *const ChkMerkleTree, root: *mut u32) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let t = unsafe { tree_ref(tree) }?;
        let dst = unsafe { slice_mut(root, DIGEST, "root") }?;
        with_tree!(&t.tree, tree => write_digests(&[tree.root()], t.enc, dst));
        Ok(())
    })
}

/// The sizes of one opening: `*values_len` elements (the opened rows, Σ widths) and
/// `*proof_len` elements (8 per sibling digest).
///
/// # Safety
/// `tree` null or live; both outputs null or writable.
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_opening_len(
    tree: *const ChkMerkleTree,
    values_len: *mut usize,
    proof_len: *mut usize,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let t = unsafe { tree_ref(tree) }?;
        let (v, p) = with_tree!(&t.tree, tree => opening_len(tree));
        unsafe {
            *out(values_len, "values_len")? = v;
            *out(proof_len, "proof_len")? = p;
        }
        Ok(())
    })
}

fn opening_len<F: Copy + Send + Sync>(tree: &MerkleTree<F, RowMajorMatrix<F>>) -> (usize, usize) {
    let values = tree.dims().iter().map(|&(_, width)| width).sum();
    (values, tree.layout().proof_levels(0) * DIGEST)
}

/// Opens leaf `index`: writes the rows of every matrix at that leaf (in commit order, a shorter
/// matrix's row `index >> k`) to `values` and the sibling digests from the leaf up to the root
/// to `proof`; the lengths must be what `chk_merkle_opening_len` gives. Plonky3's
/// `open_batch`, bit for bit.
///
/// # Safety
/// `tree` null or live; `values`, `proof` null or writable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_open(
    tree: *const ChkMerkleTree,
    index: usize,
    values: *mut u32,
    values_len: usize,
    proof: *mut u32,
    proof_len: usize,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded.
        let t = unsafe { tree_ref(tree) }?;
        with_tree!(&t.tree, tree => {
            let (v, p) = opening_len(tree);
            if (values_len, proof_len) != (v, p) {
                return Err(Failure::new(
                    CHK_ERR_LENGTH,
                    format!("an opening has {v} values and {p} proof elements, got {values_len} and {proof_len}"),
                ));
            }
            let rows: Vec<_> = tree.rows(index)?.into_iter().flatten().collect();
            let siblings = tree.siblings(index, 0)?;
            // SAFETY: forwarded.
            let (values, proof) = unsafe { (slice_mut(values, v, "values")?, slice_mut(proof, p, "proof")?) };
            write_all(&rows, t.enc, values);
            write_digests(&siblings, t.enc, proof);
        });
        Ok(())
    })
}

/// Verifies an opening of leaf `index` against `root` (8 elements) for a batch of `count`
/// matrices of the given heights and widths, with Plonky3's own `MerkleTreeMmcs::verify_batch`
/// over the same Poseidon2 parameters. Returns `CHK_OK` with `*valid` = 1 when it verifies, 0
/// when not (then `chk_last_error()` says why); error codes only for malformed arguments.
///
/// # Safety
/// Every pointer null or valid for its length (`root`: 8 elements; `heights`, `widths`:
/// `count`; `valid`: one `int32_t`).
#[no_mangle]
pub unsafe extern "C" fn chk_merkle_verify(
    field: u32,
    params: u32,
    encoding: u32,
    root: *const u32,
    heights: *const usize,
    widths: *const usize,
    count: usize,
    index: usize,
    values: *const u32,
    values_len: usize,
    proof: *const u32,
    proof_len: usize,
    valid: *mut i32,
) -> ChkStatus {
    guarded(|| {
        // SAFETY: forwarded, for all of these.
        let verdict = unsafe { out(valid, "valid") }?;
        let enc = Encoding::from_code(encoding)?;
        let (heights, widths) = unsafe { shapes(heights, widths, count) }?;
        let root = unsafe { slice(root, DIGEST, "root") }?;
        let values = unsafe { slice(values, values_len, "values") }?;
        let proof = unsafe { slice(proof, proof_len, "proof") }?;
        let expected: usize = widths
            .iter()
            .try_fold(0usize, |a, &w| a.checked_add(w))
            .ok_or_else(|| Failure::new(CHK_ERR_SIZE, "the widths' sum overflows"))?;
        if values_len != expected {
            return Err(Failure::new(CHK_ERR_LENGTH, format!("{values_len} values, the rows hold {expected}")));
        }
        if !proof_len.is_multiple_of(DIGEST) {
            return Err(Failure::new(CHK_ERR_LENGTH, format!("{proof_len} proof elements are not whole digests")));
        }
        let opening = Opening { heights, widths, index, root, values, proof };
        let result = by_hash_field!(field, verify_typed, params, enc, &opening)?;
        *verdict = result.is_ok() as i32;
        if let Err(why) = result {
            set_last_error(&format!("the opening does not verify: {why}"));
        }
        Ok(())
    })
}

struct Opening<'a> {
    heights: &'a [usize],
    widths: &'a [usize],
    index: usize,
    root: &'a [u32],
    values: &'a [u32],
    proof: &'a [u32],
}

/// `Ok(Err(why))` when the opening is well formed but does not verify.
fn verify_typed<F: HashField>(params: u32, enc: Encoding, o: &Opening<'_>) -> FfiResult<Result<(), String>> {
    let mmcs = Mmcs::on(F::constants_16(params)?, 0, Engine::Cpu);
    let root: Digest<F> = read_all::<F>(o.root, enc, "root")?.try_into().expect("8 elements");
    let flat = read_all::<F>(o.values, enc, "values")?;
    let mut rest = &flat[..];
    let rows: Vec<Vec<F>> = o
        .widths
        .iter()
        .map(|&w| {
            let (row, tail) = rest.split_at(w);
            rest = tail;
            row.to_vec()
        })
        .collect();
    let siblings: Vec<Digest<F>> =
        read_all::<F>(o.proof, enc, "proof")?.chunks_exact(DIGEST).map(|d| d.try_into().expect("8 elements")).collect();
    let dims: Vec<Dimensions> =
        o.widths.iter().zip(o.heights).map(|(&width, &height)| Dimensions { width, height }).collect();
    let opening = BatchOpeningRef::new(&rows, &siblings);
    let verdict = p3_commit::Mmcs::verify_batch(mmcs.stock(), &MerkleCap::new(vec![root]), &dims, o.index, opening);
    Ok(verdict.map_err(|e| format!("{e:?}")))
}
