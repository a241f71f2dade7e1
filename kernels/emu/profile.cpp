// The access profiler of the emulator's profile build: the ThreadSanitizer entry points the
// instrumented kernels call, and the scoring of warp-level accesses. See profile.h.
//
// Not instrumented itself, and never linked with the ThreadSanitizer runtime: these definitions
// are the only ones in the profile library.
#include "emu/profile.h"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <mutex>
#include <cstring>
#include <unordered_map>
#include <vector>

extern "C" void* __tls_get_addr(void*);

namespace cuda_emu {
namespace profile {
namespace {

enum Kind : uint8_t { LOAD, STORE, ATOMIC };
enum Space : uint8_t { GLOBAL, SHARED, LOCAL, CONST };

struct Event {
  uintptr_t site;  // the instrumented instruction (the hook's return address)
  uintptr_t addr;
  uint32_t size;
  Kind kind;
  Space space;
};

struct Range {
  uintptr_t lo = 0, hi = 0;
  bool has(uintptr_t a) const { return a >= lo && a < hi; }
};

// The module's own data (the kernels' __constant__ tables) and its thread-local block (static
// __shared__ memory: `static thread_local` in the emulator).
struct Module {
  std::vector<Range> segments;
  size_t tls_modid = 0, tls_size = 0;
};

int find_module(dl_phdr_info* info, size_t, void* out) {
  Dl_info self;
  if (!dladdr(reinterpret_cast<void*>(&find_module), &self) || (uintptr_t)self.dli_fbase != info->dlpi_addr)
    return 0;
  Module* m = static_cast<Module*>(out);
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) m->segments.push_back({info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz});
    if (ph.p_type == PT_TLS) {
      m->tls_modid = info->dlpi_tls_modid;
      m->tls_size = ph.p_memsz;
    }
  }
  return 1;
}

const Module& module() {
  static const Module m = [] {
    Module m;
    dl_iterate_phdr(find_module, &m);
    return m;
  }();
  return m;
}

// This thread's instance of the module's thread-local block.
Range static_shared() {
  const Module& m = module();
  if (!m.tls_modid) return {};
  struct {
    unsigned long module, offset;
  } index = {m.tls_modid, 0};
  const uintptr_t lo = (uintptr_t)__tls_get_addr(&index);
  return {lo, lo + m.tls_size};
}

struct Block {
  Range dyn, stat, stacks;
  std::vector<std::vector<Event>> lanes;
  uint32_t lane = 0;
};

// Operations of one thread's counts: a C array (the profile's) or a std::array (a block's).
template <class Ops>
uint64_t ops_total(const Ops& ops) {
  uint64_t t = 0;
  for (uint64_t v : ops) t += v;
  return t;
}

// What one worker thread counted; merged into the launch's totals when the worker ends.
struct Totals {
  chk_emu_profile out{};
  std::vector<uint64_t> loaded, stored;  // sectors, per request

