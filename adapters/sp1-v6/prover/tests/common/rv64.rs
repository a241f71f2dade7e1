//! A RISC-V (RV64IM) program as the ELF file that SP1 v6's node takes: machine code from the
//! base ISA's encodings, one read+execute `PT_LOAD` segment at SP1's lowest program address
//! (`STACK_TOP`, 0x7800_0000). No toolchain for SP1's target is needed, and the executor's own
//! ELF loader and transpiler read it as they read a compiled guest.

use sha2::{Digest, Sha256};

/// Where the code is loaded and starts (SP1 refuses segments below its stack top).
const BASE: u64 = 0x7800_0000;
/// Where the loop's loads and stores go: `lui` of this, then 12-bit offsets.
const DATA_PAGE: u32 = 0x2765_4000;

const OP: u32 = 0x33;
const OP_32: u32 = 0x3b;
const OP_IMM: u32 = 0x13;
const LOAD: u32 = 0x03;
const STORE: u32 = 0x23;
const BRANCH: u32 = 0x63;
const LUI: u32 = 0x37;
const OP_IMM_32: u32 = 0x1b;
const SYSTEM: u32 = 0x73; // ecall

// SP1's syscall codes (sp1_core_executor::SyscallCode).
const HALT: u32 = 0x00;
const COMMIT: u32 = 0x10;
const COMMIT_DEFERRED_PROOFS: u32 = 0x1a;

fn r(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}
fn i(imm: i32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    assert!((-2048..2048).contains(&imm));
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}
fn s(imm: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    assert!((-2048..2048).contains(&imm));
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1f) << 7 | STORE
}
fn b(offset: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    assert!((-4096..4096).contains(&offset) && offset % 2 == 0);
    let o = offset as u32;
    (o >> 12 & 1) << 31
        | (o >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | funct3 << 12
        | (o >> 1 & 0xf) << 8
        | (o >> 11 & 1) << 7
        | BRANCH
}

/// `rd = value`, zero-extended (`lui` and `addiw` sign-extend on RV64).
fn load_u32(rd: u32, value: u32) -> [u32; 4] {
    let lo = ((value << 20) as i32) >> 20; // the low 12 bits, sign-extended as addiw adds them
    let hi = value.wrapping_sub(lo as u32) & 0xffff_f000;
    [
        LUI | rd << 7 | hi,
        i(lo, rd, 0, rd, OP_IMM_32), // addiw rd, rd, lo
        i(32, rd, 1, rd, OP_IMM),    // slli  rd, rd, 32
        i(32, rd, 5, rd, OP_IMM),    // srli  rd, rd, 32
    ]
}

/// `ecall` of syscall `code` (in t0) with arguments a0 and a1, as SP1's guest library makes it.
fn syscall(code: u32, a0: u32, a1: u32) -> Vec<u32> {
    let mut out = vec![i(code as i32, 0, 0, 5, OP_IMM)]; // addi t0, x0, code
    out.extend(load_u32(10, a0));
    out.extend(load_u32(11, a1));
    out.push(SYSTEM);
    out
}

/// A loop of `iters` iterations over the ALU (64- and 32-bit), mul/div/rem, byte/word/double
/// loads and stores and a backward branch; then what SP1's guest library does at exit: `COMMIT`
/// each word of the public values' digest (SHA-256 of none), `COMMIT_DEFERRED_PROOFS` each word
/// of the deferred proofs' digest (zero: none) and `HALT` with exit code 0, each an `ecall`.
pub fn program(iters: u16) -> Vec<u32> {
    assert!(iters > 0 && iters < 2048);
    let mut code = vec![
        LUI | 5 << 7 | DATA_PAGE,         // lui  x5, DATA_PAGE
        i(iters as i32, 0, 0, 1, OP_IMM), // addi x1, x0, iters
        i(3, 0, 0, 2, OP_IMM),            // addi x2, x0, 3
    ];
    let body = [
        r(0x00, 1, 2, 0, 4, OP),       // add   x4, x2, x1
        r(0x01, 4, 4, 0, 2, OP),       // mul   x2, x4, x4
        r(0x01, 2, 4, 3, 3, OP),       // mulhu x3, x4, x2
        r(0x00, 1, 2, 4, 6, OP),       // xor   x6, x2, x1
        r(0x01, 1, 6, 5, 7, OP),       // divu  x7, x6, x1
        r(0x01, 1, 6, 7, 8, OP),       // remu  x8, x6, x1
        r(0x01, 1, 3, 4, 13, OP),      // div   x13, x3, x1
        s(0x320, 7, 5, 2),             // sw    x7, 0x320(x5)
        i(0x320, 5, 2, 9, LOAD),       // lw    x9, 0x320(x5)
        s(0x325, 2, 5, 0),             // sb    x2, 0x325(x5)
        i(0x325, 5, 4, 14, LOAD),      // lbu   x14, 0x325(x5)
        s(0x328, 2, 5, 3),             // sd    x2, 0x328(x5)
        i(0x328, 5, 3, 15, LOAD),      // ld    x15, 0x328(x5)
        r(0x00, 8, 9, 5, 10, OP),      // srl   x10, x9, x8
        r(0x20, 8, 3, 5, 16, OP),      // sra   x16, x3, x8
        r(0x00, 8, 6, 1, 17, OP),      // sll   x17, x6, x8
        r(0x00, 2, 10, 3, 11, OP),     // sltu  x11, x10, x2
        r(0x20, 14, 15, 0, 18, OP_32), // subw  x18, x15, x14
        r(0x00, 16, 17, 6, 19, OP),    // or    x19, x17, x16
        r(0x00, 18, 19, 7, 20, OP),    // and   x20, x19, x18
        i(-1, 1, 0, 1, OP_IMM),        // addi  x1, x1, -1
    ];
    code.extend(body);
    code.push(b(-(body.len() as i32 * 4), 0, 1, 1)); // bne x1, x0, loop
    let digest: [u8; 32] = Sha256::digest([]).into();
    for (w, word) in digest.chunks(4).enumerate() {
        code.extend(syscall(COMMIT, w as u32, u32::from_le_bytes(word.try_into().unwrap())));
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
