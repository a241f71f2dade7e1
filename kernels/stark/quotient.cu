// Entry points of the STARK quotient (quotient.cuh) for BabyBear and KoalaBear, and of its split
// into chunks. The slot regions come as scalars (selectors, local, next, temporaries: the first
// slot of each), the domain as log2 of its size and the next row's offset, `reversed` non-zero
// when the trace's rows are stored bit-reversed (the committed LDE); then the domain's points
// and selectors (quotient.cuh's stark_domain_t: the Z_H table and its inverses, 2 · 2^rate_bits
// values, the coset's shift and generator, the trace domain's last point).
#include "stark/quotient.cuh"

extern "C" __global__ void chk_stark_quotient_babybear(const uint32_t* prog, uint32_t n, uint32_t selectors,
                                                    uint32_t local, uint32_t next, uint32_t temporaries,
                                                    uint32_t width, uint32_t log_size, uint32_t step, uint32_t reversed,
                                                    const babybear_t* consts, const babybear_t* zh, uint32_t rate_bits,
                                                    uint32_t uses_selectors, babybear_t shift, babybear_t g, babybear_t last,
                                                    const babybear_t* trace, const babybear4_t* coeffs, babybear_t* temps, babybear4_t* out) {
  const stark_slots_t slots{selectors, local, next, temporaries, width, log_size, reversed, 1ull << log_size, step};
  const stark_domain_t<babybear_t> domain{zh, rate_bits, uses_selectors, shift, g, last};
  stark_quotient(prog, n, slots, consts, domain, trace, coeffs, temps, out);
}

extern "C" __global__ void chk_stark_quotient_koalabear(const uint32_t* prog, uint32_t n, uint32_t selectors,
                                                    uint32_t local, uint32_t next, uint32_t temporaries,
                                                    uint32_t width, uint32_t log_size, uint32_t step, uint32_t reversed,
                                                    const koalabear_t* consts, const koalabear_t* zh, uint32_t rate_bits,
                                                    uint32_t uses_selectors, koalabear_t shift, koalabear_t g, koalabear_t last,
                                                    const koalabear_t* trace, const koalabear4_t* coeffs, koalabear_t* temps, koalabear4_t* out) {
  const stark_slots_t slots{selectors, local, next, temporaries, width, log_size, reversed, 1ull << log_size, step};
  const stark_domain_t<koalabear_t> domain{zh, rate_bits, uses_selectors, shift, g, last};
  stark_quotient(prog, n, slots, consts, domain, trace, coeffs, temps, out);
}

extern "C" __global__ void chk_stark_quotient_chunk_babybear(const babybear4_t* q, uint64_t rows, uint32_t chunks,
                                                          uint32_t chunk, babybear4_t* out) {
  stark_quotient_chunk(q, rows, chunks, chunk, out);
}

extern "C" __global__ void chk_stark_quotient_chunk_koalabear(const koalabear4_t* q, uint64_t rows, uint32_t chunks,
                                                           uint32_t chunk, koalabear4_t* out) {
  stark_quotient_chunk(q, rows, chunks, chunk, out);
}