  void merge(Totals& o) {
    if (ops_total(o.out.busiest_thread_ops) > ops_total(out.busiest_thread_ops))
      std::copy(std::begin(o.out.busiest_thread_ops), std::end(o.out.busiest_thread_ops), out.busiest_thread_ops);
    uint64_t* a = reinterpret_cast<uint64_t*>(&out);
    const uint64_t* b = reinterpret_cast<const uint64_t*>(&o.out);
    const uint64_t* busiest = out.busiest_thread_ops;
    for (size_t i = 0; i < sizeof(chk_emu_profile) / 8; i++) {
      if (&a[i] >= busiest && &a[i] < busiest + 8) continue;  // taken whole above
      a[i] = (&a[i] == &out.shared_max_ways) ? std::max(a[i], b[i]) : a[i] + b[i];
    }
    loaded.insert(loaded.end(), o.loaded.begin(), o.loaded.end());
    stored.insert(stored.end(), o.stored.begin(), o.stored.end());
    o = Totals{};
  }
};

// The launch being profiled (one at a time: chk_emu_profile_launch holds a lock).
// A large grid is sampled in runs of this many consecutive blocks: neighbours often share
// sectors (a tile narrower than a sector), and a run keeps them counted once, as DRAM sees them.
constexpr uint64_t kSampleRun = 32;

struct Launch {
  uint64_t blocks = 0, run_stride = 1;  // every run_stride-th run of blocks is sampled
  uint32_t threads_per_block = 0;
  std::mutex mu;
  Totals totals;
};

Launch* g_launch = nullptr;
thread_local Totals t_totals;           // this worker's counts
thread_local Block t_block;             // its current block's events
thread_local Block* g_block = nullptr;  // the current block, when sampled
// Field operations of each thread of the current block, sampled or not, and which thread runs.
thread_local std::vector<std::array<uint64_t, 8>> t_thread_ops;
thread_local uint32_t t_thread = 0;

Space classify(const Block& b, uintptr_t a) {
  if (b.dyn.has(a) || b.stat.has(a)) return SHARED;
  if (b.stacks.has(a)) return LOCAL;
  for (const Range& r : module().segments)
    if (r.has(a)) return CONST;
  return GLOBAL;
}

inline void record(uintptr_t site, const volatile void* p, size_t size, Kind kind) {
  Block* b = g_block;
  if (!b) return;
  const uintptr_t a = (uintptr_t)p;
  const Space space = classify(*b, a);
  if (space == LOCAL) {
    t_totals.out.local_accesses++;
    return;
  }
  if (space == CONST) {
    t_totals.out.const_accesses++;
    return;
  }
  // Larger copies (a struct assignment) are 16-byte pieces, as a GPU would load them.
  for (size_t off = 0; off < size; off += 16)
    b->lanes[b->lane].push_back(Event{site, a + off, (uint32_t)std::min<size_t>(16, size - off), kind, space});
}

// One warp-level instruction: what each lane asked for.
struct Group {
  Kind kind;
  Space space;
  std::vector<std::pair<uintptr_t, uint32_t>> lanes;
};

void score(Totals& L, const Group& g) {
  chk_emu_profile& o = L.out;
  if (g.kind == ATOMIC) {
    (g.space == SHARED ? o.shared_atomics : o.global_atomics) += g.lanes.size();
    return;
  }
  if (g.space == GLOBAL) {
    std::vector<uint64_t> sectors;
    for (auto [a, n] : g.lanes)
      for (uint64_t s = a >> 5; s <= (a + n - 1) >> 5; s++) sectors.push_back(s);
    // Bytes asked for: lanes reading the same bytes (a broadcast) count them once.
    std::vector<std::pair<uintptr_t, uint32_t>> spans = g.lanes;
    std::sort(spans.begin(), spans.end());
    uint64_t bytes = 0;
    uintptr_t end = 0;
    for (auto [a, n] : spans) {
      const uintptr_t lo = std::max(a, end), hi = a + n;
      if (hi > lo) bytes += hi - lo;
      end = std::max(end, hi);
    }
    std::sort(sectors.begin(), sectors.end());
    sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
    std::vector<uint64_t>& seen = g.kind == LOAD ? L.loaded : L.stored;
    seen.insert(seen.end(), sectors.begin(), sectors.end());
    if (g.kind == LOAD) {
      o.global_load_requests++;
      o.global_load_sectors += sectors.size();
      o.global_load_bytes += bytes;
    } else {
      o.global_store_requests++;
      o.global_store_sectors += sectors.size();
      o.global_store_bytes += bytes;
    }
    return;
  }
  // Shared: 32 banks of 4-byte words; lanes reading one word share it (a broadcast); a request
  // takes as many wavefronts as the busiest bank has distinct words.
  std::vector<uint64_t> words;
  for (auto [a, n] : g.lanes)
    for (uint64_t w = a >> 2; w <= (a + n - 1) >> 2; w++) words.push_back(w);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  uint32_t per_bank[32] = {};
  uint32_t wavefronts = 0;
  for (uint64_t w : words) wavefronts = std::max(wavefronts, ++per_bank[w & 31]);
  const uint64_t ideal = (words.size() + 31) / 32;
  (g.kind == LOAD ? o.shared_load_requests : o.shared_store_requests)++;
  o.shared_wavefronts += wavefronts;
  o.shared_ideal_wavefronts += ideal;
  o.shared_max_ways = std::max<uint64_t>(o.shared_max_ways, ideal ? (wavefronts + ideal - 1) / ideal : 0);
}

struct PairHash {
  size_t operator()(const std::pair<uintptr_t, uint32_t>& k) const {
    return std::hash<uintptr_t>()(k.first) * 31 + k.second;
  }
};

void score_block(Totals& L, Block& b) {
  const uint32_t n = (uint32_t)b.lanes.size();
  std::unordered_map<std::pair<uintptr_t, uint32_t>, Group, PairHash> groups;
  std::unordered_map<uintptr_t, uint32_t> seen;
  std::vector<std::pair<uintptr_t, uint32_t>> order;  // groups in first-seen order
  for (uint32_t w0 = 0; w0 < n; w0 += 32) {
    groups.clear();
    order.clear();
    for (uint32_t lane = w0; lane < std::min(n, w0 + 32); lane++) {
      seen.clear();
      for (const Event& e : b.lanes[lane]) {
        const std::pair<uintptr_t, uint32_t> key{e.site, seen[e.site]++};
        auto [it, fresh] = groups.try_emplace(key, Group{e.kind, e.space, {}});
        if (fresh) order.push_back(key);
        it->second.lanes.emplace_back(e.addr, e.size);
      }
    }
    for (const auto& key : order) score(L, groups[key]);
  }
}

}  // namespace

