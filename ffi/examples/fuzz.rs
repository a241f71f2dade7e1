//! A seeded random driver over the C ABI and the Rust API, for a bounded time:
//!
//! ```sh
//! cargo run --release -p cherenkov-ffi --example fuzz -- --seconds 60 [--seed N]
//! ```
//!
//! Random shapes, flags, encodings, fields, lengths, null and misaligned pointers, coset shifts
//! (0 included), non-canonical elements, points off the curve, tampered Merkle openings — on the
//! cpu and the emulator. Buffers always hold what the call is told they hold (a shorter buffer
//! is the caller's undefined behaviour, not the library's). It fails (non-zero exit, the seed
//! and the iteration printed) on: a status outside the documented codes, `CHK_ERR_PANIC`, a
//! panic from the Rust API, cpu and emulator results that differ, a tampered opening accepted or
//! a true one rejected, an iteration running over 30 s (a hang), or resident memory growing by
//! more than 256 MiB after the first quarter of the run (a leak). A signal kills the process,
//! which fails the run as well.

use std::ffi::CStr;
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cherenkov_ffi::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const BABYBEAR_P: u32 = 0x7800_0001;
const KOALABEAR_P: u32 = 0x7f00_0001;

fn fail(seed: u64, iteration: u64, what: String) -> ! {
    eprintln!("fuzz: FAILED at iteration {iteration} (seed {seed}): {what}");
    std::process::exit(1);
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(chk_last_error()) }.to_string_lossy().into_owned()
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(0) * 4096
}

/// One iteration's context: the generator, the engines, the statuses seen.
struct Fuzz {
    rng: StdRng,
    engines: [*mut ChkEngine; 2],
    statuses: [u64; 15],
    seed: u64,
    iteration: u64,
}

