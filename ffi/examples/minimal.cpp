// cherenkov from C++: an NTT of 2^10 BabyBear elements on the best backend here. The README
// shows this file; ffi/tests/suite/c_example.rs compiles and runs it.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "cherenkov.h"

static void check(ChkStatus s) {
    if (s != CHK_OK) throw std::runtime_error(chk_last_error());
}

int main() {
    ChkEngine *raw = nullptr;
    check(chk_engine_new(CHK_BACKEND_AUTO, &raw));  // cuda if usable, else cpu
    std::unique_ptr<ChkEngine, decltype(&chk_engine_free)> engine(raw, chk_engine_free);

    std::vector<uint32_t> v(1 << 10);
    for (uint32_t i = 0; i < v.size(); i++) v[i] = i;  // canonical BabyBear elements
    check(chk_ntt(engine.get(), CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, v.data(), v.size(),
                  /*width=*/1, CHK_NTT_FORWARD, /*flags=*/0, /*coset_shift=*/nullptr));
    std::printf("%s: ntt[0] = %u, ntt[1] = %u\n", chk_engine_name(engine.get()), v[0], v[1]);
    return 0;
}
