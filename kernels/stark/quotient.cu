// Entry points of the STARK quotient (quotient.cuh) for BabyBear and KoalaBear, and of its split
// into chunks. The slot regions come as scalars (selectors, local, next, temporaries: the first
// slot of each), the domain as log2 of its size and the next row's offset, `reversed` non-zero
// when the trace's rows are stored bit-reversed (the committed LDE).
#include "stark/quotient.cuh"

extern "C" __global__ void chk_stark_quotient_babybear(const uint32_t* prog, uint32_t n, uint32_t selectors,
                                                    uint32_t local, uint32_t next, uint32_t temporaries,
                                                    uint32_t width, uint32_t log_size, uint32_t step, uint32_t reversed,
                                                    const babybear_t* consts, const babybear_t* sels, const babybear_t* inv_vanishing,
                                                    const babybear_t* trace, const babybear4_t* coeffs, babybear_t* temps, babybear4_t* out) {
  const stark_slots_t slots{selectors, local, next, temporaries, width, log_size, reversed, 1ull << log_size, step};
  stark_quotient(prog, n, slots, consts, sels, inv_vanishing, trace, coeffs, temps, out);
}

extern "C" __global__ void chk_stark_quotient_koalabear(const uint32_t* prog, uint32_t n, uint32_t selectors,
                                                    uint32_t local, uint32_t next, uint32_t temporaries,
                                                    uint32_t width, uint32_t log_size, uint32_t step, uint32_t reversed,
                                                    const koalabear_t* consts, const koalabear_t* sels, const koalabear_t* inv_vanishing,
                                                    const koalabear_t* trace, const koalabear4_t* coeffs, koalabear_t* temps, koalabear4_t* out) {
  const stark_slots_t slots{selectors, local, next, temporaries, width, log_size, reversed, 1ull << log_size, step};
  stark_quotient(prog, n, slots, consts, sels, inv_vanishing, trace, coeffs, temps, out);
}

extern "C" __global__ void chk_stark_quotient_chunk_babybear(const babybear4_t* q, uint64_t rows, uint32_t chunks,
                                                          uint32_t chunk, babybear4_t* out) {
  stark_quotient_chunk(q, rows, chunks, chunk, out);
}

extern "C" __global__ void chk_stark_quotient_chunk_koalabear(const koalabear4_t* q, uint64_t rows, uint32_t chunks,
                                                           uint32_t chunk, koalabear4_t* out) {
  stark_quotient_chunk(q, rows, chunks, chunk, out);
}
