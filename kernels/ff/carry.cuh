// 32-bit carry chains: the leaf helpers of mont256's product. On a GPU each call is one PTX
// instruction that reads and writes the carry flag (ptxas fuses a mad.lo/madc.hi pair of the same
// operands into one IMAD.WIDE.U32.X); the portable twin keeps the flag in `cf`, so the emulator
// runs the same algorithm step for step. CHK_CARRY_PORTABLE selects the twin on a GPU too, so a
// GPU run can compare both paths.
//
// The flag lives in the GPU's condition register between calls: a chain must be a straight run
// of these calls (nothing else that could set the flag in between: plain C arithmetic between two
// calls of one chain is not allowed).
#pragma once
#include "emu/compat.h"

#if defined(CHK_CARRY_PORTABLE)
#define CHK_CARRY_PTX 0
#elif defined(__CUDA_ARCH__)
#define CHK_CARRY_PTX 1
#else
#define CHK_CARRY_PTX 0
#endif

struct chk_carry {
#if !CHK_CARRY_PTX
  uint32_t cf = 0;
#endif

#if defined(__CUDA_ARCH__) && CHK_CARRY_PTX
#define CHK_CC3(op, d, a, b, c) asm volatile(op " %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c))
#define CHK_CC2(op, d, a, b) asm volatile(op " %0, %1, %2;" : "=r"(d) : "r"(a), "r"(b))
  // d = lo(a b) + c, carry out
  __device__ __forceinline__ uint32_t mad_lo(uint32_t a, uint32_t b, uint32_t c) { uint32_t d; CHK_CC3("mad.lo.cc.u32", d, a, b, c); return d; }
  // d = lo(a b) + c + carry, carry out
  __device__ __forceinline__ uint32_t madc_lo(uint32_t a, uint32_t b, uint32_t c) { uint32_t d; CHK_CC3("madc.lo.cc.u32", d, a, b, c); return d; }
  // d = hi(a b) + c + carry, carry out
  __device__ __forceinline__ uint32_t madc_hi(uint32_t a, uint32_t b, uint32_t c) { uint32_t d; CHK_CC3("madc.hi.cc.u32", d, a, b, c); return d; }
  // d = hi(a b) + c + carry, end of the chain (the caller knows it cannot carry out)
  __device__ __forceinline__ uint32_t madc_hi_end(uint32_t a, uint32_t b, uint32_t c) { uint32_t d; CHK_CC3("madc.hi.u32", d, a, b, c); return d; }
  __device__ __forceinline__ uint32_t add(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("add.cc.u32", d, a, b); return d; }
  __device__ __forceinline__ uint32_t addc(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("addc.cc.u32", d, a, b); return d; }
  __device__ __forceinline__ uint32_t addc_end(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("addc.u32", d, a, b); return d; }
  // d = a - b, borrow out; then d = a - b - borrow
  __device__ __forceinline__ uint32_t sub(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("sub.cc.u32", d, a, b); return d; }
  __device__ __forceinline__ uint32_t subc(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("subc.cc.u32", d, a, b); return d; }
  __device__ __forceinline__ uint32_t subc_end(uint32_t a, uint32_t b) { uint32_t d; CHK_CC2("subc.u32", d, a, b); return d; }
#undef CHK_CC3
#undef CHK_CC2
#else
  CHK_HD uint32_t put(uint64_t s) {
    cf = (uint32_t)(s >> 32);
    return (uint32_t)s;
  }
  CHK_HD uint32_t mad_lo(uint32_t a, uint32_t b, uint32_t c) { return put((uint64_t)(uint32_t)((uint64_t)a * b) + c); }
  CHK_HD uint32_t madc_lo(uint32_t a, uint32_t b, uint32_t c) { return put((uint64_t)(uint32_t)((uint64_t)a * b) + c + cf); }
  CHK_HD uint32_t madc_hi(uint32_t a, uint32_t b, uint32_t c) { return put((((uint64_t)a * b) >> 32) + c + cf); }
  CHK_HD uint32_t madc_hi_end(uint32_t a, uint32_t b, uint32_t c) { return (uint32_t)((((uint64_t)a * b) >> 32) + c + cf); }
  CHK_HD uint32_t add(uint32_t a, uint32_t b) { return put((uint64_t)a + b); }
  CHK_HD uint32_t addc(uint32_t a, uint32_t b) { return put((uint64_t)a + b + cf); }
  CHK_HD uint32_t addc_end(uint32_t a, uint32_t b) { return a + b + cf; }
  CHK_HD uint32_t sub(uint32_t a, uint32_t b) {
    cf = a < b;
    return a - b;
  }
  CHK_HD uint32_t subc(uint32_t a, uint32_t b) {
    const uint64_t d = (uint64_t)a - b - cf;
    cf = (uint32_t)(d >> 63);
    return (uint32_t)d;
  }
  CHK_HD uint32_t subc_end(uint32_t a, uint32_t b) { return a - b - cf; }
#endif
};
