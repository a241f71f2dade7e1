//! Builds the kernels twice:
//! 1. as host C++ against the CUDA execution-model emulator (kernels/emu/) into a static
//!    library for the `emu` backend: needs only the system C++ compiler;
//! 2. with nvcc, when found, into one fatbin per `.cu` file (SASS for sm_80/86/89/90 plus
//!    compute_80 PTX), embedded in the crate, with per-kernel ptxas statistics. Runs beside the
//!    emulator's builds.
//!
//! When cuobjdump (and the nvdisasm it runs) sits beside nvcc, or `CUOBJDUMP` names it, every
//! kernel's SASS is read back: instruction count, local-memory instructions and subroutine
//! calls per architecture (`cherenkov info --kernels` prints them).
//!
//! `CHERENKOV_REQUIRE_NVCC=1` turns a missing nvcc or cuobjdump, a compile error, a register
//! spill, a kernel over its declared shared memory (`// chk:smem=BYTES` above the kernel), or
//! local memory or a subroutine call in an NTT, Poseidon2, Merkle or FRI kernel (the hot loops: a
//! `CALL` there is a 64-bit division or a non-inlined helper, local memory a stack array), or
//! local memory in an MSM kernel into a build failure. `CHERENKOV_EMU_TSAN=1` builds the emulator with ThreadSanitizer.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs, thread};

/// SASS targets.
const ARCHS: &[&str] = &["sm_80", "sm_86", "sm_89", "sm_90"];
/// The one virtual architecture every SASS target is compiled from, also embedded as PTX so newer
/// GPUs can JIT. The kernels use nothing newer than sm_80 and no `__CUDA_ARCH__` value, so PTX for
/// each target would be the same program: one NVVM pass per source instead of four (NVVM was
/// two thirds of nvcc's time), ptxas still optimising for each target.
const VIRTUAL_ARCH: &str = "compute_80";
/// Static shared memory a kernel may use when it declares none.
const DEFAULT_SMEM_LIMIT: u64 = 0;

struct Kernel {
    name: String,
    smem_limit: u64,
}

struct Source {
    rel: String,
    path: PathBuf,
    kernels: Vec<Kernel>,
}

#[derive(Default, Clone)]
struct Stat {
    registers: u64,
    stack_frame: u64,
    spill_stores: u64,
    spill_loads: u64,
    smem: u64,
}

/// What the SASS of one kernel on one architecture holds (cuobjdump -sass).
#[derive(Default, Clone, Copy)]
struct Sass {
    instructions: u64,
    local: u64,
    calls: u64,
}

/// Kernel sources whose kernels must hold no local memory and no subroutine call (the same list
/// as `cherenkov::backend::kernels::NO_CALL_DIRS`).
const NO_CALL_DIRS: &[&str] = &["ntt/", "poseidon2/", "merkle/", "fri/"];
/// Kernel sources whose kernels must hold no local memory, calls allowed (the MSM's out-of-line
/// G2 point formulas take their operands in memory); `cherenkov::backend::kernels::NO_LOCAL_DIRS`.
const NO_LOCAL_DIRS: &[&str] = &["msm/"];

fn main() {
    println!("cargo:rerun-if-changed=kernels");
    println!("cargo:rerun-if-changed=build.rs");
    for var in [
        "NVCC",
        "CUDA_HOME",
        "CUDA_PATH",
        "NVCC_CCBIN",
        "NVCC_APPEND_FLAGS",
        "CUOBJDUMP",
        "CHERENKOV_REQUIRE_NVCC",
        "CHERENKOV_EMU_TSAN",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let kernels_dir = manifest.join("kernels");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    let mut files = Vec::new();
    collect_cu(&kernels_dir, &mut files);
    files.sort();
    let sources: Vec<Source> = files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&kernels_dir).unwrap().to_string_lossy().replace('\\', "/");
            let text = fs::read_to_string(&path).unwrap();
            Source { kernels: parse_kernels(&text), rel, path }
        })
        .collect();

    let tus = generate_emu_sources(&out, &sources);
    let require = env::var("CHERENKOV_REQUIRE_NVCC").is_ok_and(|v| !v.is_empty() && v != "0");
    // nvcc and the emulator's C++ builds are independent; side by side they keep both cores of a
    // small machine busy (one after the other, the script used 1.35 cores for 5 minutes).
    let (nv, profile) = thread::scope(|scope| {
        let nv = scope.spawn(|| build_nvcc(&kernels_dir, &out, &sources, require));
        build_emu(&kernels_dir, &tus);
        let profile = build_emu_profile(&kernels_dir, &out, &tus);
        (nv.join().expect("the nvcc build thread"), profile)
    });
    write_manifest(&out, &sources, &nv, profile.as_deref());
}

