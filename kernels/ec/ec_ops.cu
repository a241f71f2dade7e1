// Entry points for BN254 G1 point arithmetic: the curve cross-check under the MSM.
#include "ec/bn254_g1.cuh"

// Must match cherenkov::field::curve::G1Op.
enum ec_op : uint32_t { EC_ADD, EC_ADD_AFFINE, EC_DBL, EC_NEG };

extern "C" __global__ void chk_ec_bn254_g1_ops(uint32_t op, const bn254_g1_xyzz_t* a, const bn254_g1_xyzz_t* b,
                                               const bn254_g1_affine_t* c, bn254_g1_xyzz_t* out, uint64_t n) {
  for (uint64_t i = CHK_GLOBAL_TID(); i < n; i += CHK_GRID_STRIDE()) {
    switch (op) {
      case EC_ADD: out[i] = a[i].add(b[i]); break;
      case EC_ADD_AFFINE: out[i] = a[i].add_affine(c[i]); break;
      case EC_DBL: out[i] = a[i].dbl(); break;
      case EC_NEG: out[i] = a[i].neg(); break;
      default: out[i] = bn254_g1_xyzz_t::inf(); break;
    }
  }
}
