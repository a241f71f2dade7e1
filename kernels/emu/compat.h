// What kernel sources include first: one spelling for nvcc and for the emulator build.
#pragma once

#if defined(CHK_EMU)
#include "emu/cuda_emu.h"
// `#define __noinline__` would break libstdc++ (it uses __attribute__((__noinline__))).
#define CHK_NOINLINE __attribute__((noinline))
#define DYN_SHARED(T, name) T* name = reinterpret_cast<T*>(::cuda_emu::dynamic_shared())
// Full unrolling (constant indices into kernel parameters stay constant-bank loads on a GPU).
#if defined(CHK_EMU_NO_UNROLL)
#define CHK_UNROLL
#else
#define CHK_UNROLL _Pragma("GCC unroll 64")
#endif
#define CHK_NO_UNROLL _Pragma("GCC unroll 1")
// A permutation's round loops stay loops here: unrolled (with their width loops inside), the
// Poseidon2 translation units took GCC over 100 s at -O2, for no speed (a BabyBear-16
// permutation runs 1040 ns either way); a GPU unrolls them (CHK_UNROLL).
#define CHK_UNROLL_ROUNDS CHK_NO_UNROLL
#else
#include <cstdint>
#define CHK_NOINLINE __noinline__
#define CHK_UNROLL _Pragma("unroll")
// Keeps one copy of a big body (e.g. a permutation) in a short loop: fewer registers.
#define CHK_NO_UNROLL _Pragma("unroll 1")
#define CHK_UNROLL_ROUNDS CHK_UNROLL
#define DYN_SHARED(T, name)                                 \
  extern __shared__ __align__(16) unsigned char chk_dyn_smem_[]; \
  T* name = reinterpret_cast<T*>(chk_dyn_smem_)
#endif

// Field operations the emulator's profile build counts (kernels/emu/profile.h): its roofline
// estimate multiplies them by each one's SASS cost. Nothing in other builds.
enum chk_profile_op : unsigned { CHK_OP_MONT31_MUL, CHK_OP_MONT31_ADD, CHK_OP_MONT256_MUL, CHK_OP_MONT256_ADD };
#if defined(CHK_EMU_PROFILE)
extern "C" void chk_emu_profile_op(unsigned op);
#define CHK_PROFILE_OP(op) chk_emu_profile_op(op)
#else
#define CHK_PROFILE_OP(op) ((void)0)
#endif

// Math helpers: callable from kernels and from host code (the emulator's and tests').
#define CHK_HD __host__ __device__ __forceinline__

// Global thread index as 64 bits: grids may cover more than 2^31 elements.
#define CHK_GLOBAL_TID() ((uint64_t)blockIdx.x * blockDim.x + threadIdx.x)
#define CHK_GRID_STRIDE() ((uint64_t)gridDim.x * blockDim.x)
