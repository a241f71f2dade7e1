// Entry points for element-wise field arithmetic on every field cherenkov supports.
#include "ff/ops.cuh"

extern "C" __global__ void chk_ff_babybear_ops(uint32_t op, const babybear_t* a, const babybear_t* b,
                                               babybear_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_koalabear_ops(uint32_t op, const koalabear_t* a, const koalabear_t* b,
                                                koalabear_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_babybear4_ops(uint32_t op, const babybear4_t* a, const babybear4_t* b,
                                                babybear4_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_koalabear4_ops(uint32_t op, const koalabear4_t* a, const koalabear4_t* b,
                                                 koalabear4_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_bn254_fr_ops(uint32_t op, const bn254_fr_t* a, const bn254_fr_t* b,
                                               bn254_fr_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_bn254_fq_ops(uint32_t op, const bn254_fq_t* a, const bn254_fq_t* b,
                                               bn254_fq_t* out, uint64_t n) {
  ff_ops(op, a, b, out, n);
}
extern "C" __global__ void chk_ff_babybear_convert(uint32_t to_mont, const uint32_t* in, uint32_t* out,
                                                   uint64_t n) {
  ff_convert<babybear_t>(to_mont, in, out, n);
}
extern "C" __global__ void chk_ff_koalabear_convert(uint32_t to_mont, const uint32_t* in, uint32_t* out,
                                                    uint64_t n) {
  ff_convert<koalabear_t>(to_mont, in, out, n);
}

// Product chains for the SASS figures of one product (ff_mul_chain); tested like the ops.
extern "C" __global__ void chk_ff_babybear_mul_chain1(const babybear_t* in, babybear_t* out) { ff_mul_chain<babybear_t, 1>(in, out); }
extern "C" __global__ void chk_ff_babybear_mul_chain17(const babybear_t* in, babybear_t* out) { ff_mul_chain<babybear_t, 17>(in, out); }
extern "C" __global__ void chk_ff_koalabear_mul_chain1(const koalabear_t* in, koalabear_t* out) { ff_mul_chain<koalabear_t, 1>(in, out); }
extern "C" __global__ void chk_ff_koalabear_mul_chain17(const koalabear_t* in, koalabear_t* out) { ff_mul_chain<koalabear_t, 17>(in, out); }
extern "C" __global__ void chk_ff_bn254_fr_mul_chain1(const bn254_fr_t* in, bn254_fr_t* out) { ff_mul_chain<bn254_fr_t, 1>(in, out); }
extern "C" __global__ void chk_ff_bn254_fr_mul_chain17(const bn254_fr_t* in, bn254_fr_t* out) { ff_mul_chain<bn254_fr_t, 17>(in, out); }
extern "C" __global__ void chk_ff_bn254_fq_mul_chain1(const bn254_fq_t* in, bn254_fq_t* out) { ff_mul_chain<bn254_fq_t, 1>(in, out); }
extern "C" __global__ void chk_ff_bn254_fq_mul_chain17(const bn254_fq_t* in, bn254_fq_t* out) { ff_mul_chain<bn254_fq_t, 17>(in, out); }
extern "C" __global__ void chk_ff_bn254_fr_mul_chain32(const bn254_fr_t* a, const bn254_fr_t* b, bn254_fr_t* out, uint64_t n) { ff_mul_chain32(a, b, out, n); }
extern "C" __global__ void chk_ff_bn254_fq_mul_chain32(const bn254_fq_t* a, const bn254_fq_t* b, bn254_fq_t* out, uint64_t n) { ff_mul_chain32(a, b, out, n); }

// Sum chains for the SASS figures of one addition (ff_add_chain); tested like the products.
extern "C" __global__ void chk_ff_babybear_add_chain1(const babybear_t* in, babybear_t* out) { ff_add_chain<babybear_t, 1>(in, out); }
extern "C" __global__ void chk_ff_babybear_add_chain17(const babybear_t* in, babybear_t* out) { ff_add_chain<babybear_t, 17>(in, out); }
extern "C" __global__ void chk_ff_koalabear_add_chain1(const koalabear_t* in, koalabear_t* out) { ff_add_chain<koalabear_t, 1>(in, out); }
extern "C" __global__ void chk_ff_koalabear_add_chain17(const koalabear_t* in, koalabear_t* out) { ff_add_chain<koalabear_t, 17>(in, out); }
extern "C" __global__ void chk_ff_bn254_fr_add_chain1(const bn254_fr_t* in, bn254_fr_t* out) { ff_add_chain<bn254_fr_t, 1>(in, out); }
extern "C" __global__ void chk_ff_bn254_fr_add_chain17(const bn254_fr_t* in, bn254_fr_t* out) { ff_add_chain<bn254_fr_t, 17>(in, out); }
extern "C" __global__ void chk_ff_bn254_fq_add_chain1(const bn254_fq_t* in, bn254_fq_t* out) { ff_add_chain<bn254_fq_t, 1>(in, out); }
extern "C" __global__ void chk_ff_bn254_fq_add_chain17(const bn254_fq_t* in, bn254_fq_t* out) { ff_add_chain<bn254_fq_t, 17>(in, out); }
