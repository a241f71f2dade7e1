//! What the `[patch.crates-io]` crates must reproduce, written against the fork's public API
//! only: `p3_dft::Radix2DitParallel`, `sp1_stark`'s `InnerValMmcs` (a `FieldMerkleTreeMmcs`),
//! `p3_interpolation::interpolate_coset`, `BabyBearPoseidon2::new()` and SP1 v5's core machine
//! on a RISC-V program. Compiled twice: in
//! this crate's tests against the stock fork, and in `adapters/sp1-v5/patch/demo` against the
//! patch crates (which include this file). Each case's outcome is serialized; `tests/patch.rs`
//! compares the two builds' outcomes byte for byte.
//!
//! Inputs are deterministic (a fixed xorshift, first entries 0, 1 and p − 1) so both builds
//! see the same ones.

use p3_baby_bear::{BabyBear, DiffusionMatrixBabyBear};
use p3_commit::Mmcs;
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::extension::BinomialExtensionField;
use p3_field::{AbstractExtensionField, AbstractField, PrimeField32, TwoAdicField};
use p3_interpolation::{interpolate_coset, interpolate_subgroup};
use p3_matrix::bitrev::BitReversalPerm;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use p3_poseidon2::{Poseidon2, Poseidon2ExternalMatrixGeneral};
use p3_uni_stark::{prove, verify};
use sp1_stark::baby_bear_poseidon2::BabyBearPoseidon2;
use sp1_stark::inner_perm;
use sp1_stark::{InnerCompress, InnerHash, InnerValMmcs, StarkGenericConfig as _, UniConfig};

use super::fib::{one_thread, trace, Fibonacci};

type Ext = BinomialExtensionField<BabyBear, 4>;

/// A case's name and its serialized outcome.
pub type Outcome = (String, Vec<u8>);

struct Words(u64);

impl Words {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % u64::from(BabyBear::ORDER_U32)) as u32
    }
    fn matrix(&mut self, height: usize, width: usize) -> RowMajorMatrix<BabyBear> {
        let p = BabyBear::ORDER_U32;
        let v = (0..height * width)
            .map(|i| BabyBear::from_canonical_u32([0, 1, p - 1].get(i).copied().unwrap_or_else(|| self.next())))
            .collect();
        RowMajorMatrix::new(v, width)
    }
}

fn bytes<T: serde::Serialize>(x: &T) -> Vec<u8> {
    bincode::serialize(x).expect("serializable")
}

fn words<M: Matrix<BabyBear>>(m: M) -> Vec<u32> {
    m.to_row_major_matrix().values.iter().map(|x| x.as_canonical_u32()).collect()
}

/// Every method of the DFT trait `TwoAdicFriPcs` and provers call, BabyBear (cherenkov's path
/// when patched) and its degree-4 extension (the patch's generic path).
fn dft_cases(out: &mut Vec<Outcome>) {
    let dft = Radix2DitParallel;
    let mut w = Words(0x5eed_0001);
    let shift = BabyBear::generator();
    for (log_h, width) in [(0, 3), (1, 2), (5, 7), (10, 4)] {
        let m = w.matrix(1 << log_h, width);
        let name = |op: &str| format!("dft {op} 2^{log_h}x{width}");
        out.push((name("dft_batch"), bytes(&words(dft.dft_batch(m.clone())))));
        out.push((name("coset_dft_batch"), bytes(&words(dft.coset_dft_batch(m.clone(), shift)))));
        out.push((name("idft_batch"), bytes(&words(dft.idft_batch(m.clone())))));
        out.push((name("coset_idft_batch"), bytes(&words(dft.coset_idft_batch(m.clone(), shift)))));
        out.push((name("lde_batch+1"), bytes(&words(dft.lde_batch(m.clone(), 1)))));
        out.push((name("coset_lde_batch+2"), bytes(&words(dft.coset_lde_batch(m, 2, shift)))));
    }
    for log_h in [0, 3, 6] {
        let base = w.matrix(1 << log_h, 8);
        let ext: Vec<Ext> = base.values.chunks(4).map(AbstractExtensionField::<BabyBear>::from_base_slice).collect();
        let m = RowMajorMatrix::new(ext, 2);
        let flat = |m: RowMajorMatrix<Ext>| -> Vec<u32> {
            m.values
                .iter()
                .flat_map(|x| AbstractExtensionField::<BabyBear>::as_base_slice(x).iter().map(|b| b.as_canonical_u32()))
                .collect()
        };
        let name = |op: &str| format!("dft {op} ext4 2^{log_h}x2");
        let ext_shift = Ext::from_base(shift);
        out.push((name("dft_batch"), bytes(&flat(dft.dft_batch(m.clone()).to_row_major_matrix()))));
        out.push((name("idft_batch"), bytes(&flat(dft.idft_batch(m.clone())))));
        out.push((name("coset_idft_batch"), bytes(&flat(dft.coset_idft_batch(m.clone(), ext_shift)))));
        let lde = dft.coset_lde_batch(m, 1, ext_shift).to_row_major_matrix();
        out.push((name("coset_lde_batch+1"), bytes(&flat(lde))));
    }
}

