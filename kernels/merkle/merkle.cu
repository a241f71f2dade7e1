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

// Openings of a tree kept on the device: the sibling digests of `count` opened leaves at the
// gridDim.y levels [first, first + gridDim.y) that one buffer holds, level first + l starting at
// digest offsets[l] of `layers`. Query q's sibling at that level is node
// (indices[q] >> (first + l)) ^ 1; it goes to out[(q * out_levels + first + l) * 8 ..] (eight
// words, whatever the field). The caller keeps first + gridDim.y <= 32 and every node in bounds.
extern "C" __global__ void chk_merkle_gather_siblings(const uint32_t* layers, const uint64_t* offsets, uint32_t first,
                                                      const uint32_t* indices, uint32_t count, uint32_t out_levels,
                                                      uint32_t* out) {
  const uint32_t q = blockIdx.x * blockDim.x + threadIdx.x;
  const uint32_t l = blockIdx.y;
  if (q >= count) return;
  const uint64_t node = (uint64_t)((indices[q] >> (first + l)) ^ 1u);
  const uint32_t* src = layers + (offsets[l] + node) * 8;
  uint32_t* dst = out + ((uint64_t)q * out_levels + first + l) * 8;
  CHK_UNROLL
  for (int w = 0; w < 8; ++w) dst[w] = src[w];
}

// The opened rows of a batch of queries, from a leaf matrix kept on the device (row-major words,
// whatever the field): out[k · width + c] = mat[rows[k] · width + c]; a block per row (grid-stride),
// its threads across the columns.
extern "C" __global__ void chk_merkle_gather_rows(const uint32_t* mat, uint32_t width, const uint64_t* rows,
                                                  uint32_t count, uint32_t* out) {
  for (uint32_t k = blockIdx.x; k < count; k += gridDim.x) {
    const uint32_t* src = mat + rows[k] * width;
    uint32_t* dst = out + (uint64_t)k * width;
    for (uint32_t c = threadIdx.x; c < width; c += blockDim.x) dst[c] = src[c];
  }
}
