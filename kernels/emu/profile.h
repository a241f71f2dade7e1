// The emulator's access profile (CHK_EMU_PROFILE builds only): what one launch's warps ask of
// the memory system, measured on the host.
//
// The profile build compiles the kernels with GCC's ThreadSanitizer instrumentation, which turns
// every load, store and atomic that may touch shared state into a call (`__tsan_read4(addr)`,
// ...). kernels/emu/profile.cpp defines those calls itself (no ThreadSanitizer runtime is
// linked): each one records (call site, address, size) for the emulated thread that runs. At the
// end of a block, the k-th execution of a call site by the lanes of one warp is taken as one
// warp-level instruction (what lockstep execution gives for code that does not diverge), and
// scored like the hardware would: 32-byte sectors per global request, bank-conflict wavefronts
// per shared request. The runtime tells the profiler where shared memory, fiber stacks (local
// memory: registers on a GPU) and the module's own data (constant tables) lie.
#pragma once
#include <cstddef>
#include <cstdint>

extern "C" {
// Must match src/backend/emu_profile.rs. Counts are sums over the sampled blocks.
struct chk_emu_profile {
  uint64_t blocks;          // blocks in the grid
  uint64_t sampled_blocks;  // blocks whose accesses were recorded
  uint64_t threads_per_block;
  // Global memory, per warp-level instruction: requests, 32-byte sectors, bytes the lanes asked for.
  uint64_t global_load_requests, global_load_sectors, global_load_bytes;
  uint64_t global_store_requests, global_store_sectors, global_store_bytes;
  uint64_t global_atomics;         // lane-level atomic operations on global memory
  // Distinct sectors the sampled blocks loaded, and stored: DRAM traffic if L2 kept every sector
  // once loaded (a stored sector goes back once, even where it was loaded first).
  uint64_t global_unique_load_sectors, global_unique_store_sectors;
  // Shared memory: requests, wavefronts they took, wavefronts without bank conflicts, the worst request.
  uint64_t shared_load_requests, shared_store_requests;
  uint64_t shared_wavefronts, shared_ideal_wavefronts, shared_max_ways;
  uint64_t shared_atomics;
  uint64_t barriers;  // __syncthreads completed, per block (summed over sampled blocks)
  uint64_t warp_ops;  // shuffles, votes, __syncwarp: warp-level
  uint64_t local_accesses;  // a thread's own stack: registers or local memory on a GPU
  uint64_t const_accesses;  // the module's tables (__constant__)
  uint64_t ops[8];          // field operations by kind (CHK_PROFILE_OP), lane-level
  // The field operations of the one thread that performed the most, over every block (sampled
  // or not): a warp runs as long as its busiest lane, so no launch ends before this thread.
  uint64_t busiest_thread_ops[8];
};
}

namespace cuda_emu {
namespace profile {

// Called by the runtime (emu_runtime.cpp) around a launch, its blocks and its fibers.
void launch_begin(uint64_t blocks, uint32_t threads_per_block, uint64_t max_sampled_blocks);
// Whether block `linear` is recorded. `dyn` is its dynamic shared memory, `stacks` its fibers'
// stacks.
bool block_begin(uint64_t linear, const void* dyn, size_t dyn_bytes, const void* stacks, size_t stacks_bytes);
void enter_lane(uint32_t linear);  // a fiber of the current block is about to run
void barrier();                    // the block passed a __syncthreads
void warp_op();                    // a lane reached a warp-level operation
void block_end();
void worker_end();  // a worker thread is done with the launch's blocks
void launch_end(chk_emu_profile* out);

}  // namespace profile
}  // namespace cuda_emu
