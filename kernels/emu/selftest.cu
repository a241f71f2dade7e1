// Kernels that exercise the execution model itself: barriers, shared memory, warp operations,
// atomics and intrinsics, plus deliberately broken kernels that the emulator must reject.
// They compile with nvcc like every kernel, so the same semantics are checkable on a GPU.
#include "emu/compat.h"

// Tree reduction in static shared memory: one sum (mod 2^32) per block. blockDim.x = 256.
// chk:smem=1024
extern "C" __global__ void chk_selftest_block_sum(const uint32_t* in, uint32_t* out, uint64_t n) {
  __shared__ uint32_t s[256];
  const uint32_t t = threadIdx.x;
  const uint64_t i = CHK_GLOBAL_TID();
  s[t] = i < n ? in[i] : 0;
  __syncthreads();
  for (uint32_t half = blockDim.x / 2; half > 0; half /= 2) {
    if (t < half) s[t] += s[t + half];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = s[0];
}

// Every warp primitive, 13 results per thread. blockDim.x is a multiple of 32.
extern "C" __global__ void chk_selftest_warp_ops(const uint32_t* in, uint32_t* out) {
  const uint64_t i = CHK_GLOBAL_TID();
  const uint32_t v = in[i];
  const unsigned full = 0xffffffffu;
  uint32_t* o = out + i * 13;
  o[0] = __shfl_sync(full, v, 5);
  o[1] = __shfl_sync(full, v, (int)(threadIdx.x * 7 + 3) & 31, 8);
  o[2] = __shfl_up_sync(full, v, 3);
  o[3] = __shfl_up_sync(full, v, 2, 8);
  o[4] = __shfl_down_sync(full, v, 4);
  o[5] = __shfl_down_sync(full, v, 1, 16);
  o[6] = __shfl_xor_sync(full, v, 1);
  o[7] = __shfl_xor_sync(full, v, 12, 16);
  o[8] = __ballot_sync(full, v & 1);
  o[9] = (uint32_t)__any_sync(full, v % 7 == 0);
  o[10] = (uint32_t)__all_sync(full, v != 0);
  // 64-bit shuffle and a half-warp mask: lanes 0-15 and 16-31 shuffle separately.
  const unsigned half = (threadIdx.x & 16) ? 0xffff0000u : 0x0000ffffu;
  const uint64_t wide = ((uint64_t)v << 32) | (v ^ 0x5a5a5a5au);
  const uint64_t got = __shfl_sync(half, wide, (int)(threadIdx.x & 16) + 2);
  o[11] = (uint32_t)(got >> 32) + 3u * (uint32_t)got;
  o[12] = __ballot_sync(half, v & 2);
}

// Neighbour exchange through shared memory ordered by __syncwarp only.
// chk:smem=256
extern "C" __global__ void chk_selftest_syncwarp(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t s[64];
  const uint32_t t = threadIdx.x;
  s[t] = in[CHK_GLOBAL_TID()];
  __syncwarp();
  out[CHK_GLOBAL_TID()] = s[(t & ~31u) | ((t + 1) & 31u)];
}

// Reverses each block's slice through dynamic shared memory.
extern "C" __global__ void chk_selftest_dyn_shared(const uint64_t* in, uint64_t* out) {
  DYN_SHARED(uint64_t, s);
  const uint32_t t = threadIdx.x;
  s[t] = in[CHK_GLOBAL_TID()];
  __syncthreads();
  out[CHK_GLOBAL_TID()] = s[blockDim.x - 1 - t];
}

// Cross-block atomics: counters[0] += 1 per thread, [1] = max, [2] = min, [3] via CAS loop,
// [4] xor of all values; sum64 accumulates 64-bit.
extern "C" __global__ void chk_selftest_atomics(const uint32_t* in, uint64_t n, uint32_t* counters,
                                                unsigned long long* sum64) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) {
    const uint32_t v = in[i];
    atomicAdd(&counters[0], 1u);
    atomicMax(&counters[1], v);
    atomicMin(&counters[2], v);
    // The first read is atomic too: a plain load here races with other blocks' CAS
    // (ThreadSanitizer reported exactly that when this was `counters[3]`).
    uint32_t old = atomicAdd(&counters[3], 0u), assumed;
    do {
      assumed = old;
      old = atomicCAS(&counters[3], assumed, assumed + (v & 0xff));
    } while (old != assumed);
    atomicXor(&counters[4], v);
    atomicAdd(sum64, (unsigned long long)v * v);
  }
}

