// Merkle tree kernels over Poseidon2-16 (Plonky3's MerkleTreeMmcs hashers): BabyBear and KoalaBear.
// CUDA 13.x's cicc segfaults compiling merkle_compress_levels with mont31's 32-bit reduction.
#define CHK_MONT31_REDUCE_64
#include "ff/mont31.cuh"
#include "merkle/merkle.cuh"

extern "C" __global__ void chk_merkle_babybear_compress_levels(const babybear_t* prev, uint64_t prev_len,
                                                               uint32_t levels, babybear_t* out,
                                                               const babybear_t* inject, uint64_t inject_len,
                                                               chk_poseidon2_params<babybear_t, 16, 13> prm) {
  merkle_compress_levels<7>(prev, prev_len, levels, out, inject, inject_len, prm);
}
extern "C" __global__ void chk_merkle_koalabear_compress_levels(const koalabear_t* prev, uint64_t prev_len,
                                                                uint32_t levels, koalabear_t* out,
                                                                const koalabear_t* inject, uint64_t inject_len,
                                                                chk_poseidon2_params<koalabear_t, 16, 20> prm) {
  merkle_compress_levels<3>(prev, prev_len, levels, out, inject, inject_len, prm);
}
