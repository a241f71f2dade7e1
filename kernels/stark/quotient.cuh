// The STARK quotient: an AIR's constraints as a register program (src/stark/program.rs),
// interpreted per row of the quotient domain. Every thread of a warp runs the same instruction
// (the program is uniform), so the interpreter's branches never diverge.
//
// Slots, as on the host: [constants and public values | 3 selectors | local row | next row |
// temporaries]. Constants come from a small table, selectors are computed per row (below), the rows from
// the row-major trace evaluations (in natural order, or bit-reversed: the committed LDE read in
// place, whose first `size` rows are the quotient domain's, bit-reversed), temporaries from a
// slot-major scratch buffer (slot s of thread t at s·T + t, T the grid's threads: a warp's
// accesses to one slot are contiguous).
#pragma once
#include "ff/ext4.cuh"

enum stark_op_t : uint32_t { STARK_ADD = 0, STARK_SUB = 1, STARK_MUL = 2, STARK_NEG = 3, STARK_FOLD = 4 };

// Where the regions of the slot array start; `size` rows (2^log_size), `step` the offset of
// the next row; `reversed`: the trace's rows are stored in bit-reversed order.
struct stark_slots_t {
  uint32_t selectors, local, next, temporaries, width, log_size, reversed;
  uint64_t size, step;
};

// The quotient domain's points and the trace domain's Lagrange selectors on them, as
// p3-commit's `selectors_on_coset` defines them: point x_row = shift · g^row (g the domain's
// generator), Z_H(x) = x^n − 1 takes only `2^rate_bits` values (zh[row mod 2^rate_bits], their
// inverses after them), is_first = Z_H / (x − 1), is_last = Z_H / (x − last),
// is_transition = x − last, `last` the trace domain's last point. `selectors`: the program reads
// one (else only 1/Z_H is needed, a table entry).
template <class F>
struct stark_domain_t {
  const F* zh;
  uint32_t rate_bits, selectors;
  F shift, g, last;
};

// Where row `row` of the domain lies in the trace buffer.
__device__ __forceinline__ uint64_t stark_trace_row(uint64_t row, const stark_slots_t& L) {
  return L.reversed && L.log_size > 0 ? __brevll(row) >> (64 - L.log_size) : row;
}

template <class F>
__device__ __forceinline__ F stark_slot(uint32_t s, const stark_slots_t& L, const F* consts, const F (&sels)[3],
                                        const F* trace, const F* temps, uint64_t local_row, uint64_t next_row,
                                        uint64_t threads, uint64_t t) {
  if (s < L.selectors) return consts[s];
  // A select chain, not an indexed array: the selectors stay in registers.
  if (s < L.local) return s == L.selectors ? sels[0] : s == L.selectors + 1 ? sels[1] : sels[2];
  if (s < L.next) return trace[local_row * L.width + (s - L.local)];
  if (s < L.temporaries) return trace[next_row * L.width + (s - L.next)];
  return temps[(uint64_t)(s - L.temporaries) * threads + t];
}

// out[row] = (Σᵢ coeffs[i] · Cᵢ(row)) / Z_H(x_row); prog holds n instructions of four words
// (op, dst, a, b), dst the constraint's index for a fold.
template <class F, class E>
__device__ __forceinline__ void stark_quotient(const uint32_t* prog, uint32_t n, stark_slots_t L, const F* consts,
                                               const stark_domain_t<F>& D, const F* trace, const E* coeffs, F* temps,
                                               E* out) {
  const uint64_t threads = CHK_GRID_STRIDE(), t = CHK_GLOBAL_TID();
  const uint64_t zh_mask = (1ull << D.rate_bits) - 1;
  // The points walk the grid stride: x_t = shift · g^t, then times g^threads.
  F x = D.shift * D.g.pow(t);
  const F x_step = D.g.pow(threads);
  for (uint64_t row = t; row < L.size; row += threads, x *= x_step) {
    const uint64_t local_row = stark_trace_row(row, L);
    const uint64_t next_row = stark_trace_row((row + L.step) & (L.size - 1), L);
    F sels[3] = {F::zero(), F::zero(), F::zero()};
    if (D.selectors) {
      const F zh = D.zh[row & zh_mask];
      sels[2] = x - D.last;
      sels[0] = zh * (x - F::one()).inverse();
      sels[1] = zh * sels[2].inverse();
    }
    E acc = E::zero();
    CHK_NO_UNROLL
    for (uint32_t i = 0; i < n; i++) {
      const uint32_t op = prog[4 * i], dst = prog[4 * i + 1];
      const F a = stark_slot(prog[4 * i + 2], L, consts, sels, trace, temps, local_row, next_row, threads, t);
      if (op == STARK_FOLD) {
        acc = acc + coeffs[dst] * a;
        continue;
      }
      const F b = stark_slot(prog[4 * i + 3], L, consts, sels, trace, temps, local_row, next_row, threads, t);
      const F r = op == STARK_ADD ? a + b : op == STARK_SUB ? a - b : op == STARK_MUL ? a * b : -a;
      temps[(uint64_t)(dst - L.temporaries) * threads + t] = r;
    }
    out[row] = acc * D.zh[(zh_mask + 1) + (row & zh_mask)];
  }
}

// Chunk `chunk` of the quotient's `chunks` (p3-commit's `split_evals`: rows chunk, chunk + c,
// chunk + 2c, …) as its own buffer: out[r] = q[r · chunks + chunk] for r < rows.
template <class E>
__device__ __forceinline__ void stark_quotient_chunk(const E* q, uint64_t rows, uint32_t chunks, uint32_t chunk, E* out) {
  for (uint64_t r = CHK_GLOBAL_TID(); r < rows; r += CHK_GRID_STRIDE()) out[r] = q[r * chunks + chunk];
}
