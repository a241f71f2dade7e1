// Merkle tree kernels over Poseidon2-16 (Plonky3's MerkleTreeMmcs hashers): BabyBear and KoalaBear.
#include "ff/mont31.cuh"
#include "merkle/merkle.cuh"

extern "C" __global__ void chk_merkle_babybear_absorb_rows(const babybear_t* rows, uint64_t width, uint64_t count,
                                                           uint32_t pos, uint32_t first, uint32_t last,
                                                           babybear_t* states, babybear_t* digests,
                                                           chk_poseidon2_params<babybear_t, 16, 13> prm) {
  merkle_absorb_rows<7>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_merkle_babybear_compress_levels(const babybear_t* prev, uint64_t prev_len,
                                                               uint32_t levels, babybear_t* out,
                                                               const babybear_t* inject, uint64_t inject_len,
                                                               chk_poseidon2_params<babybear_t, 16, 13> prm) {
  merkle_compress_levels<7>(prev, prev_len, levels, out, inject, inject_len, prm);
}
extern "C" __global__ void chk_merkle_koalabear_absorb_rows(const koalabear_t* rows, uint64_t width, uint64_t count,
                                                            uint32_t pos, uint32_t first, uint32_t last,
                                                            koalabear_t* states, koalabear_t* digests,
                                                            chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  merkle_absorb_rows<3>(rows, width, count, pos, first, last, states, digests, prm);
}
extern "C" __global__ void chk_merkle_koalabear_compress_levels(const koalabear_t* prev, uint64_t prev_len,
                                                                uint32_t levels, koalabear_t* out,
                                                                const koalabear_t* inject, uint64_t inject_len,
                                                                chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  merkle_compress_levels<3>(prev, prev_len, levels, out, inject, inject_len, prm);
}
