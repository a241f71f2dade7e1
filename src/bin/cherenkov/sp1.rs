//! `cherenkov sp1`: a RISC-V program proven by stock SP1 and through cherenkov in one run, with
//! the ratio and where each side's time went.
//!
//! SP1's crates are far too heavy to be dependencies of this command (they would add tens of
//! minutes to every build of the core crate), so it runs the SP1 adapters' shard examples from
//! cherenkov's source tree with cargo: `adapters/sp1-v6/examples/riscv_shard.rs` (SP1 v6, a
//! program written with the executor's instruction builder, 22 instructions an iteration) and
//! `adapters/sp1-v5/examples/riscv_shard_v5.rs` (SP1 v5, the RV32IM ELF that `sp1-prover` 5.2.4
//! ships, about 12 cycles per unit of its input). The examples print the tables; this command
//! turns a cycle count into the program's input, picks the engine and the build flags.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use cherenkov::Backend;

/// An SP1 version whose prover the adapters plug into.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Sp1Version {
    /// SP1 v5 (`sp1-stark` 5.2.4, BabyBear, the `[patch.crates-io]` crates).
    #[value(name = "5")]
    V5,
    /// SP1 v6 (`sp1-hypercube` 6.10.0, KoalaBear, `cherenkov_sp1_v6::ShardProver`).
    #[value(name = "6")]
    V6,
}

/// The program each example proves: its cycles are `base + per_unit · input`, measured from the
/// examples' own output (v6: 300 iterations 6 646 cycles, 30 000 iterations 660 046; v5: input
/// 500 11 106 cycles, 20 000 245 106). The example prints the exact count it proved.
struct Program {
    base: u64,
    per_unit: u64,
    package: &'static str,
    example: &'static str,
}

impl Sp1Version {
    fn number(self) -> u8 {
        match self {
            Self::V5 => 5,
            Self::V6 => 6,
        }
    }

    fn program(self) -> Program {
        match self {
            Self::V6 => Program { base: 46, per_unit: 22, package: "cherenkov-sp1-v6", example: "riscv_shard" },
            Self::V5 => Program { base: 5106, per_unit: 12, package: "cherenkov-sp1-v5", example: "riscv_shard_v5" },
        }
    }
}

/// What `cherenkov sp1` was asked.
pub struct Sp1Run {
    pub version: Sp1Version,
    pub cycles: u64,
    pub backend: Backend,
    pub shard_size: Option<u64>,
    pub native: bool,
    pub dry_run: bool,
}

/// The largest cycle count accepted: 2^32, far above what one run here proves in reasonable time,
/// and an input both programs take without overflow.
const MAX_CYCLES: u64 = 1 << 32;

impl Sp1Run {
    /// The program's input for about `cycles` cycles (rounded up), or why the request is refused.
    fn input(&self) -> Result<u64, String> {
        let p = self.version.program();
        let least = p.base + p.per_unit;
        if self.cycles < least || self.cycles > MAX_CYCLES {
            return Err(format!(
                "--cycles {}: SP1 v{}'s program runs {least} to {MAX_CYCLES} cycles",
                self.cycles,
                self.version.number()
            ));
        }
        match (self.version, self.shard_size) {
            (Sp1Version::V6, Some(_)) => {
                return Err("--shard-size applies to SP1 v5 only (v6 proves at SP1's production core parameters)".into())
            }
            (Sp1Version::V5, Some(s)) if s < 1024 || !s.is_power_of_two() => {
                return Err(format!("--shard-size {s}: a power of two, at least 1024 cycles"))
            }
            _ => {}
        }
        Ok((self.cycles - p.base).div_ceil(p.per_unit))
    }

    /// The cargo command that runs the example, from the source tree at `root`.
    fn command(&self, root: &Path, input: u64) -> Command {
        let p = self.version.program();
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(root)
            .args(["run", "--release", "--locked", "-p", p.package, "--example", p.example, "--"])
            .arg(input.to_string());
        if let Some(s) = self.shard_size {
            cmd.arg(s.to_string());
        }
        cmd.env("CHERENKOV_BACKEND", self.backend.to_string());
        if self.native {
            // Both sides are built by this cargo call (v5's patch demo with the example's
            // environment), so both get the flags; a target directory of their own keeps the
            // default build's artifacts.
            let mut flags = std::env::var_os("RUSTFLAGS").unwrap_or_default();
            if !flags.is_empty() {
                flags.push(" ");
            }
            flags.push("-C target-cpu=native");
            cmd.env("RUSTFLAGS", flags);
            if std::env::var_os("CARGO_TARGET_DIR").is_none() {
                cmd.env("CARGO_TARGET_DIR", root.join("target/native"));
            }
        }
        cmd
    }
}

/// cherenkov's source tree: this binary's build directory when it still holds the SP1 adapters.
fn source_tree() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if root.join("adapters/sp1-v5/Cargo.toml").is_file() && root.join("adapters/sp1-v6/Cargo.toml").is_file() {
        Ok(root)
    } else {
        Err(format!(
            "cherenkov sp1 builds the SP1 adapters from cherenkov's source tree, and {} no longer holds them: run it from a clone (`cargo run --release -- sp1 ...`)",
            root.display()
        ))
    }
}

/// Runs the request: the example's output goes straight to this process's stdout and stderr.
pub fn run(req: &Sp1Run) -> ExitCode {
    let prepared = req.input().and_then(|input| source_tree().map(|root| (input, req.command(&root, input))));
    let (input, mut cmd) = match prepared {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let p = req.version.program();
    eprintln!(
        "SP1 v{}: program input {input} (about {} cycles), engine {}, {} flags",
        req.version.number(),
        p.base + p.per_unit * input,
        req.backend,
        if req.native { "native" } else { "default" }
    );
    let env: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| format!("{}={}", k.to_string_lossy(), v.to_string_lossy())))
        .collect();
    let args: Vec<OsString> =
        std::iter::once(cmd.get_program().to_owned()).chain(cmd.get_args().map(ToOwned::to_owned)).collect();
    let shown = args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ");
    eprintln!(
        "running in {}: {} {shown}",
        cmd.get_current_dir().map_or(String::new(), |d| d.display().to_string()),
        env.join(" ")
    );
    if req.dry_run {
        return ExitCode::SUCCESS;
    }
    match cmd.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => {
            eprintln!("error: the SP1 v{} example failed ({s})", req.version.number());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::from(2)
        }
    }
}
