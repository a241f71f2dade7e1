// Host emulation of the CUDA execution model, for compiling kernels as plain C++ (CHK_EMU).
//
// One GPU thread = one fiber; the fibers of a block run on one OS thread, blocks spread over
// OS threads. Barriers and warp operations are scheduling points: a fiber that reaches one
// parks until its peers arrive, so every interleaving the emulator produces is one a GPU could
// produce, and misuse (divergent barriers, bad masks, lanes at different warp ops) is reported
// as an error instead of hanging. See kernels/emu/emu_runtime.cpp.
#pragma once
#ifndef CHK_EMU
#error "cuda_emu.h is only for the host (emulator) build of the kernels"
#endif

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

// ---- CUDA keywords -------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __constant__
#define __restrict__ __restrict
#define __launch_bounds__(...)
// Static shared memory: one copy per OS thread, and a block runs on one OS thread.
#define __shared__ static thread_local
#define __align__(n) alignas(n)

struct uint3 {
  unsigned x, y, z;
};
// Vector types: one 64- or 128-bit access on a GPU.
struct alignas(8) uint2 {
  unsigned x, y;
};
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_emu {

uint3 thread_idx();
uint3 block_idx();
dim3 block_dim();
dim3 grid_dim();
void* dynamic_shared();

enum WarpOpKind : uint32_t {
  WARP_SHFL_IDX,
  WARP_SHFL_UP,
  WARP_SHFL_DOWN,
  WARP_SHFL_XOR,
  WARP_BALLOT,
  WARP_ANY,
  WARP_ALL,
  WARP_SYNC,
};
const char* warp_op_name(uint32_t kind);

// Parks the calling fiber until every live thread of the block arrives (at the same site).
void syncthreads(const char* file, int line);
// Deposits `value`, waits for the lanes of `mask`, returns what the op gives this lane.
uint64_t warp_op(uint32_t kind, uint32_t mask, uint64_t value, int arg, int width,
                 const char* file, int line);

// Calls a kernel with arguments laid out as cuLaunchKernel's kernelParams. In the profile build
// the copies of the arguments are not memory traffic (a GPU has them in its constant bank).
#if defined(CHK_EMU_PROFILE)
#define CHK_EMU_NOT_PROFILED __attribute__((no_sanitize_thread))
#else
#define CHK_EMU_NOT_PROFILED
#endif
template <class... A, size_t... I>
CHK_EMU_NOT_PROFILED inline void invoke_impl(void (*f)(A...), void** args, std::index_sequence<I...>) {
  f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}
template <class... A>
inline void invoke(void (*f)(A...), void** args) {
  invoke_impl(f, args, std::index_sequence_for<A...>{});
}

template <class T>
inline uint64_t to_bits(T v) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "warp op on a type over 8 bytes");
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof(T));
  return b;
}
template <class T>
inline T from_bits(uint64_t b) {
  T v;
  std::memcpy(&v, &b, sizeof(T));
  return v;
}

}  // namespace cuda_emu

// The thunk build.rs appends after each kernel: a type-erased launcher found by name.
#define CHK_EMU_THUNK(kernel) \
  extern "C" void kernel##__chk_emu_thunk(void** args) { ::cuda_emu::invoke(&kernel, args); }

#define threadIdx (::cuda_emu::thread_idx())
#define blockIdx (::cuda_emu::block_idx())
#define blockDim (::cuda_emu::block_dim())
#define gridDim (::cuda_emu::grid_dim())
#define warpSize 32

