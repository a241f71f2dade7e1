// Entry points of FRI's device folding (fold.cuh; `mix` may be null) and proof-of-work search
// (grind.cuh) for BabyBear and KoalaBear.
#include "fri/fold.cuh"
#include "fri/grind.cuh"

extern "C" __global__ void chk_fri_fold_babybear(const babybear4_t* in, babybear4_t* out, uint32_t log_half, babybear_t g_inv,
                                               babybear_t half, babybear4_t beta, const babybear4_t* mix, babybear4_t scale) {
  fri_fold_pairs(in, out, log_half, g_inv, half, beta, mix, scale);
}

extern "C" __global__ void chk_fri_fold_koalabear(const koalabear4_t* in, koalabear4_t* out, uint32_t log_half, koalabear_t g_inv,
                                                koalabear_t half, koalabear4_t beta, const koalabear4_t* mix, koalabear4_t scale) {
  fri_fold_pairs(in, out, log_half, g_inv, half, beta, mix, scale);
}

// Proof-of-work windows (grind.cuh) with the challenger's Poseidon2-16.
extern "C" __global__ void chk_fri_grind_babybear(chk_sponge_state<babybear_t> base, uint32_t slot, uint32_t start,
                                                uint32_t count, uint32_t mask, uint32_t* found,
                                                chk_poseidon2_params<babybear_t, 16, 13> prm) {
  fri_grind_window<7>(base, slot, start, count, mask, found, prm);
}

extern "C" __global__ void chk_fri_grind_koalabear(chk_sponge_state<koalabear_t> base, uint32_t slot, uint32_t start,
                                                 uint32_t count, uint32_t mask, uint32_t* found,
                                                 chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  fri_grind_window<3>(base, slot, start, count, mask, found, prm);
}