fn collect_cu(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_cu(&path, out);
        } else if path.extension().is_some_and(|e| e == "cu") {
            out.push(path);
        }
    }
}

/// Every `extern "C" __global__ void NAME(` and the `chk:smem=N` directive in the three lines
/// above it.
fn parse_kernels(text: &str) -> Vec<Kernel> {
    let lines: Vec<&str> = text.lines().collect();
    let mut kernels = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(pos) = line.find("extern \"C\" __global__ void ") else {
            continue;
        };
        let rest = &line[pos + "extern \"C\" __global__ void ".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let smem_limit = lines[i.saturating_sub(3)..i]
            .iter()
            .filter_map(|l| l.split("chk:smem=").nth(1))
            .filter_map(|v| v.split_whitespace().next()?.parse().ok())
            .next_back()
            .unwrap_or(DEFAULT_SMEM_LIMIT);
        kernels.push(Kernel { name, smem_limit });
    }
    kernels
}

/// One translation unit per kernel source (its kernels and their launch thunks) and the
/// registry of every kernel by name, under OUT_DIR/emu.
fn generate_emu_sources(out: &Path, sources: &[Source]) -> Vec<PathBuf> {
    let gen = out.join("emu");
    fs::create_dir_all(&gen).unwrap();
    let mut registry = String::from(
        "// Generated by build.rs: every kernel the emulator can launch.\n#include <cstddef>\n\
         extern \"C\" {\nstruct chk_emu_kernel { const char* name; void (*thunk)(void**); };\n",
    );
    let mut table = String::new();
    let mut count = 0;
    let mut tus = Vec::new();
    for src in sources {
        let mut tu = format!("// Generated by build.rs.\n#include \"{}\"\n", src.path.display());
        for k in &src.kernels {
            writeln!(tu, "CHK_EMU_THUNK({})", k.name).unwrap();
            writeln!(registry, "void {}__chk_emu_thunk(void**);", k.name).unwrap();
            writeln!(table, "  {{\"{0}\", &{0}__chk_emu_thunk}},", k.name).unwrap();
            count += 1;
        }
        let tu_path = gen.join(format!("{}.cpp", src.rel.replace('/', "__")));
        write_if_changed(&tu_path, &tu);
        tus.push(tu_path);
    }
    write!(
        registry,
        "extern const chk_emu_kernel chk_emu_registry[] = {{\n{table}  {{nullptr, nullptr}}}};\n\
         extern const size_t chk_emu_registry_len = {count};\n}}\n"
    )
    .unwrap();
    let reg_path = gen.join("registry.cpp");
    write_if_changed(&reg_path, &registry);
    tus.push(reg_path);
    tus
}

fn emu_base(kernels_dir: &Path) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .include(kernels_dir)
        .define("CHK_EMU", None)
        .flag_if_supported("-Wno-unused-parameter")
        .opt_level(2);
    build
}

fn build_emu(kernels_dir: &Path, tus: &[PathBuf]) {
    let mut build = emu_base(kernels_dir);
    let tsan = env::var("CHERENKOV_EMU_TSAN").is_ok_and(|v| !v.is_empty() && v != "0");
    if tsan {
        build.define("CHK_EMU_TSAN", None);
    }
    // The scheduler itself is never instrumented: its bookkeeping is sequential on one OS
    // thread, and fiber switches must not look like synchronisation. It tells ThreadSanitizer
    // about fibers, barriers and warp ops explicitly.
    let runtime = build.clone().file(kernels_dir.join("emu/emu_runtime.cpp")).compile_intermediates();
    build.objects(runtime);
    if tsan {
        build.flag("-fsanitize=thread").opt_level(1).debug(true);
        // rustc links with -nodefaultlibs, so name the runtime; export our __tsan_on_report so
        // it interposes on the runtime's weak default and counts reports.
        println!("cargo:rustc-link-lib=dylib=tsan");
        println!("cargo:rustc-link-arg=-Wl,--export-dynamic-symbol=__tsan_on_report");
    }
    build.files(tus).compile("chk_emu");
}

