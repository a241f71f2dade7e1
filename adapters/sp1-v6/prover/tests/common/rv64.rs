//! A RISC-V (RV64IM) program as the ELF file that SP1 v6's node takes: machine code (SP1's own
//! `Instruction::encode`), one read+execute `PT_LOAD` segment at SP1's lowest program address
//! (`STACK_TOP`, 0x7800_0000). No toolchain for SP1's target is needed, and the executor's own
//! ELF loader and transpiler read it as they read a compiled guest.

use sha2::{Digest, Sha256};
use sp1_core_executor::{Instruction, Opcode};

/// Where the code is loaded and starts (SP1 refuses segments below its stack top).
const BASE: u64 = 0x7800_0000;
/// Where the loop's loads and stores go: `lui` of this, then 12-bit offsets.
const DATA_PAGE: u32 = 0x2765_4000;

// SP1's syscall codes (sp1_core_executor::SyscallCode).
const HALT: u32 = 0x00;
const COMMIT: u32 = 0x10;
const COMMIT_DEFERRED_PROOFS: u32 = 0x1a;

/// The RISC-V machine word of one instruction, in SP1's instruction builder's operand order
/// (`op_a` the destination, or the stored / first compared register), encoded by SP1's own
/// encoder. `imm` is a signed immediate (`op_c`, or `op_b` for `lui`).
fn word(opcode: Opcode, op_a: u8, op_b: u8, c: i64, imm: bool) -> u32 {
    let c = c as u64;
    let instruction = match opcode {
        Opcode::LUI => Instruction::new(opcode, op_a, c, 0, true, true),
        _ => Instruction::new(opcode, op_a, u64::from(op_b), c, false, imm),
    };
    instruction.encode()
}

/// `rd = value`, zero-extended (`lui` and `addiw` sign-extend on RV64).
fn load_u32(rd: u8, value: u32) -> [u32; 4] {
    let lo = ((value << 20) as i32) >> 20; // the low 12 bits, sign-extended as addiw adds them
    let hi = value.wrapping_sub(lo as u32) & 0xffff_f000;
    [
        word(Opcode::LUI, rd, 0, i64::from(hi as i32), true),
        word(Opcode::ADDW, rd, rd, lo.into(), true), // addiw
        word(Opcode::SLL, rd, rd, 32, true),         // slli
        word(Opcode::SRL, rd, rd, 32, true),         // srli
    ]
}

/// `ecall` of syscall `code` (in t0) with arguments a0 and a1, as SP1's guest library makes it.
fn syscall(code: u32, a0: u32, a1: u32) -> Vec<u32> {
    let mut out = vec![word(Opcode::ADDI, 5, 0, code.into(), true)]; // addi t0, x0, code
    out.extend(load_u32(10, a0));
    out.extend(load_u32(11, a1));
    out.push(word(Opcode::ECALL, 0, 0, 0, false));
    out
}

/// A loop of `iters` iterations over the ALU (64- and 32-bit), mul/div/rem, byte/word/double
/// loads and stores and a backward branch; then what SP1's guest library does at exit: `COMMIT`
/// each word of the public values' digest (SHA-256 of none), `COMMIT_DEFERRED_PROOFS` each word
/// of the deferred proofs' digest (zero: none) and `HALT` with exit code 0, each an `ecall`.
pub fn program(iters: u16) -> Vec<u32> {
    assert!(iters > 0 && iters < 2048);
    use Opcode::*;
    let mut code = vec![
        word(LUI, 5, 0, DATA_PAGE.into(), true), // x5 = DATA_PAGE
        word(ADDI, 1, 0, iters.into(), true),    // x1 = iters
        word(ADDI, 2, 0, 3, true),
    ];
    let body = [
        word(ADD, 4, 2, 1, false),
        word(MUL, 2, 4, 4, false),
        word(MULHU, 3, 4, 2, false),
        word(XOR, 6, 2, 1, false),
        word(DIVU, 7, 6, 1, false),
        word(REMU, 8, 6, 1, false),
        word(DIV, 13, 3, 1, false),
        word(SW, 7, 5, 0x320, true),
        word(LW, 9, 5, 0x320, true),
        word(SB, 2, 5, 0x325, true),
        word(LBU, 14, 5, 0x325, true),
        word(SD, 2, 5, 0x328, true),
        word(LD, 15, 5, 0x328, true),
        word(SRL, 10, 9, 8, false),
        word(SRA, 16, 3, 8, false),
        word(SLL, 17, 6, 8, false),
        word(SLTU, 11, 10, 2, false),
        word(SUBW, 18, 15, 14, false),
        word(OR, 19, 17, 16, false),
        word(AND, 20, 19, 18, false),
        word(ADDI, 1, 1, -1, true),
    ];
    code.extend(body);
    code.push(word(BNE, 1, 0, -(body.len() as i64 * 4), true)); // back to the loop's start while x1 != 0
    let digest: [u8; 32] = Sha256::digest([]).into();
    for (w, bytes) in digest.chunks(4).enumerate() {
        code.extend(syscall(COMMIT, w as u32, u32::from_le_bytes(bytes.try_into().unwrap())));
    }
    for w in 0..8 {
        code.extend(syscall(COMMIT_DEFERRED_PROOFS, w, 0));
    }
    code.extend(syscall(HALT, 0, 0));
    code
}

/// The cycles `program(iters)` runs: three instructions before the loop, 22 in it, then 17
/// syscalls of 10 instructions each.
pub fn cycles(iters: u16) -> u64 {
    3 + 22 * u64::from(iters) + 17 * 10
}

/// `code` as a little-endian ELF64 RISC-V executable with one `PT_LOAD` (R+X) segment at
/// [`BASE`], entered at its first instruction.
pub fn elf(code: &[u32]) -> Vec<u8> {
    const EHDR: usize = 64;
    const PHDR: usize = 56;
    const TEXT: usize = 128; // file offset of the code: a multiple of the segment's alignment
    let text_len = (4 * code.len()) as u64;
    let mut out = Vec::with_capacity(TEXT + 4 * code.len());
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]); // ELF64, little-endian, v1, SysV
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    out.extend_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    out.extend_from_slice(&BASE.to_le_bytes()); // e_entry
    out.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff: no section headers
    out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    out.extend_from_slice(&(EHDR as u16).to_le_bytes());
    out.extend_from_slice(&(PHDR as u16).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out.extend_from_slice(&[0; 4]); // e_shnum, e_shstrndx
    assert_eq!(out.len(), EHDR);
    out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    out.extend_from_slice(&5u32.to_le_bytes()); // PF_R | PF_X
    out.extend_from_slice(&(TEXT as u64).to_le_bytes()); // p_offset
    out.extend_from_slice(&BASE.to_le_bytes()); // p_vaddr
    out.extend_from_slice(&BASE.to_le_bytes()); // p_paddr
    out.extend_from_slice(&text_len.to_le_bytes()); // p_filesz
    out.extend_from_slice(&text_len.to_le_bytes()); // p_memsz
    out.extend_from_slice(&4u64.to_le_bytes()); // p_align
    out.resize(TEXT, 0);
    for word in code {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out
}