/// SP1 v5's `ValMmcs` on batches every height a power of two (cherenkov's path when patched)
/// and not (the patch's generic tree), and an MMCS over another Poseidon2 (generic too): root,
/// openings and proofs at several indices, and what the verifier says of them.
fn merkle_cases(out: &mut Vec<Outcome>) {
    let perm = inner_perm();
    let sp1 = InnerValMmcs::new(InnerHash::new(perm.clone()), InnerCompress::new(perm));
    let mut w = Words(0x5eed_0002);
    let other_perm = Poseidon2::<BabyBear, Poseidon2ExternalMatrixGeneral, DiffusionMatrixBabyBear, 16, 7>::new(
        8,
        (0..8).map(|_| core::array::from_fn(|_| BabyBear::from_canonical_u32(w.next()))).collect(),
        Poseidon2ExternalMatrixGeneral,
        13,
        (0..13).map(|_| BabyBear::from_canonical_u32(w.next())).collect(),
        DiffusionMatrixBabyBear,
    );
    let other = InnerValMmcs::new(InnerHash::new(other_perm.clone()), InnerCompress::new(other_perm));
    let batches: &[&[(usize, usize)]] = &[
        &[(1, 3)],
        &[(8, 16)],
        &[(64, 8), (64, 5), (32, 24), (4, 9), (1, 2)],
        &[(1024, 25), (256, 7), (1024, 1)],
        &[(37, 4), (20, 9), (5, 2)],
        &[(12, 3)],
    ];
    for (b, shapes) in batches.iter().enumerate() {
        let mats: Vec<_> = shapes.iter().map(|&(h, wd)| w.matrix(h, wd)).collect();
        let dims: Vec<_> = mats.iter().map(|m| m.dimensions()).collect();
        let max = shapes.iter().map(|s| s.0).max().unwrap_or(0);
        for (label, mmcs) in [("sp1", &sp1), ("other", &other)] {
            let (root, tree) = mmcs.commit(mats.clone());
            out.push((format!("merkle {label} batch {b} root"), bytes(&root)));
            for index in [0, max / 2, max.saturating_sub(1)] {
                let (openings, proof) = mmcs.open_batch(index, &tree);
                let verified = mmcs.verify_batch(&root, &dims, index, &openings, &proof).is_ok();
                let mut tampered = openings.clone();
                tampered[0][0] += BabyBear::one();
                let rejected = mmcs.verify_batch(&root, &dims, index, &tampered, &proof).is_err();
                let outcome = (openings, proof, verified, rejected);
                out.push((format!("merkle {label} batch {b} open {index}"), bytes(&outcome)));
            }
        }
    }
}