// ---- synchronisation -------------------------------------------------------------------------
inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  ::cuda_emu::syncthreads(file, line);
}
inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(),
                       int line = __builtin_LINE()) {
  ::cuda_emu::warp_op(::cuda_emu::WARP_SYNC, mask, 0, 0, 32, file, line);
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

#define CHK_EMU_SHFL(name, kind)                                                                \
  template <class T>                                                                            \
  inline T name(unsigned mask, T var, int arg, int width = 32,                                  \
                const char* file = __builtin_FILE(), int line = __builtin_LINE()) {             \
    return ::cuda_emu::from_bits<T>(                                                            \
        ::cuda_emu::warp_op(kind, mask, ::cuda_emu::to_bits(var), arg, width, file, line));     \
  }
CHK_EMU_SHFL(__shfl_sync, ::cuda_emu::WARP_SHFL_IDX)
CHK_EMU_SHFL(__shfl_up_sync, ::cuda_emu::WARP_SHFL_UP)
CHK_EMU_SHFL(__shfl_down_sync, ::cuda_emu::WARP_SHFL_DOWN)
CHK_EMU_SHFL(__shfl_xor_sync, ::cuda_emu::WARP_SHFL_XOR)
#undef CHK_EMU_SHFL

inline unsigned __ballot_sync(unsigned mask, int pred, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  return (unsigned)::cuda_emu::warp_op(::cuda_emu::WARP_BALLOT, mask, pred != 0, 0, 32, file, line);
}
inline int __any_sync(unsigned mask, int pred, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return (int)::cuda_emu::warp_op(::cuda_emu::WARP_ANY, mask, pred != 0, 0, 32, file, line);
}
inline int __all_sync(unsigned mask, int pred, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return (int)::cuda_emu::warp_op(::cuda_emu::WARP_ALL, mask, pred != 0, 0, 32, file, line);
}

// ---- atomics: blocks run on different OS threads, so these are real atomics ------------------
#define CHK_EMU_ATOMIC_RMW(name, builtin)                                   \
  inline int name(int* p, int v) { return builtin(p, v, __ATOMIC_SEQ_CST); } \
  inline unsigned name(unsigned* p, unsigned v) { return builtin(p, v, __ATOMIC_SEQ_CST); } \
  inline unsigned long long name(unsigned long long* p, unsigned long long v) { \
    return builtin(p, v, __ATOMIC_SEQ_CST);                                 \
  }
CHK_EMU_ATOMIC_RMW(atomicAdd, __atomic_fetch_add)
CHK_EMU_ATOMIC_RMW(atomicSub, __atomic_fetch_sub)
CHK_EMU_ATOMIC_RMW(atomicAnd, __atomic_fetch_and)
CHK_EMU_ATOMIC_RMW(atomicOr, __atomic_fetch_or)
CHK_EMU_ATOMIC_RMW(atomicXor, __atomic_fetch_xor)
CHK_EMU_ATOMIC_RMW(atomicExch, __atomic_exchange_n)
#undef CHK_EMU_ATOMIC_RMW

template <class T>
inline T atomicCAS(T* p, T compare, T val) {
  static_assert(std::is_integral<T>::value, "atomicCAS on integers only");
  __atomic_compare_exchange_n(p, &compare, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return compare;  // the old value, whether or not the swap happened
}
template <class T>
inline T atomicMin(T* p, T v) {
  T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (v < old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
  return old;
}
template <class T>
inline T atomicMax(T* p, T v) {
  T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (v > old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
  return old;
}

// ---- integer intrinsics ----------------------------------------------------------------------
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline int __mulhi(int a, int b) { return (int)(((int64_t)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
  return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
inline unsigned long long __brevll(unsigned long long x) {
  return ((unsigned long long)__brev((unsigned)x) << 32) | __brev((unsigned)(x >> 32));
}
// Funnel shifts: the 64-bit value hi:lo shifted, high (l) or low (r) word kept.
inline unsigned __funnelshift_l(unsigned lo, unsigned hi, unsigned s) {
  uint64_t v = ((uint64_t)hi << 32) | lo;
  return (unsigned)((v << (s & 31)) >> 32);
}
inline unsigned __funnelshift_lc(unsigned lo, unsigned hi, unsigned s) {
  uint64_t v = ((uint64_t)hi << 32) | lo;
  return (unsigned)((v << (s > 32 ? 32 : s)) >> 32);
}
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned s) {
  uint64_t v = ((uint64_t)hi << 32) | lo;
  return (unsigned)(v >> (s & 31));
}
inline unsigned __funnelshift_rc(unsigned lo, unsigned hi, unsigned s) {
  uint64_t v = ((uint64_t)hi << 32) | lo;
  return (unsigned)(v >> (s > 32 ? 32 : s));
}
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
  uint64_t v = ((uint64_t)y << 32) | x;
  unsigned r = 0;
  for (int i = 0; i < 4; i++) r |= (unsigned)((v >> (((s >> (4 * i)) & 7) * 8)) & 0xff) << (8 * i);
  return r;
}

// CUDA's device min/max; one type only (cast mixed operands explicitly, as nvcc would need).
template <class T>
inline T min(T a, T b) { return b < a ? b : a; }
template <class T>
inline T max(T a, T b) { return a < b ? b : a; }