/// The emulator's profile build (kernels/emu/profile.h): the kernels again, every memory access
/// instrumented (GCC's ThreadSanitizer pass, with our own hooks in place of its runtime), as a
/// shared library of its own, loaded only when a profile is asked for: its kernels' symbols stay
/// inside it (hidden, `-Bsymbolic`), apart from the plain build's. Linux only (the profiler finds
/// the library's own segments with dl_iterate_phdr); not beside the ThreadSanitizer build,
/// whose runtime owns the same hooks. Returns the library's path.
fn build_emu_profile(kernels_dir: &Path, out: &Path, tus: &[PathBuf]) -> Option<PathBuf> {
    let tsan = env::var("CHERENKOV_EMU_TSAN").is_ok_and(|v| !v.is_empty() && v != "0");
    if tsan || env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return None;
    }
    let dir = out.join("emu_profile");
    fs::create_dir_all(&dir).unwrap();
    let mut build = emu_base(kernels_dir);
    build
        .define("CHK_EMU_PROFILE", None)
        // Loops stay loops: the profile groups a call site's k-th execution across a warp
        // either way, and the kernels compile in a fraction of the time.
        .define("CHK_EMU_NO_UNROLL", None)
        .pic(true)
        .flag("-fvisibility=hidden")
        .out_dir(&dir)
        .cargo_metadata(false);
    let mut objects = build
        .clone()
        .file(kernels_dir.join("emu/emu_runtime.cpp"))
        .file(kernels_dir.join("emu/profile.cpp"))
        .compile_intermediates();
    objects.extend(
        build
            .flag("-fsanitize=thread")
            .flag("--param=tsan-instrument-func-entry-exit=0")
            .files(tus)
            .compile_intermediates(),
    );
    let lib = dir.join("libchk_emu_profile.so");
    let script = dir.join("exports.map");
    write_if_changed(&script, "{ global: chk_emu_profile_launch; local: *; };\n");
    let compiler = emu_base(kernels_dir).get_compiler();
    let status = Command::new(compiler.path())
        .args(["-shared", "-Wl,-z,defs", "-Wl,-Bsymbolic"])
        .arg(format!("-Wl,--version-script={}", script.display()))
        .arg("-o")
        .arg(&lib)
        .args(&objects)
        .args(["-lpthread", "-ldl"])
        .status()
        .expect("the C++ compiler links the emulator's profile library");
    assert!(status.success(), "linking {} failed", lib.display());
    Some(lib)
}

struct NvResult {
    status: String,
    version: Option<String>,
    fatbins: BTreeMap<String, PathBuf>,
    stats: BTreeMap<(String, String), Stat>,
    /// Empty when cuobjdump was not found (`sass_status` says so).
    sass: BTreeMap<(String, String), Sass>,
    sass_status: String,
}

fn find_nvcc() -> Option<PathBuf> {
    if let Some(p) = env::var_os("NVCC").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    for var in ["CUDA_HOME", "CUDA_PATH"] {
        if let Some(home) = env::var_os(var) {
            let p = PathBuf::from(home).join("bin/nvcc");
            if p.is_file() {
                return Some(p);
            }
        }
    }
    env::split_paths(&env::var_os("PATH")?).map(|d| d.join("nvcc")).find(|p| p.is_file())
}

