// Element-wise field operations: the arithmetic cross-check between kernels and references.
#pragma once
#include "ff/ext4.cuh"
#include "ff/mont256.cuh"

// Must match cherenkov::field::FieldOp.
enum ff_op : uint32_t { FF_ADD, FF_SUB, FF_MUL, FF_SQR, FF_NEG, FF_DBL, FF_INV };

template <class F>
CHK_HD F ff_apply(uint32_t op, const F& a, const F& b) {
  switch (op) {
    case FF_ADD: return a + b;
    case FF_SUB: return a - b;
    case FF_MUL: return a * b;
    case FF_SQR: return a.sqr();
    case FF_NEG: return -a;
    case FF_DBL: return a.dbl();
    case FF_INV: return a.inverse();
    default: return F::zero();
  }
}

template <class F>
__device__ __forceinline__ void ff_ops(uint32_t op, const F* a, const F* b, F* out, uint64_t n) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) out[i] = ff_apply(op, a[i], b[i]);
}

// 31-bit fields only: ordinary <-> Montgomery form, the conversion the C ABI will offer.
template <class F>
__device__ __forceinline__ void ff_convert(uint32_t to_mont, const uint32_t* in, uint32_t* out, uint64_t n) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE())
    out[i] = to_mont ? F::from_canonical(in[i]).v : F::from_mont(in[i]).to_canonical();
}

// x * y^N, the N products one after another: the SASS of N = 17 minus that of N = 1, over 16,
// is what one product costs (`cherenkov info --kernels` prints it per field and architecture).
template <class F, int N>
__device__ __forceinline__ void ff_mul_chain(const F* in, F* out) {
  F x = in[0];
  const F y = in[1];
  CHK_UNROLL
  for (int i = 0; i < N; i++) x = x * y;
  out[0] = x;
}

// x + N y, the N sums one after another: what one addition costs, as for the products (the
// emulator profile's roofline estimate weighs the additions it counts with it).
template <class F, int N>
__device__ __forceinline__ void ff_add_chain(const F* in, F* out) {
  F x = in[0];
  const F y = in[1];
  CHK_UNROLL
  for (int i = 0; i < N; i++) x = x + y;
  out[0] = x;
}

// The 32-bit carry-chain product (mont256_t::mul_chain32) element-wise, on every backend: on a
// GPU it is the `*` of BN254, on the emulator its portable twin, which `*` does not use there.
template <class F>
__device__ __forceinline__ void ff_mul_chain32(const F* a, const F* b, F* out, uint64_t n) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) out[i] = a[i].mul_chain32(b[i]);
}