impl Fuzz {
    fn status(&mut self, what: &str, s: ChkStatus) -> ChkStatus {
        if !(0..=14).contains(&s) {
            fail(self.seed, self.iteration, format!("{what}: undocumented status {s}"));
        }
        if s == CHK_ERR_PANIC {
            fail(self.seed, self.iteration, format!("{what}: a panic inside the library: {}", last_error()));
        }
        self.statuses[s as usize] += 1;
        s
    }

    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.rng.random_range(0..options.len())]
    }

    /// `n` words for `field`: canonical mostly, sometimes one at p or above.
    fn words(&mut self, field: u32, n: usize) -> Vec<u32> {
        let p = if field == CHK_FIELD_KOALABEAR || field == CHK_FIELD_KOALABEAR4 { KOALABEAR_P } else { BABYBEAR_P };
        let mut v: Vec<u32> = (0..n).map(|_| self.rng.random_range(0..p)).collect();
        if n > 0 && self.rng.random_ratio(1, 8) {
            let i = self.rng.random_range(0..n);
            v[i] = self.rng.random_range(p..=u32::MAX);
        }
        v
    }

    /// NTT and LDE over a 31-bit field: random everything; when the cpu succeeds, the emulator
    /// must give the same words.
    fn ntt(&mut self) {
        let field = self.pick(&[CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR, CHK_FIELD_BABYBEAR4, CHK_FIELD_KOALABEAR4, 9]);
        let degree = if field == CHK_FIELD_BABYBEAR4 || field == CHK_FIELD_KOALABEAR4 { 4 } else { 1 };
        let width = self.pick(&[0usize, 1, 2, 3, 5]);
        let rows = self.pick(&[0usize, 1, 2, 3, 8, 64, 256]);
        let len = (rows * width).saturating_add(self.pick(&[0, 0, 0, 1]));
        let encoding = self.pick(&[CHK_ENCODING_CANONICAL, CHK_ENCODING_MONTGOMERY, 5]);
        let direction = self.pick(&[CHK_NTT_FORWARD, CHK_NTT_INVERSE, 2]);
        let flags = self.rng.random_range(0..5u32);
        let shift_kind = self.rng.random_range(0..4);
        let shift = [0u32, 7, BABYBEAR_P, 31][shift_kind];
        let shift_ptr: *const u32 = if shift_kind == 1 { null() } else { &shift };
        let data = self.words(field, len * degree);
        let misaligned = self.rng.random_ratio(1, 16) && len > 0;
        let null_data = self.rng.random_ratio(1, 16);
        let mut outs = Vec::new();
        for e in self.engines {
            let mut buf = vec![0u8; data.len() * 4 + 4];
            let at = if misaligned { 1 } else { (4 - buf.as_ptr() as usize % 4) % 4 };
            let ptr = if null_data { null_mut() } else { unsafe { buf.as_mut_ptr().add(at) } };
            if !null_data {
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr().cast::<u8>(), ptr, data.len() * 4) };
            }
            let s = unsafe { chk_ntt(e, field, encoding, ptr.cast(), len, width, direction, flags, shift_ptr.cast()) };
            let s = self.status("chk_ntt", s);
            outs.push((s, if null_data { Vec::new() } else { buf[at..at + data.len() * 4].to_vec() }));
        }
        if outs[0] != outs[1] {
            fail(self.seed, self.iteration, format!("chk_ntt: cpu {:?} and emu {:?} differ", outs[0].0, outs[1].0));
        }
        // An LDE with a right or wrong output length.
        let added = self.rng.random_range(0..3u32);
        let out_len = (len << added).saturating_add(self.pick(&[0, 0, 1]));
        let mut results = Vec::new();
        for e in self.engines {
            let mut out = vec![0u32; out_len * degree];
            let s = unsafe {
                chk_lde(
                    e,
                    field,
                    encoding,
                    data.as_ptr().cast(),
                    len,
                    width,
                    added,
                    shift_ptr.cast(),
                    flags & 2,
                    out.as_mut_ptr().cast(),
                    out_len,
                )
            };
            results.push((self.status("chk_lde", s), out));
        }
        if results[0] != results[1] {
            fail(self.seed, self.iteration, "chk_lde: cpu and emu differ".into());
        }
    }

    fn poseidon2(&mut self) {
        let field = self.pick(&[CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR, CHK_FIELD_BN254_FR]);
        let width = self.pick(&[16u32, 24, 8]);
        let params = self.pick(&[CHK_POSEIDON2_PLONKY3, CHK_POSEIDON2_SP1, 7]);
        let len = self.pick(&[0usize, 16, 24, 48, 160, 17]);
        let data = self.words(field, len);
        let mut outs = Vec::new();
        for e in self.engines {
            let mut d = data.clone();
            let s =
                unsafe { chk_poseidon2_permute(e, field, params, width, CHK_ENCODING_CANONICAL, d.as_mut_ptr(), len) };
            outs.push((self.status("chk_poseidon2_permute", s), d));
        }
        if outs[0] != outs[1] {
            fail(self.seed, self.iteration, "chk_poseidon2_permute: cpu and emu differ".into());
        }
    }

    /// Commit, open, verify the true opening (must verify) and a tampered one (must not).
    fn merkle(&mut self) {
        let field = self.pick(&[CHK_FIELD_BABYBEAR, CHK_FIELD_KOALABEAR]);
        let max = self.pick(&[1usize, 2, 8, 33, 64]);
        let count = self.rng.random_range(1..4usize);
        let heights: Vec<usize> = (0..count)
            .map(|_| {
                if self.rng.random_ratio(1, 10) {
                    self.rng.random_range(0..70)
                } else {
                    (max - 1) / (1 << self.rng.random_range(0..3)) + 1
                }
            })
            .collect();
        let widths: Vec<usize> = (0..count).map(|_| self.pick(&[0usize, 1, 3, 8])).collect();
        let mats: Vec<Vec<u32>> = heights.iter().zip(&widths).map(|(&h, &w)| self.words(field, h * w)).collect();
        let pointers: Vec<*const u32> = mats.iter().map(|m| m.as_ptr()).collect();
        let e = self.engines[self.rng.random_range(0..2)];
        let mut tree = null_mut();
        let s = unsafe {
            chk_merkle_commit(
                e,
                field,
                CHK_POSEIDON2_PLONKY3,
                CHK_ENCODING_CANONICAL,
                pointers.as_ptr(),
                heights.as_ptr(),
                widths.as_ptr(),
                count,
                &mut tree,
            )
        };
        if self.status("chk_merkle_commit", s) != CHK_OK {
            return;
        }
        let (mut vlen, mut plen) = (0, 0);
        self.status("chk_merkle_opening_len", unsafe { chk_merkle_opening_len(tree, &mut vlen, &mut plen) });
        let mut root = [0u32; 8];
        self.status("chk_merkle_root", unsafe { chk_merkle_root(tree, root.as_mut_ptr()) });
        let top = heights.iter().copied().max().unwrap_or(1);
        let index = if self.rng.random_ratio(1, 8) { top + 3 } else { self.rng.random_range(0..top) };
        let (mut values, mut proof) = (vec![0u32; vlen], vec![0u32; plen]);
        let s = unsafe { chk_merkle_open(tree, index, values.as_mut_ptr(), vlen, proof.as_mut_ptr(), plen) };
        let opened = self.status("chk_merkle_open", s) == CHK_OK;
        unsafe { chk_merkle_free(tree) };
        if !opened {
            return;
        }
        let tamper = self.rng.random_ratio(1, 2) && vlen + plen > 0;
        if tamper {
            let k = self.rng.random_range(0..vlen + plen);
            let slot = if k < vlen { &mut values[k] } else { &mut proof[k - vlen] };
            *slot = (*slot + 1) % BABYBEAR_P.min(KOALABEAR_P);
        }
        let mut valid = -1;
        let s = unsafe {
            chk_merkle_verify(
                field,
                CHK_POSEIDON2_PLONKY3,
                CHK_ENCODING_CANONICAL,
                root.as_ptr(),
                heights.as_ptr(),
                widths.as_ptr(),
                count,
                index,
                values.as_ptr(),
                vlen,
                proof.as_ptr(),
                plen,
                &mut valid,
            )
        };
        if self.status("chk_merkle_verify", s) == CHK_OK && valid != i32::from(!tamper) {
            fail(
                self.seed,
                self.iteration,
                format!(
                    "chk_merkle_verify: valid = {valid} for a {} opening",
                    if tamper { "tampered" } else { "true" }
                ),
            );
        }
    }

    /// G1/G2 MSMs of the generator's multiples, sometimes a point off the curve or a
    /// non-canonical scalar; cpu and emu must agree.
    fn msm(&mut self) {
        let n = self.pick(&[0usize, 1, 2, 17]);
        let g2 = self.rng.random_ratio(1, 4);
        let words = if g2 { 16 } else { 8 };
        let g: Vec<u64> = if g2 { generator_g2() } else { generator_g1() };
        let mut bases: Vec<u64> = (0..n).flat_map(|_| g.iter().copied()).collect();
        let off_curve = n > 0 && self.rng.random_ratio(1, 6);
        if off_curve {
            bases[self.rng.random_range(0..n) * words + 1] ^= 1;
        }
        let mut scalars: Vec<u64> = (0..n * 4).map(|i| if i % 4 == 3 { 0 } else { self.rng.random() }).collect();
        if n > 0 && self.rng.random_ratio(1, 8) {
            scalars[3] = u64::MAX;
        }
        let flags = self.pick(&[0u32, CHK_MSM_VALIDATE, 4]);
        let mut outs = Vec::new();
        for e in self.engines {
            let mut out = vec![0u64; words];
            let s = unsafe {
                if g2 {
                    chk_msm_g2(e, CHK_ENCODING_CANONICAL, bases.as_ptr(), scalars.as_ptr(), n, flags, out.as_mut_ptr())
                } else {
                    chk_msm_g1(e, CHK_ENCODING_CANONICAL, bases.as_ptr(), scalars.as_ptr(), n, flags, out.as_mut_ptr())
                }
            };
            outs.push((self.status("chk_msm", s), out));
        }
        // Unvalidated points off the curve give unspecified (but safe) results per backend.
        let comparable = !off_curve || flags == CHK_MSM_VALIDATE;
        if comparable && outs[0] != outs[1] {
            fail(
                self.seed,
                self.iteration,
                format!(
                    "chk_msm (G{}, n {n}, flags {flags}): cpu {:?} and emu {:?} differ ({})",
                    if g2 { 2 } else { 1 },
                    outs[0],
                    outs[1],
                    last_error()
                ),
            );
        }
    }

    /// The Rust API with random shapes: results or errors, never a panic.
    fn rust_api(&mut self) {
        use cherenkov::field::BabyBear;
        use cherenkov::ntt::{self, Direction, Order, Transform};
        use p3_field::PrimeCharacteristicRing;
        let width = self.pick(&[0usize, 1, 3]);
        let len = self.pick(&[0usize, 3, 8, 12, 64]);
        let shift = BabyBear::from_u32(self.pick(&[0u32, 1, 5]));
        let added = self.rng.random_range(0..8usize);
        let values: Vec<BabyBear> = (0..len).map(|i| BabyBear::from_usize(i * 7 + 1)).collect();
        let r = std::panic::catch_unwind(|| {
            let t = Transform::new(Direction::Inverse).coset(shift).orders(Order::BitReversed, Order::Natural);
            let _ = ntt::transform_batch(&cherenkov::Engine::Cpu, values.clone(), width, t);
            let _ = ntt::coset_lde_batch(&cherenkov::Engine::Cpu, values.clone(), width, added, shift, Order::Natural);
            let _ = cherenkov::msm::device_bytes(1, len << added.min(60), added as u32, (added % 20) as u32);
            let c = cherenkov::poseidon2::Poseidon2Constants::babybear_default_16();
            let _ = cherenkov::poseidon2::hash_rows(&cherenkov::Engine::Cpu, &c, &values, width);
        });
        if r.is_err() {
            fail(self.seed, self.iteration, format!("the Rust API panicked (width {width}, len {len}, added {added})"));
        }
    }
}

