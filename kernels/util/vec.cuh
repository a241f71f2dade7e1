// 128-bit loads and stores of 4-byte field elements: one instruction moves four, so a thread that
// walks its own row or state issues a quarter of the requests (the emulator's profile counts them).
// `p` must be 16-byte aligned.
#pragma once
#include "emu/compat.h"

#if !defined(__CUDA_ARCH__)
#include <cstring>
#endif

template <class F>
CHK_HD void chk_load4(const F* p, F* out) {
  static_assert(sizeof(F) == 4, "four 4-byte elements in 16 bytes");
#if defined(__CUDA_ARCH__)
  const uint4 v = *reinterpret_cast<const uint4*>(p);
#else
  uint4 v;
  std::memcpy(&v, p, 16);  // no aliasing through another type on the host
#endif
  out[0] = F::from_mont(v.x);
  out[1] = F::from_mont(v.y);
  out[2] = F::from_mont(v.z);
  out[3] = F::from_mont(v.w);
}

template <class F>
CHK_HD void chk_store4(F* p, const F* in) {
  static_assert(sizeof(F) == 4, "four 4-byte elements in 16 bytes");
  uint4 v;
  v.x = in[0].v;
  v.y = in[1].v;
  v.z = in[2].v;
  v.w = in[3].v;
#if defined(__CUDA_ARCH__)
  *reinterpret_cast<uint4*>(p) = v;
#else
  std::memcpy(p, &v, 16);
#endif
}

// N elements (a multiple of 4) from/to 16-byte aligned p.
template <int N, class F>
CHK_HD void chk_load_vec(const F* p, F* out) {
  static_assert(N % 4 == 0, "whole 16-byte pieces");
  CHK_UNROLL
  for (int j = 0; j < N; j += 4) chk_load4(p + j, out + j);
}
template <int N, class F>
CHK_HD void chk_store_vec(F* p, const F* in) {
  static_assert(N % 4 == 0, "whole 16-byte pieces");
  CHK_UNROLL
  for (int j = 0; j < N; j += 4) chk_store4(p + j, in + j);
}