/// Opened values as p3-fri's `open` computes them: `interpolate_coset` of the low half of a
/// twice-as-tall matrix, bit-reversed, at ζ and ζ·g. Degree-4 points take cherenkov's path
/// when patched: heights grow, shrink and grow again at the same points, so the patch's weight
/// tables are made, read at strides and replaced. Also another shift at ζ (the tables are per
/// shift), `interpolate_subgroup`, and base-field points (the patch's generic path).
fn interpolation_cases(out: &mut Vec<Outcome>) {
    let mut w = Words(0x5eed_0003);
    let shift = BabyBear::generator();
    let zeta = Ext::from_base_fn(|_| BabyBear::from_canonical_u32(w.next()));
    let base_point = BabyBear::from_canonical_u32(w.next());
    let flat = |v: Vec<Ext>| -> Vec<u32> {
        v.iter()
            .flat_map(|x| AbstractExtensionField::<BabyBear>::as_base_slice(x).iter().map(|b| b.as_canonical_u32()))
            .collect()
    };
    let canonical = |v: Vec<BabyBear>| -> Vec<u32> { v.iter().map(|b| b.as_canonical_u32()).collect() };
    for (log_h, width) in [(3, 5), (10, 16), (0, 1), (12, 17), (6, 40), (12, 3), (1, 33), (13, 2)] {
        let m = w.matrix(2 << log_h, width);
        let (low, _) = m.split_rows(1 << log_h);
        let view = BitReversalPerm::new_view(low);
        let next = zeta * BabyBear::two_adic_generator(log_h + 1);
        let name = |what: &str| format!("interpolate 2^{log_h}x{width} {what}");
        out.push((name("coset at zeta"), bytes(&flat(interpolate_coset(&view, shift, zeta)))));
        out.push((name("coset at zeta g"), bytes(&flat(interpolate_coset(&view, shift, next)))));
        let other_shift = shift.square();
        out.push((name("other shift at zeta"), bytes(&flat(interpolate_coset(&view, other_shift, zeta)))));
        out.push((name("subgroup at zeta"), bytes(&flat(interpolate_subgroup(&view, zeta)))));
        let at_base: Vec<BabyBear> = interpolate_coset(&view, shift, base_point);
        out.push((name("coset at a base point"), bytes(&canonical(at_base))));
    }
}

/// Fibonacci proofs through an unmodified `BabyBearPoseidon2::new()`, verified, and a wrong
/// public value rejected.
fn proof_cases(out: &mut Vec<Outcome>) {
    for log_rows in [3, 8, 11] {
        let (trace, last) = trace(1 << log_rows);
        let config = UniConfig(BabyBearPoseidon2::new());
        let public = vec![last];
        let proof = one_thread(|| prove(&config, &Fibonacci, &mut config.0.challenger(), trace, &public));
        let verified = verify(&config, &Fibonacci, &mut config.0.challenger(), &proof, &public).is_ok();
        let wrong = vec![last + BabyBear::one()];
        let rejected = verify(&config, &Fibonacci, &mut config.0.challenger(), &proof, &wrong).is_err();
        out.push((format!("fibonacci 2^{log_rows} proof"), bytes(&proof)));
        out.push((format!("fibonacci 2^{log_rows} verdicts"), bytes(&(verified, rejected))));
    }
}

/// A RISC-V program (`riscv.rs`) in two shards: the keys, the proof, the cycle and shard counts.
/// Both builds also hold their own proof to the machine's verifier: accepted, and rejected once
/// tampered with.
fn riscv_cases(out: &mut Vec<Outcome>) {
    let p = super::riscv::prove(RISCV_INPUT, RISCV_SHARD_SIZE, true);
    assert!(p.accepted, "the machine verifier rejects the RISC-V proof");
    assert!(p.tampered_rejected, "the machine verifier accepts a tampered RISC-V proof");
    assert!(p.shards >= 2, "{} cycles made {} shard(s); the case wants two or more", p.cycles, p.shards);
    out.push(("riscv proof".into(), bytes(&(p.cycles, p.shards, p.vk, p.proof))));
}

/// The ELF's input and the shard size: a short run that still makes two shards (the case
/// asserts it).
const RISCV_INPUT: u32 = 10;
const RISCV_SHARD_SIZE: usize = 1 << 12;

/// All cases, in a fixed order.
pub fn run() -> Vec<Outcome> {
    let mut out = Vec::new();
    dft_cases(&mut out);
    merkle_cases(&mut out);
    interpolation_cases(&mut out);
    proof_cases(&mut out);
    riscv_cases(&mut out);
    out
}
