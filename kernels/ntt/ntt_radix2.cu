// Entry points of the radix-2 NTT for every NTT field (BabyBear, KoalaBear, BN254 Fr).
// Extension fields run as their base field with 4x the columns: the DFT is linear over it.
#include "ff/mont31.cuh"
#include "ff/mont256.cuh"
#include "ntt/ntt.cuh"

extern "C" __global__ void chk_ntt_babybear_dif_stage(babybear_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const babybear_t* tw, uint32_t log_tw) {
  ntt_dif_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_babybear_dit_stage(babybear_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const babybear_t* tw, uint32_t log_tw) {
  ntt_dit_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_babybear_block_stages(babybear_t* v, uint64_t width, uint32_t log_n, uint32_t lo,
                                                    uint32_t hi, const babybear_t* tw, uint32_t dif, uint32_t tile_cols) {
  ntt_block_stages(v, width, log_n, lo, hi, tw, dif, tile_cols);
}
extern "C" __global__ void chk_ntt_babybear_bitrev(const babybear_t* src, babybear_t* dst, uint64_t width, uint32_t log_n) {
  ntt_bitrev(src, dst, width, log_n);
}
extern "C" __global__ void chk_ntt_babybear_scale_rows(const babybear_t* src, babybear_t* dst, uint64_t width, uint32_t log_src,
                                                  uint32_t log_dst, babybear_t scale, babybear_t shift, uint32_t flags) {
  ntt_scale_rows(src, dst, width, log_src, log_dst, scale, shift, flags);
}

extern "C" __global__ void chk_ntt_koalabear_dif_stage(koalabear_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const koalabear_t* tw, uint32_t log_tw) {
  ntt_dif_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_koalabear_dit_stage(koalabear_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const koalabear_t* tw, uint32_t log_tw) {
  ntt_dit_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_koalabear_block_stages(koalabear_t* v, uint64_t width, uint32_t log_n, uint32_t lo,
                                                    uint32_t hi, const koalabear_t* tw, uint32_t dif, uint32_t tile_cols) {
  ntt_block_stages(v, width, log_n, lo, hi, tw, dif, tile_cols);
}
extern "C" __global__ void chk_ntt_koalabear_bitrev(const koalabear_t* src, koalabear_t* dst, uint64_t width, uint32_t log_n) {
  ntt_bitrev(src, dst, width, log_n);
}
extern "C" __global__ void chk_ntt_koalabear_scale_rows(const koalabear_t* src, koalabear_t* dst, uint64_t width, uint32_t log_src,
                                                  uint32_t log_dst, koalabear_t scale, koalabear_t shift, uint32_t flags) {
  ntt_scale_rows(src, dst, width, log_src, log_dst, scale, shift, flags);
}

extern "C" __global__ void chk_ntt_bn254_fr_dif_stage(bn254_fr_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const bn254_fr_t* tw, uint32_t log_tw) {
  ntt_dif_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_bn254_fr_dit_stage(bn254_fr_t* v, uint64_t width, uint32_t log_n, uint32_t log_half,
                                                 const bn254_fr_t* tw, uint32_t log_tw) {
  ntt_dit_stage(v, width, log_n, log_half, tw, log_tw);
}
extern "C" __global__ void chk_ntt_bn254_fr_block_stages(bn254_fr_t* v, uint64_t width, uint32_t log_n, uint32_t lo,
                                                    uint32_t hi, const bn254_fr_t* tw, uint32_t dif, uint32_t tile_cols) {
  ntt_block_stages(v, width, log_n, lo, hi, tw, dif, tile_cols);
}
extern "C" __global__ void chk_ntt_bn254_fr_bitrev(const bn254_fr_t* src, bn254_fr_t* dst, uint64_t width, uint32_t log_n) {
  ntt_bitrev(src, dst, width, log_n);
}
extern "C" __global__ void chk_ntt_bn254_fr_scale_rows(const bn254_fr_t* src, bn254_fr_t* dst, uint64_t width, uint32_t log_src,
                                                  uint32_t log_dst, bn254_fr_t scale, bn254_fr_t shift, uint32_t flags) {
  ntt_scale_rows(src, dst, width, log_src, log_dst, scale, shift, flags);
}
