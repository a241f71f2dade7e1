// BN254 G2: y^2 = x^3 + 3/(9 + u) over Fq2. The MSM never needs the curve's b (XYZZ additions
// and doublings with a = 0 do not use it), so G2 is G1's point templates over Fq2.
#pragma once
#include "ec/bn254_g1.cuh"
#include "ec/fp2.cuh"

using bn254_fq2_t = fp2_t<bn254_fq_t>;
using bn254_g2_affine_t = affine_t<bn254_fq2_t>;
using bn254_g2_xyzz_t = xyzz_t<bn254_fq2_t>;
