// Entry points of FRI's device folding (fold.cuh) for BabyBear and KoalaBear: `mix` may be null.
#include "fri/fold.cuh"

extern "C" __global__ void chk_fri_fold_babybear(const babybear4_t* in, babybear4_t* out, uint32_t log_half, babybear_t g_inv,
                                               babybear_t half, babybear4_t beta, const babybear4_t* mix, babybear4_t scale) {
  fri_fold_pairs(in, out, log_half, g_inv, half, beta, mix, scale);
}

extern "C" __global__ void chk_fri_fold_koalabear(const koalabear4_t* in, koalabear4_t* out, uint32_t log_half, koalabear_t g_inv,
                                                koalabear_t half, koalabear4_t beta, const koalabear4_t* mix, koalabear4_t scale) {
  fri_fold_pairs(in, out, log_half, g_inv, half, beta, mix, scale);
}