fn build_nvcc(kernels_dir: &Path, out: &Path, sources: &[Source], require: bool) -> NvResult {
    let mut res = NvResult {
        status: String::new(),
        version: None,
        fatbins: BTreeMap::new(),
        stats: BTreeMap::new(),
        sass: BTreeMap::new(),
        sass_status: String::new(),
    };
    let fail = |res: &mut NvResult, msg: String| {
        if require {
            // A plain message and exit code, not a panic's backtrace.
            eprintln!("error: CHERENKOV_REQUIRE_NVCC is set:\n{msg}");
            std::process::exit(1);
        }
        println!("cargo:warning=cherenkov: {msg}; the cuda backend will report \"built without kernels\"");
        res.status = msg;
    };
    let Some(nvcc) = find_nvcc() else {
        fail(&mut res, "nvcc not found (set NVCC, CUDA_HOME or PATH)".into());
        return res;
    };
    let version = match Command::new(&nvcc).arg("--version").output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.split("release ").nth(1).map(|v| v.split(',').next().unwrap().to_string()))
            .unwrap_or_else(|| "unknown".into()),
        _ => {
            fail(&mut res, format!("{} does not run", nvcc.display()));
            return res;
        }
    };
    let nv_out = out.join("nv");
    fs::create_dir_all(&nv_out).unwrap();
    let jobs: Vec<_> = sources
        .iter()
        .map(|src| {
            let fatbin = nv_out.join(format!("{}.fatbin", src.rel.replace('/', "__")));
            let mut cmd = Command::new(&nvcc);
            cmd.args(["-fatbin", "-std=c++17", "-O3", "-lineinfo", "-Xptxas", "-v"]).arg("-I").arg(kernels_dir);
            let codes: Vec<&str> = ARCHS.iter().copied().chain([VIRTUAL_ARCH]).collect();
            cmd.arg("-gencode").arg(format!("arch={VIRTUAL_ARCH},code=[{}]", codes.join(",")));
            if let Some(ccbin) = env::var_os("NVCC_CCBIN") {
                cmd.arg("-ccbin").arg(ccbin);
            }
            cmd.arg("-o").arg(&fatbin).arg(&src.path);
            (src, fatbin, thread::spawn(move || cmd.output()))
        })
        .collect();
    let mut errors = Vec::new();
    for (src, fatbin, job) in jobs {
        match job.join().unwrap() {
            Ok(o) if o.status.success() => {
                let log = String::from_utf8_lossy(&o.stderr);
                parse_ptxas(&log, &mut res.stats);
                res.fatbins.insert(src.rel.clone(), fatbin);
            }
            Ok(o) => errors.push(format!("nvcc failed on {}:\n{}", src.rel, String::from_utf8_lossy(&o.stderr))),
            Err(e) => errors.push(format!("cannot run {}: {e}", nvcc.display())),
        }
    }
    // Kernel-by-kernel gates: every kernel compiled for every arch, no spills, shared memory
    // within what the kernel declares.
    for src in sources.iter().filter(|s| res.fatbins.contains_key(&s.rel)) {
        for k in &src.kernels {
            for arch in ARCHS {
                match res.stats.get(&(k.name.clone(), arch.to_string())) {
                    None => errors.push(format!("no ptxas report for {} on {arch}", k.name)),
                    Some(s) if s.spill_stores + s.spill_loads > 0 => errors.push(format!(
                        "{} spills on {arch}: {} bytes stores, {} bytes loads",
                        k.name, s.spill_stores, s.spill_loads
                    )),
                    Some(s) if s.smem > k.smem_limit => errors.push(format!(
                        "{} uses {} bytes of static shared memory on {arch}, declares {} \
                         (// chk:smem=BYTES above the kernel)",
                        k.name, s.smem, k.smem_limit
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    match find_cuobjdump(&nvcc) {
        None if require => errors.push(
            "cuobjdump not found beside nvcc (set CUOBJDUMP; pip install \
             nvidia-cuda-cuobjdump nvidia-cuda-nvdisasm)"
                .into(),
        ),
        None => {
            println!("cargo:warning=cherenkov: cuobjdump not found beside nvcc: no SASS figures");
            res.sass_status = "cuobjdump not found".into();
        }
        Some(tool) => {
            for (rel, fatbin) in &res.fatbins {
                match read_sass(&tool, fatbin) {
                    Ok(found) => res.sass.extend(found),
                    Err(e) => errors.push(format!("cuobjdump on {rel}: {e}")),
                }
            }
            res.sass_status = format!("read with {}", tool.display());
            for src in sources.iter().filter(|s| res.fatbins.contains_key(&s.rel)) {
                let strict = NO_CALL_DIRS.iter().any(|d| src.rel.starts_with(d));
                let no_local = NO_LOCAL_DIRS.iter().any(|d| src.rel.starts_with(d));
                for k in &src.kernels {
                    for arch in ARCHS {
                        match res.sass.get(&(k.name.clone(), arch.to_string())) {
                            None => errors.push(format!("no SASS for {} on {arch}", k.name)),
                            Some(s) if strict && s.local + s.calls > 0 => errors.push(format!(
                                "{} on {arch}: {} local-memory instructions and {} subroutine calls in \
                                 its SASS (none allowed in ntt/, poseidon2/, merkle/, fri/)",
                                k.name, s.local, s.calls
                            )),
                            Some(s) if no_local && s.local > 0 => errors.push(format!(
                                "{} on {arch}: {} local-memory instructions in its SASS (none allowed in msm/)",
                                k.name, s.local
                            )),
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        res.fatbins.clear();
        res.sass.clear();
        fail(&mut res, errors.join("\n"));
        return res;
    }
    res.status = format!("built with nvcc {version} ({})", nvcc.display());
    res.version = Some(version);
    res
}

fn find_cuobjdump(nvcc: &Path) -> Option<PathBuf> {
    if let Some(p) = env::var_os("CUOBJDUMP").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let beside = nvcc.parent()?.join("cuobjdump");
    beside.is_file().then_some(beside)
}

/// Per (kernel, arch): SASS instructions (no NOP padding), local-memory loads and stores,
/// subroutine calls. cuobjdump needs nvdisasm: the tool's own directory goes first on PATH.
fn read_sass(tool: &Path, fatbin: &Path) -> Result<BTreeMap<(String, String), Sass>, String> {
    let mut path = vec![tool.parent().unwrap_or(Path::new(".")).to_path_buf()];
    path.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    let o = Command::new(tool)
        .arg("-sass")
        .arg(fatbin)
        .env("PATH", env::join_paths(path).map_err(|e| e.to_string())?)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    Ok(parse_sass(&String::from_utf8_lossy(&o.stdout)))
}

/// One SASS instruction: its address, opcode (with modifiers) and first operand.
struct Insn {
    addr: u64,
    op: String,
    arg: String,
}

fn parse_sass(text: &str) -> BTreeMap<(String, String), Sass> {
    let mut out = BTreeMap::new();
    let mut arch = String::new();
    // The current function and its instructions.
    let mut current: Option<(String, Vec<Insn>)> = None;
    let mut finish = |f: Option<(String, Vec<Insn>)>, arch: &str| {
        if let Some((name, code)) = f {
            out.insert((name, arch.to_string()), summarize(&code));
        }
    };
    for line in text.lines() {
        let t = line.trim();
        if let Some(a) = t.strip_prefix("arch = ") {
            finish(current.take(), &arch);
            arch = a.trim().to_string();
        } else if let Some(f) = t.strip_prefix("Function : ") {
            finish(current.take(), &arch);
            current = Some((f.trim().to_string(), Vec::new()));
        } else if let (Some((_, code)), Some(rest)) = (&mut current, t.strip_prefix("/*")) {
            // `/*0a40*/  @!P0 IMAD.WIDE.U32 R2, ... ;  /* encoding */`: an instruction line
            // starts with its hex address; the encoding-only lines start with `/* 0x`.
            let Some((addr, body)) = rest.split_once("*/") else { continue };
            let Ok(addr) = u64::from_str_radix(addr, 16) else { continue };
            let body = body.split(';').next().unwrap_or("");
            let mut words = body.split_whitespace().skip_while(|w| w.starts_with('@'));
            let Some(op) = words.next() else { continue };
            let arg = words.next().unwrap_or("").trim_end_matches(',').to_string();
            code.push(Insn { addr, op: op.to_string(), arg });
        }
    }
    finish(current.take(), &arch);
    out
}

/// Counts one function's instructions (without NOP padding), local-memory accesses, and calls
/// of subroutines: a `CALL` whose target runs into a `RET` before an `EXIT` (before sm_90 nvcc
/// also emits `CALL.REL.NOINC` to a reconvergence point of the same code, which is no call).
fn summarize(code: &[Insn]) -> Sass {
    let mut s = Sass::default();
    for Insn { op, arg, .. } in code {
        if op == "NOP" {
            continue;
        }
        s.instructions += 1;
        s.local += u64::from(op.starts_with("LDL") || op.starts_with("STL"));
        if op.starts_with("CALL") {
            let target = u64::from_str_radix(arg.trim_start_matches("0x"), 16).ok();
            let returns = target.is_some_and(|t| {
                code.iter()
                    .filter(|i| i.addr >= t)
                    .map(|i| &i.op)
                    .find(|op| op.starts_with("RET") || op.starts_with("EXIT"))
                    .is_some_and(|op| op.starts_with("RET"))
            });
            s.calls += u64::from(returns || target.is_none());
        }
    }
    s
}

/// Reads `ptxas -v` output: per (entry function, arch) registers, frame, spills, shared memory.
fn parse_ptxas(log: &str, stats: &mut BTreeMap<(String, String), Stat>) {
    let mut current: Option<(String, String)> = None;
    let mut props_for_current = false;
    let num_before = |line: &str, unit: &str| -> u64 {
        line.split(',')
            .find(|part| part.contains(unit))
            .and_then(|part| part.split_whitespace().find_map(|w| w.parse().ok()))
            .unwrap_or(0)
    };
    for line in log.lines() {
        if let Some(rest) = line.split("Compiling entry function '").nth(1) {
            let name = rest.split('\'').next().unwrap().to_string();
            let arch = rest.split("for '").nth(1).unwrap_or("").trim_end_matches('\'').to_string();
            stats.entry((name.clone(), arch.clone())).or_default();
            current = Some((name, arch));
            props_for_current = false;
        } else if let Some(rest) = line.split("Function properties for ").nth(1) {
            props_for_current = current.as_ref().is_some_and(|(n, _)| n == rest.trim());
        } else if line.contains("bytes stack frame") && props_for_current {
            let s = stats.get_mut(current.as_ref().unwrap()).unwrap();
            s.stack_frame = num_before(line, "stack frame");
            s.spill_stores = num_before(line, "spill stores");
            s.spill_loads = num_before(line, "spill loads");
        } else if line.contains("Used ") && line.contains("registers") {
            if let Some(key) = &current {
                let s = stats.get_mut(key).unwrap();
                s.registers = num_before(line, "registers");
                s.smem = num_before(line, "bytes smem");
            }
        }
    }
}

fn write_manifest(out: &Path, sources: &[Source], nv: &NvResult, profile: Option<&Path>) {
    let mut s = String::from("// Generated by build.rs.\n");
    let lib = match profile {
        Some(p) => format!("Some(include_bytes!({:?}))", p.display().to_string()),
        None => "None".into(),
    };
    writeln!(s, "pub static EMU_PROFILE_LIB: Option<&[u8]> = {lib};").unwrap();
    writeln!(s, "pub const NVCC_STATUS: &str = {:?};", nv.status).unwrap();
    writeln!(s, "pub const NVCC_VERSION: Option<&str> = {:?};", nv.version).unwrap();
    writeln!(s, "pub const CUDA_ARCHS: &[&str] = &{ARCHS:?};").unwrap();
    writeln!(s, "pub const SASS_STATUS: &str = {:?};", nv.sass_status).unwrap();
    s.push_str("pub static KERNEL_SOURCES: &[KernelSource] = &[\n");
    for src in sources {
        let fatbin = match nv.fatbins.get(&src.rel) {
            Some(p) => format!("Some(include_bytes!({:?}))", p.display().to_string()),
            None => "None".into(),
        };
        let names: Vec<&str> = src.kernels.iter().map(|k| k.name.as_str()).collect();
        writeln!(s, "    KernelSource {{ file: {:?}, kernels: &{names:?}, fatbin: {fatbin} }},", src.rel).unwrap();
    }
    s.push_str("];\npub static KERNEL_STATS: &[KernelStat] = &[\n");
    for src in sources.iter().filter(|s| nv.fatbins.contains_key(&s.rel)) {
        for k in &src.kernels {
            for arch in ARCHS {
                let key = (k.name.clone(), arch.to_string());
                let st = nv.stats.get(&key).cloned().unwrap_or_default();
                let sass = match nv.sass.get(&key) {
                    Some(x) => format!(
                        "Some(Sass {{ instructions: {}, local: {}, calls: {} }})",
                        x.instructions, x.local, x.calls
                    ),
                    None => "None".into(),
                };
                writeln!(
                    s,
                    "    KernelStat {{ kernel: {:?}, arch: {arch:?}, registers: {}, stack_frame: {}, \
                     spill_stores: {}, spill_loads: {}, static_smem: {}, smem_limit: {}, sass: {sass} }},",
                    k.name, st.registers, st.stack_frame, st.spill_stores, st.spill_loads, st.smem, k.smem_limit
                )
                .unwrap();
            }
        }
    }
    s.push_str("];\n");
    write_if_changed(&out.join("kernels.rs"), &s);
}

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).unwrap();
    }
}
