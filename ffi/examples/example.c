/* cherenkov from C: an NTT, a Merkle root with an opening, and an MSM.
 *
 *   cc -std=c11 -I ffi/include ffi/examples/example.c target/release/libcherenkov_ffi.a \
 *      -lstdc++ -lpthread -ldl -lm -o example && ./example cpu
 *
 * Prints the results as hex words ("ntt ...", "root ...", "msm ...") and checks what it can
 * check by itself: the inverse NTT gives the input back, the opening verifies and a tampered
 * one does not, and bad inputs get their error codes. ffi/tests/suite/c_example.rs compiles and runs
 * it and compares the printed results with Plonky3's and arkworks' on the same inputs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherenkov.h"

#define CHECK(call)                                                                   \
    do {                                                                              \
        ChkStatus s_ = (call);                                                        \
        if (s_ != CHK_OK) {                                                           \
            fprintf(stderr, "%s:%d: %s -> %d: %s\n", __FILE__, __LINE__, #call, s_,   \
                    chk_last_error());                                                \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);       \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

static void print_u32(const char *label, const uint32_t *v, size_t n) {
    printf("%s", label);
    for (size_t i = 0; i < n; i++) printf(" %08" PRIx32, v[i]);
    printf("\n");
}

static void print_u64(const char *label, const uint64_t *v, size_t n) {
    printf("%s", label);
    for (size_t i = 0; i < n; i++) printf(" %016" PRIx64, v[i]);
    printf("\n");
}

/* k·G on BN254 G1, as an MSM of one point. */
static void g1_mul(ChkEngine *e, const uint64_t g[8], uint64_t k, uint64_t out[8]) {
    uint64_t scalar[4] = {k, 0, 0, 0};
    CHECK(chk_msm_g1(e, CHK_ENCODING_CANONICAL, g, scalar, 1, CHK_MSM_VALIDATE, out));
}

int main(int argc, char **argv) {
    uint32_t backend = CHK_BACKEND_CPU;
    if (argc > 1 && strcmp(argv[1], "emu") == 0) backend = CHK_BACKEND_EMU;
    ChkEngine *e = NULL;
    CHECK(chk_engine_new(backend, &e));
    fprintf(stderr, "cherenkov %s on %s\n", chk_version(), chk_engine_name(e));

    /* NTT: BabyBear, 16 rows of 2 columns, x[i] = i*i + 7 (canonical integers). */
    enum { ROWS = 16, COLS = 2 };
    uint32_t data[ROWS * COLS], input[ROWS * COLS];
    for (uint32_t i = 0; i < ROWS * COLS; i++) input[i] = data[i] = i * i + 7;
    CHECK(chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, data, ROWS * COLS, COLS,
                  CHK_NTT_FORWARD, 0, NULL));
    print_u32("ntt", data, ROWS * COLS);
    CHECK(chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, data, ROWS * COLS, COLS,
                  CHK_NTT_INVERSE, 0, NULL));
    EXPECT(memcmp(data, input, sizeof data) == 0);

    /* Merkle: two BabyBear matrices, 8x3 and 4x2, Plonky3's Poseidon2-16 constants. */
    uint32_t a[8 * 3], b[4 * 2];
    for (uint32_t i = 0; i < 8 * 3; i++) a[i] = i * 31 + 5;
    for (uint32_t i = 0; i < 4 * 2; i++) b[i] = i * 17 + 1;
    const uint32_t *matrices[2] = {a, b};
    size_t heights[2] = {8, 4}, widths[2] = {3, 2};
    ChkMerkleTree *tree = NULL;
    CHECK(chk_merkle_commit(e, CHK_FIELD_BABYBEAR, CHK_POSEIDON2_PLONKY3, CHK_ENCODING_CANONICAL,
                            matrices, heights, widths, 2, &tree));
    uint32_t root[8];
    CHECK(chk_merkle_root(tree, root));
    print_u32("root", root, 8);
    size_t values_len = 0, proof_len = 0;
    CHECK(chk_merkle_opening_len(tree, &values_len, &proof_len));
    EXPECT(values_len == 5 && proof_len == 24);
    uint32_t values[5], proof[24];
    CHECK(chk_merkle_open(tree, 6, values, values_len, proof, proof_len));
    int32_t valid = -1;
    CHECK(chk_merkle_verify(CHK_FIELD_BABYBEAR, CHK_POSEIDON2_PLONKY3, CHK_ENCODING_CANONICAL, root,
                            heights, widths, 2, 6, values, values_len, proof, proof_len, &valid));
    EXPECT(valid == 1);
    values[4] ^= 1;
    CHECK(chk_merkle_verify(CHK_FIELD_BABYBEAR, CHK_POSEIDON2_PLONKY3, CHK_ENCODING_CANONICAL, root,
                            heights, widths, 2, 6, values, values_len, proof, proof_len, &valid));
    EXPECT(valid == 0);
    chk_merkle_free(tree);

    /* MSM on BN254 G1: bases k·G for k = 1..4 (G = (1, 2)), scalars 5, 0, r - 1, 2^200. */
    uint64_t g[8] = {1, 0, 0, 0, 2, 0, 0, 0};
    uint64_t bases[4 * 8];
    for (int k = 0; k < 4; k++) g1_mul(e, g, (uint64_t)k + 1, bases + 8 * k);
    uint64_t scalars[4 * 4] = {
        5, 0, 0, 0,
        0, 0, 0, 0,
        0x43e1f593f0000000ull, 0x2833e84879b97091ull, 0xb85045b68181585dull, 0x30644e72e131a029ull,
        0, 0, 0, 1ull << 8,
    };
    uint64_t sum[8];
    CHECK(chk_msm_g1(e, CHK_ENCODING_CANONICAL, bases, scalars, 4, CHK_MSM_VALIDATE, sum));
    print_u64("msm", sum, 8);

    /* Bad inputs get their codes, and a panic inside Rust is a code too. */
    EXPECT(chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, NULL, 16, 1, CHK_NTT_FORWARD, 0,
                   NULL) == CHK_ERR_NULL_POINTER);
    EXPECT(chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, data, 12, 1, CHK_NTT_FORWARD, 0,
                   NULL) == CHK_ERR_NOT_POWER_OF_TWO);
    data[3] = 0x78000001u; /* p */
    EXPECT(chk_ntt(e, CHK_FIELD_BABYBEAR, CHK_ENCODING_CANONICAL, data, 16, 1, CHK_NTT_FORWARD, 0,
                   NULL) == CHK_ERR_NON_CANONICAL);
    uint64_t off_curve[8] = {1, 0, 0, 0, 3, 0, 0, 0};
    EXPECT(chk_msm_g1(e, CHK_ENCODING_CANONICAL, off_curve, scalars, 1, CHK_MSM_VALIDATE, sum) ==
           CHK_ERR_NOT_ON_CURVE);
    EXPECT(chk_selftest_panic() == CHK_ERR_PANIC);
    EXPECT(strstr(chk_last_error(), "panic") != NULL);
    printf("errors ok\n");

    chk_engine_free(e);
    return 0;
}