void launch_begin(uint64_t blocks, uint32_t threads_per_block, uint64_t max_sampled_blocks) {
  Launch* L = new Launch;
  L->blocks = blocks;
  L->threads_per_block = threads_per_block;
  if (max_sampled_blocks && blocks > max_sampled_blocks) {
    const uint64_t runs = (blocks + kSampleRun - 1) / kSampleRun;
    const uint64_t max_runs = std::max<uint64_t>(1, max_sampled_blocks / kSampleRun);
    L->run_stride = (runs + max_runs - 1) / max_runs;
  }
  g_launch = L;
}

bool block_begin(uint64_t linear, const void* dyn, size_t dyn_bytes, const void* stacks, size_t stacks_bytes) {
  Launch* L = g_launch;
  g_block = nullptr;
  if (L) t_thread_ops.assign(L->threads_per_block, {});
  t_thread = 0;
  if (!L || (linear / kSampleRun) % L->run_stride != 0) return false;
  Block& b = t_block;
  b.dyn = {(uintptr_t)dyn, (uintptr_t)dyn + dyn_bytes};
  b.stat = static_shared();
  b.stacks = {(uintptr_t)stacks, (uintptr_t)stacks + stacks_bytes};
  b.lanes.resize(L->threads_per_block);
  for (auto& v : b.lanes) v.clear();
  b.lane = 0;
  t_totals.out.sampled_blocks++;
  g_block = &b;
  return true;
}

void enter_lane(uint32_t linear) {
  t_thread = linear;
  if (g_block) g_block->lane = linear;
}

void barrier() {
  if (g_block) t_totals.out.barriers++;
}

void warp_op() {
  if (g_block) t_totals.out.warp_ops++;
}

void block_end() {
  if (g_block) score_block(t_totals, *g_block);
  g_block = nullptr;
  uint64_t* busiest = t_totals.out.busiest_thread_ops;
  for (const auto& ops : t_thread_ops)
    if (ops_total(ops) > ops_total(t_totals.out.busiest_thread_ops)) std::copy(ops.begin(), ops.end(), busiest);
  t_thread_ops.clear();
}

void worker_end() {
  g_block = nullptr;
  if (Launch* L = g_launch) {
    std::lock_guard<std::mutex> g(L->mu);
    L->totals.merge(t_totals);
  }
  t_totals = Totals{};
  t_block = Block{};
}

void launch_end(chk_emu_profile* out) {
  Launch* L = g_launch;
  g_launch = nullptr;
  if (!L) return;
  Totals& t = L->totals;
  const auto distinct = [](std::vector<uint64_t>& v) -> uint64_t {
    std::sort(v.begin(), v.end());
    return std::unique(v.begin(), v.end()) - v.begin();
  };
  t.out.global_unique_load_sectors = distinct(t.loaded);
  t.out.global_unique_store_sectors = distinct(t.stored);
  t.out.blocks = L->blocks;
  t.out.threads_per_block = L->threads_per_block;
  if (out) *out = t.out;
  delete L;
}

}  // namespace profile
}  // namespace cuda_emu

