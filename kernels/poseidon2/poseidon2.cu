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

// Width-16 sponge (rate 8, digest 8) and 2-to-1 compression: Plonky3's Merkle tree hashers.
extern "C" __global__ void chk_poseidon2_babybear_16_absorb_rows(const babybear_t* rows, uint64_t width,
                                                                 uint64_t count, uint32_t pos, uint32_t first,
                                                                 uint32_t last, babybear_t* states, babybear_t* digests,
                                                                 chk_poseidon2_params<babybear_t, 16, 13> prm) {
  poseidon2_absorb_rows<7>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_poseidon2_babybear_16_absorb_rows_x4(const babybear_t* rows, uint64_t width,
                                                                    uint64_t count, uint32_t pos, uint32_t first,
                                                                    uint32_t last, babybear_t* states,
                                                                    babybear_t* digests,
                                                                    chk_poseidon2_params<babybear_t, 16, 13> prm) {
  poseidon2_absorb_rows_x4<7>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_poseidon2_babybear_16_compress(const babybear_t* pairs, uint64_t count,
                                                              babybear_t* out,
                                                              chk_poseidon2_params<babybear_t, 16, 13> prm) {
  poseidon2_compress<7, 8>(pairs, count, out, prm);
}
extern "C" __global__ void chk_poseidon2_koalabear_16_absorb_rows(const koalabear_t* rows, uint64_t width,
                                                                  uint64_t count, uint32_t pos, uint32_t first,
                                                                  uint32_t last, koalabear_t* states,
                                                                  koalabear_t* digests,
                                                                  chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  poseidon2_absorb_rows<3>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_poseidon2_koalabear_16_absorb_rows_x4(const koalabear_t* rows, uint64_t width,
                                                                     uint64_t count, uint32_t pos, uint32_t first,
                                                                     uint32_t last, koalabear_t* states,
                                                                     koalabear_t* digests,
                                                                     chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  poseidon2_absorb_rows_x4<3>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_poseidon2_koalabear_16_compress(const koalabear_t* pairs, uint64_t count,
                                                               koalabear_t* out,
                                                               chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  poseidon2_compress<3, 8>(pairs, count, out, prm);
}
