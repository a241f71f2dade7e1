// Entry points of the radix-2 NTT for every NTT field (BabyBear, KoalaBear, BN254 Fr).
// Extension fields run as their base field with 4x the columns: the DFT is linear over it.
#include "ff/mont31.cuh"
#include "ff/mont256.cuh"
#include "ntt/ntt.cuh"

extern "C" __global__ void chk_ntt_babybear_block_pass(const babybear_t* src, babybear_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint32_t lo, uint32_t hi, const babybear_t* tw, uint32_t log_tw,
                                                uint32_t log_tile, chk_fastdiv tiles, uint32_t flags, uint32_t log_src,
                                                babybear_t scale, babybear_t shift, babybear_t root, babybear_t step) {
  ntt_block_pass(src, dst, wdiv, log_n, lo, hi, tw, log_tw, log_tile, tiles, flags, log_src, scale, shift, root, step);
}
extern "C" __global__ void chk_ntt_babybear_bitrev(const babybear_t* src, babybear_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_bitrev(src, dst, wdiv, log_n, stride_rows, stride_cols);
}
extern "C" __global__ void chk_ntt_babybear_scale_rows(const babybear_t* src, babybear_t* dst, chk_fastdiv wdiv, uint32_t log_src,
                                                uint32_t log_dst, babybear_t scale, babybear_t shift, babybear_t root, uint32_t flags,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_scale_rows(src, dst, wdiv, log_src, log_dst, scale, shift, root, flags, stride_rows, stride_cols);
}

extern "C" __global__ void chk_ntt_koalabear_block_pass(const koalabear_t* src, koalabear_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint32_t lo, uint32_t hi, const koalabear_t* tw, uint32_t log_tw,
                                                uint32_t log_tile, chk_fastdiv tiles, uint32_t flags, uint32_t log_src,
                                                koalabear_t scale, koalabear_t shift, koalabear_t root, koalabear_t step) {
  ntt_block_pass(src, dst, wdiv, log_n, lo, hi, tw, log_tw, log_tile, tiles, flags, log_src, scale, shift, root, step);
}
extern "C" __global__ void chk_ntt_koalabear_bitrev(const koalabear_t* src, koalabear_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_bitrev(src, dst, wdiv, log_n, stride_rows, stride_cols);
}
extern "C" __global__ void chk_ntt_koalabear_scale_rows(const koalabear_t* src, koalabear_t* dst, chk_fastdiv wdiv, uint32_t log_src,
                                                uint32_t log_dst, koalabear_t scale, koalabear_t shift, koalabear_t root, uint32_t flags,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_scale_rows(src, dst, wdiv, log_src, log_dst, scale, shift, root, flags, stride_rows, stride_cols);
}

extern "C" __global__ void chk_ntt_bn254_fr_block_pass(const bn254_fr_t* src, bn254_fr_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint32_t lo, uint32_t hi, const bn254_fr_t* tw, uint32_t log_tw,
                                                uint32_t log_tile, chk_fastdiv tiles, uint32_t flags, uint32_t log_src,
                                                bn254_fr_t scale, bn254_fr_t shift, bn254_fr_t root, bn254_fr_t step) {
  ntt_block_pass(src, dst, wdiv, log_n, lo, hi, tw, log_tw, log_tile, tiles, flags, log_src, scale, shift, root, step);
}
extern "C" __global__ void chk_ntt_bn254_fr_bitrev(const bn254_fr_t* src, bn254_fr_t* dst, chk_fastdiv wdiv, uint32_t log_n,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_bitrev(src, dst, wdiv, log_n, stride_rows, stride_cols);
}
extern "C" __global__ void chk_ntt_bn254_fr_scale_rows(const bn254_fr_t* src, bn254_fr_t* dst, chk_fastdiv wdiv, uint32_t log_src,
                                                uint32_t log_dst, bn254_fr_t scale, bn254_fr_t shift, bn254_fr_t root, uint32_t flags,
                                                uint64_t stride_rows, uint32_t stride_cols) {
  ntt_scale_rows(src, dst, wdiv, log_src, log_dst, scale, shift, root, flags, stride_rows, stride_cols);
}
