// Entry points of the device openings (open.cuh) for BabyBear and KoalaBear.
#include "stark/open.cuh"

extern "C" __global__ void chk_stark_open_columns_babybear(const babybear_t* mat, uint32_t width, uint32_t rows,
                                                      const babybear4_t* weights, uint32_t points, uint32_t chunk_rows,
                                                      babybear4_t* partials) {
  stark_open_columns(mat, width, rows, weights, points, chunk_rows, partials);
}

extern "C" __global__ void chk_stark_sum_partials_babybear(const babybear4_t* partials, uint32_t width, uint32_t points,
                                                      uint32_t chunks, babybear4_t* out) {
  stark_sum_partials(partials, width, points, chunks, out);
}

extern "C" __global__ void chk_stark_compress_rows_babybear(const babybear_t* mat, uint32_t width, uint64_t rows,
                                                       const babybear4_t* powers, babybear4_t* out) {
  stark_compress_rows(mat, width, rows, powers, out);
}

extern "C" __global__ void chk_stark_open_columns_koalabear(const koalabear_t* mat, uint32_t width, uint32_t rows,
                                                      const koalabear4_t* weights, uint32_t points, uint32_t chunk_rows,
                                                      koalabear4_t* partials) {
  stark_open_columns(mat, width, rows, weights, points, chunk_rows, partials);
}

extern "C" __global__ void chk_stark_sum_partials_koalabear(const koalabear4_t* partials, uint32_t width, uint32_t points,
                                                      uint32_t chunks, koalabear4_t* out) {
  stark_sum_partials(partials, width, points, chunks, out);
}

extern "C" __global__ void chk_stark_compress_rows_koalabear(const koalabear_t* mat, uint32_t width, uint64_t rows,
                                                       const koalabear4_t* powers, koalabear4_t* out) {
  stark_compress_rows(mat, width, rows, powers, out);
}

extern "C" __global__ void chk_stark_reduce_opening_babybear(const babybear4_t* c, uint32_t log_rows, babybear_t shift,
                                                          babybear_t omega, babybear4_t z, babybear4_t weighted,
                                                          babybear4_t scale, babybear4_t* reduced) {
  stark_reduce_opening(c, log_rows, shift, omega, z, weighted, scale, reduced);
}

extern "C" __global__ void chk_stark_reduce_opening_koalabear(const koalabear4_t* c, uint32_t log_rows, koalabear_t shift,
                                                           koalabear_t omega, koalabear4_t z, koalabear4_t weighted,
                                                           koalabear4_t scale, koalabear4_t* reduced) {
  stark_reduce_opening(c, log_rows, shift, omega, z, weighted, scale, reduced);
}
