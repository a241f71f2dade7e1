// Poseidon2 batch permutations: BabyBear (x^7) and KoalaBear (x^3), widths 16 and 24, with
// Plonky3 0.8's partial round counts (BabyBear 13/21, KoalaBear 20/23).
#include "ff/mont31.cuh"
#include "poseidon2/poseidon2.cuh"

extern "C" __global__ void chk_poseidon2_babybear_16(babybear_t* states, uint64_t count,
                                                     chk_poseidon2_params<babybear_t, 16, 13> prm) {
  poseidon2_permute_batch<7>(states, count, prm);
}
extern "C" __global__ void chk_poseidon2_babybear_24(babybear_t* states, uint64_t count,
                                                     chk_poseidon2_params<babybear_t, 24, 21> prm) {
  poseidon2_permute_batch<7>(states, count, prm);
}
extern "C" __global__ void chk_poseidon2_koalabear_16(koalabear_t* states, uint64_t count,
                                                      chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  poseidon2_permute_batch<3>(states, count, prm);
}
extern "C" __global__ void chk_poseidon2_koalabear_24(koalabear_t* states, uint64_t count,
                                                      chk_poseidon2_params<koalabear_t, 24, 23> prm) {
  poseidon2_permute_batch<3>(states, count, prm);
}
