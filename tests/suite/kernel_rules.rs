//! The rules that keep one kernel source compilable by nvcc and runnable in the emulator
//! (see DESIGN.md, "Kernel rules"), checked on the source tree.

use std::path::{Path, PathBuf};

fn kernel_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "cu" || x == "cuh" || x == "h") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels"), &mut v);
    assert!(v.len() >= 8, "{v:?}");
    v
}

/// Inline PTX only inside `#if…__CUDA_ARCH__…` blocks that have an `#else` (the portable twin).
fn asm_violations(text: &str) -> Vec<usize> {
    struct Cond {
        cuda_arch: bool,
        has_else: bool,
        in_else: bool,
    }
    // First pass: which #if blocks have an #else.
    let lines: Vec<&str> = text.lines().collect();
    let mut has_else = vec![false; lines.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.starts_with("#if") {
            stack.push(i);
        } else if t.starts_with("#else") || t.starts_with("#elif") {
            if let Some(&open) = stack.last() {
                has_else[open] = true;
            }
        } else if t.starts_with("#endif") {
            stack.pop();
        }
    }
    let mut conds: Vec<Cond> = Vec::new();
    let mut bad = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.starts_with("#if") {
            conds.push(Cond {
                cuda_arch: t.contains("__CUDA_ARCH__") && !t.contains('!'),
                has_else: has_else[i],
                in_else: false,
            });
        } else if t.starts_with("#else") || t.starts_with("#elif") {
            if let Some(c) = conds.last_mut() {
                c.in_else = true;
            }
        } else if t.starts_with("#endif") {
            conds.pop();
        } else if (t.contains("asm(") || t.contains("asm volatile(") || t.contains("asm ("))
            && !t.starts_with("//")
            && !conds.iter().any(|c| c.cuda_arch && c.has_else && !c.in_else)
        {
            bad.push(i + 1);
        }
    }
    bad
}

#[test]
fn inline_ptx_has_a_portable_twin() {
    for f in kernel_files() {
        if f.components().any(|c| c.as_os_str() == "emu") {
            continue; // the emulator's own host assembly (the context switch) is not device code
        }
        let bad = asm_violations(&std::fs::read_to_string(&f).unwrap());
        assert!(bad.is_empty(), "{}: inline asm outside `#if __CUDA_ARCH__ … #else` at lines {bad:?}", f.display());
    }
}

#[test]
fn the_asm_rule_catches_violations() {
    assert_eq!(asm_violations("x;\nasm(\"add.cc.u32\");\n"), vec![2]);
    assert_eq!(asm_violations("#ifdef __CUDA_ARCH__\nasm(\"a\");\n#endif\n"), vec![2]);
    assert!(asm_violations("#if defined(__CUDA_ARCH__)\nasm(\"a\");\n#else\nx = y;\n#endif\n").is_empty());
    assert_eq!(asm_violations("#if defined(__CUDA_ARCH__)\nx;\n#else\nasm(\"a\");\n#endif\n"), vec![4]);
}

#[test]
fn no_constructs_the_emulator_or_nvcc_cannot_share() {
    for f in kernel_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            let at = format!("{}:{}", f.display(), i + 1);
            assert!(!code.contains("#define __noinline__"), "{at}: use CHK_NOINLINE");
            if name != "compat.h" {
                assert!(!code.contains("extern __shared__"), "{at}: use DYN_SHARED(T, name)");
            }
            for banned in ["cooperative_groups", "<cub/", "<thrust/", "grid.sync"] {
                assert!(!code.contains(banned), "{at}: {banned} is not available in the emulator");
            }
        }
    }
}
