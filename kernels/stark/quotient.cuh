// The STARK quotient: an AIR's constraints as a register program (src/stark/program.rs),
// interpreted per row of the quotient domain. Every thread of a warp runs the same instruction
// (the program is uniform), so the interpreter's branches never diverge.
//
// Slots, as on the host: [constants and public values | 3 selectors | local row | next row |
// temporaries]. Constants come from a small table, selectors from three columns, the rows from
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

// Where row `row` of the domain lies in the trace buffer.
__device__ __forceinline__ uint64_t stark_trace_row(uint64_t row, const stark_slots_t& L) {
  return L.reversed && L.log_size > 0 ? __brevll(row) >> (64 - L.log_size) : row;
}

template <class F>
__device__ __forceinline__ F stark_slot(uint32_t s, const stark_slots_t& L, const F* consts, const F* sels,
                                        const F* trace, const F* temps, uint64_t row, uint64_t local_row,
                                        uint64_t next_row, uint64_t threads, uint64_t t) {
  if (s < L.selectors) return consts[s];
  if (s < L.local) return sels[(uint64_t)(s - L.selectors) * L.size + row];
  if (s < L.next) return trace[local_row * L.width + (s - L.local)];
  if (s < L.temporaries) return trace[next_row * L.width + (s - L.next)];
  return temps[(uint64_t)(s - L.temporaries) * threads + t];
}

// out[row] = (Σᵢ coeffs[i] · Cᵢ(row)) · inv_vanishing[row]; prog holds n instructions of four
// words (op, dst, a, b), dst the constraint's index for a fold.
template <class F, class E>
__device__ __forceinline__ void stark_quotient(const uint32_t* prog, uint32_t n, stark_slots_t L, const F* consts,
                                               const F* sels, const F* inv_vanishing, const F* trace,
                                               const E* coeffs, F* temps, E* out) {
  const uint64_t threads = CHK_GRID_STRIDE(), t = CHK_GLOBAL_TID();
  for (uint64_t row = t; row < L.size; row += threads) {
    const uint64_t local_row = stark_trace_row(row, L);
    const uint64_t next_row = stark_trace_row((row + L.step) & (L.size - 1), L);
    E acc = E::zero();
    CHK_NO_UNROLL
    for (uint32_t i = 0; i < n; i++) {
      const uint32_t op = prog[4 * i], dst = prog[4 * i + 1];
      const F x = stark_slot(prog[4 * i + 2], L, consts, sels, trace, temps, row, local_row, next_row, threads, t);
      if (op == STARK_FOLD) {
        acc = acc + coeffs[dst] * x;
        continue;
      }
      const F y = stark_slot(prog[4 * i + 3], L, consts, sels, trace, temps, row, local_row, next_row, threads, t);
      const F r = op == STARK_ADD ? x + y : op == STARK_SUB ? x - y : op == STARK_MUL ? x * y : -x;
      temps[(uint64_t)(dst - L.temporaries) * threads + t] = r;
    }
    out[row] = acc * inv_vanishing[row];
  }
}

// Chunk `chunk` of the quotient's `chunks` (p3-commit's `split_evals`: rows chunk, chunk + c,
// chunk + 2c, …) as its own buffer: out[r] = q[r · chunks + chunk] for r < rows.
template <class E>
__device__ __forceinline__ void stark_quotient_chunk(const E* q, uint64_t rows, uint32_t chunks, uint32_t chunk, E* out) {
  for (uint64_t r = CHK_GLOBAL_TID(); r < rows; r += CHK_GRID_STRIDE()) out[r] = q[r * chunks + chunk];
}