fn generator_g1() -> Vec<u64> {
    // (1, 2), canonical limbs.
    vec![1, 0, 0, 0, 2, 0, 0, 0]
}

fn generator_g2() -> Vec<u64> {
    use ark_ec::AffineRepr;
    use ark_ff::PrimeField;
    let g = ark_bn254::G2Affine::generator();
    [g.x.c0, g.x.c1, g.y.c0, g.y.c1].iter().flat_map(|c| c.into_bigint().0).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let seconds: u64 = arg("--seconds").map_or(60, |s| s.parse().expect("--seconds N"));
    let seed: u64 = arg("--seed").map_or_else(
        || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64),
        |s| s.parse().expect("--seed N"),
    );
    println!("fuzz: seed {seed}, {seconds} s (rerun with --seed {seed})");
    let mut engines = [null_mut(); 2];
    for (slot, backend) in engines.iter_mut().zip([CHK_BACKEND_CPU, CHK_BACKEND_EMU]) {
        assert_eq!(unsafe { chk_engine_new(backend, slot) }, CHK_OK, "{}", last_error());
    }
    // The watchdog: an iteration that runs 30 s is a hang.
    let started = Instant::now();
    let beat = Arc::new(AtomicU64::new(0));
    let watch = beat.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        let last = Duration::from_millis(watch.load(Ordering::Relaxed));
        if started.elapsed().saturating_sub(last) > Duration::from_secs(30) {
            eprintln!("fuzz: FAILED: no iteration finished for 30 s (a hang), seed {seed}");
            std::process::exit(1);
        }
    });
    let mut f = Fuzz { rng: StdRng::seed_from_u64(seed), engines, statuses: [0; 15], seed, iteration: 0 };
    let deadline = Duration::from_secs(seconds);
    let (mut baseline, mut peak) = (None, 0usize);
    while started.elapsed() < deadline {
        match f.rng.random_range(0..5) {
            0 => f.ntt(),
            1 => f.poseidon2(),
            2 => f.merkle(),
            3 => f.msm(),
            _ => f.rust_api(),
        }
        f.iteration += 1;
        beat.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        if f.iteration.is_multiple_of(64) {
            let rss = resident_bytes();
            if baseline.is_none() && started.elapsed() > deadline / 4 {
                baseline = Some(rss);
            }
            peak = peak.max(rss);
            if let Some(b) = baseline {
                if rss > b + (256 << 20) {
                    fail(seed, f.iteration, format!("resident memory grew from {} MiB to {} MiB", b >> 20, rss >> 20));
                }
            }
        }
    }
    for e in engines {
        unsafe { chk_engine_free(e) };
    }
    let growth = baseline.map_or(0, |b| peak.saturating_sub(b));
    println!(
        "fuzz: {} iterations in {:.0} s, statuses by code {:?}, resident memory {} MiB (+{} MiB after the first quarter)",
        f.iteration,
        started.elapsed().as_secs_f64(),
        f.statuses,
        peak >> 20,
        growth >> 20
    );
    println!("fuzz: 1 passed, 0 failed");
}