// Integer intrinsics, 12 results per input pair.
extern "C" __global__ void chk_selftest_intrinsics(const uint64_t* a, const uint64_t* b, uint64_t* out,
                                                   uint64_t n) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) {
    const uint64_t x = a[i], y = b[i];
    const uint32_t xl = (uint32_t)x, yl = (uint32_t)y;
    uint64_t* o = out + i * 12;
    o[0] = __umulhi(xl, yl);
    o[1] = __umul64hi(x, y);
    o[2] = (uint64_t)__mul64hi((long long)x, (long long)y);
    o[3] = (uint64_t)__popc(xl);
    o[4] = (uint64_t)__popcll(x);
    o[5] = (uint64_t)__clz((int)xl);
    o[6] = (uint64_t)__clzll((long long)x);
    o[7] = __brev(xl);
    o[8] = __brevll(x);
    o[9] = __funnelshift_l(xl, yl, (uint32_t)(y >> 32));
    o[10] = __funnelshift_r(xl, yl, (uint32_t)(y >> 32));
    o[11] = __byte_perm(xl, yl, (uint32_t)(x >> 32));
  }
}

// ---- deliberately broken kernels: each must be rejected with a precise error ----------------

// Data race: every thread writes s before the barrier; the value read depends on the order.
// chk:smem=16
extern "C" __global__ void chk_selftest_racy(uint32_t* out) {
  __shared__ uint32_t s;
  s = threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = s;
}

// Half the block waits at one barrier, half at another.
extern "C" __global__ void chk_selftest_bad_divergent_barrier(uint32_t* out) {
  if (threadIdx.x < blockDim.x / 2) {
    __syncthreads();
  } else {
    __syncthreads();
  }
  out[threadIdx.x] = 1;
}

// Thread 0 exits before a barrier the others wait at.
extern "C" __global__ void chk_selftest_bad_exit_before_barrier(uint32_t* out) {
  if (threadIdx.x == 0) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

// A lane calls a shuffle with a mask that leaves itself out.
extern "C" __global__ void chk_selftest_bad_warp_mask(uint32_t* out) {
  const unsigned mask = threadIdx.x == 3 ? 0xfffffff7u : 0xffffffffu;
  out[threadIdx.x] = __shfl_sync(mask, (uint32_t)threadIdx.x, 0);
}

// Even lanes shuffle while odd lanes ballot, all with the full mask.
extern "C" __global__ void chk_selftest_bad_mixed_warp_ops(uint32_t* out) {
  uint32_t r;
  if (threadIdx.x & 1)
    r = __ballot_sync(0xffffffffu, 1);
  else
    r = __shfl_sync(0xffffffffu, (uint32_t)threadIdx.x, 0);
  out[threadIdx.x] = r;
}

// Lane 0 waits for lane 1 in a warp op while lane 1 waits at a block barrier.
extern "C" __global__ void chk_selftest_bad_deadlock(uint32_t* out) {
  uint32_t r = 0;
  if (threadIdx.x == 0) r = __shfl_sync(0x3u, (uint32_t)threadIdx.x, 1);
  if (threadIdx.x != 0) __syncthreads();
  out[threadIdx.x] = r;
}

// Probes of the emulator's access profile (tests/suite/profile.rs): access patterns whose cost on a GPU
// is known from the hardware's rules, so the profiler's scoring can be checked against them.
// Lane i copies the `words` consecutive words at in[i * stride], as one access of 4 * words bytes
// (words = 1, 2 or 4: a 32-, 64- or 128-bit load and store).
extern "C" __global__ void chk_selftest_probe_global(const uint32_t* in, uint32_t* out, uint32_t stride,
                                                      uint32_t words) {
  const uint64_t i = CHK_GLOBAL_TID() * stride;
  if (words == 4) {
    reinterpret_cast<uint4*>(out)[i / 4] = reinterpret_cast<const uint4*>(in)[i / 4];
  } else if (words == 2) {
    reinterpret_cast<uint2*>(out)[i / 2] = reinterpret_cast<const uint2*>(in)[i / 2];
  } else {
    out[i] = in[i];
  }
}

// Lane t stores to and loads from word t * stride of a shared array: a stride of 2^k is a 2^k-way
// bank conflict (up to 32), an odd stride none. One block of 32 threads, stride <= 32.
// chk:smem=4096
extern "C" __global__ void chk_selftest_probe_shared(uint32_t* out, uint32_t stride) {
  __shared__ uint32_t s[1024];
  const uint32_t t = threadIdx.x;
  s[t * stride] = t;
  __syncthreads();
  out[t] = s[t * stride];
}
