// FRI's proof-of-work search (p3-challenger's `DuplexChallenger::grind`) over one window of
// candidates. Every candidate shares the sponge state the challenger would permute after
// absorbing it: the buffered inputs in the leading rate slots, zeros after them, the absorb's
// length added to the first capacity element (the host builds this `base`); the candidate goes
// into rate slot `slot`. It passes when the low bits (`mask`) of the permuted state's last rate
// element, canonical, are zero — what `sample_bits` reads after the absorb. The smallest
// passing candidate of the window wins (atomicMin), so the search returns the witness a
// one-thread stock run finds, whatever the schedule.
#pragma once
#include "ff/mont31.cuh"
#include "poseidon2/poseidon2.cuh"

// The shared pre-permutation state, passed by value (a kernel parameter, not a buffer).
template <class F>
struct chk_sponge_state {
  F s[16];
};

template <int D, class F, int RP>
__device__ __forceinline__ void fri_grind_window(chk_sponge_state<F> base, uint32_t slot, uint32_t start,
                                                 uint32_t count, uint32_t mask, uint32_t* found,
                                                 const chk_poseidon2_params<F, 16, RP>& prm) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < count; i += CHK_GRID_STRIDE()) {
    const uint32_t w = start + (uint32_t)i;  // the host keeps start + count ≤ p
    const F candidate = F::from_canonical(w);
    F s[16];
    // A select per slot instead of s[slot] = …: a runtime index would put s in local memory.
    CHK_UNROLL
    for (int j = 0; j < 16; j++) s[j] = (uint32_t)j == slot ? candidate : base.s[j];
    poseidon2_permute<D>(s, prm);
    if ((s[7].to_canonical() & mask) == 0) atomicMin(found, w);
  }
}