using cuda_emu::profile::ATOMIC;
using cuda_emu::profile::LOAD;
using cuda_emu::profile::STORE;
using cuda_emu::profile::record;

// ---- what the instrumented kernels call ---------------------------------------------------------
#define SITE ((uintptr_t)__builtin_return_address(0))

extern "C" {

// A field operation of kind `op` (kernels/emu/compat.h: CHK_PROFILE_OP).
void chk_emu_profile_op(unsigned op) {
  using namespace cuda_emu::profile;
  if (op >= 8) return;
  if (g_block) t_totals.out.ops[op]++;
  if (t_thread < t_thread_ops.size()) t_thread_ops[t_thread][op]++;
}

void __tsan_init() {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit() {}

#define CHK_PROFILE_RW(n)                                                              \
  void __tsan_read##n(void* p) { record(SITE, p, n, LOAD); }                         \
  void __tsan_write##n(void* p) { record(SITE, p, n, STORE); }                       \
  void __tsan_unaligned_read##n(void* p) { record(SITE, p, n, LOAD); }               \
  void __tsan_unaligned_write##n(void* p) { record(SITE, p, n, STORE); }             \
  void __tsan_volatile_read##n(void* p) { record(SITE, p, n, LOAD); }                \
  void __tsan_volatile_write##n(void* p) { record(SITE, p, n, STORE); }
CHK_PROFILE_RW(1)
CHK_PROFILE_RW(2)
CHK_PROFILE_RW(4)
CHK_PROFILE_RW(8)
CHK_PROFILE_RW(16)
#undef CHK_PROFILE_RW

void __tsan_read_range(void* p, unsigned long n) { record(SITE, p, n, LOAD); }
void __tsan_write_range(void* p, unsigned long n) { record(SITE, p, n, STORE); }

void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

// The atomics themselves, done (sequentially consistent: the strongest order is always allowed)
// and recorded.
#define CHK_PROFILE_ATOMIC(bits, T)                                                                        \
  T __tsan_atomic##bits##_load(const volatile T* a, int) {                                                 \
    record(SITE, a, sizeof(T), LOAD);                                                                      \
    return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                           \
  }                                                                                                        \
  void __tsan_atomic##bits##_store(volatile T* a, T v, int) {                                             \
    record(SITE, a, sizeof(T), STORE);                                                                     \
    __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                              \
  }                                                                                                        \
  T __tsan_atomic##bits##_exchange(volatile T* a, T v, int) {                                              \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                                    \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_add(volatile T* a, T v, int) {                                             \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                                     \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_sub(volatile T* a, T v, int) {                                             \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                                     \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_and(volatile T* a, T v, int) {                                             \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                                     \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_or(volatile T* a, T v, int) {                                              \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                                      \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_xor(volatile T* a, T v, int) {                                             \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                                     \
  }                                                                                                        \
  T __tsan_atomic##bits##_fetch_nand(volatile T* a, T v, int) {                                            \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                                   \
  }                                                                                                        \
  int __tsan_atomic##bits##_compare_exchange_strong(volatile T* a, T* c, T v, int, int) {                  \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                \
  }                                                                                                        \
  int __tsan_atomic##bits##_compare_exchange_weak(volatile T* a, T* c, T v, int, int) {                    \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                \
  }                                                                                                        \
  T __tsan_atomic##bits##_compare_exchange_val(volatile T* a, T c, T v, int, int) {                        \
    record(SITE, a, sizeof(T), ATOMIC);                                                                    \
    __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                      \
    return c;                                                                                              \
  }
CHK_PROFILE_ATOMIC(8, char)
CHK_PROFILE_ATOMIC(16, short)
CHK_PROFILE_ATOMIC(32, int)
CHK_PROFILE_ATOMIC(64, long)
#undef CHK_PROFILE_ATOMIC

}  // extern "C"
