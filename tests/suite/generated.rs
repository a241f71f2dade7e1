//! Checked-in generated files stay in step with their generators.

use crate::common;

use cherenkov::field::params;

#[test]
fn field_params_header_is_current() {
    common::assert_generated(params::HEADER_PATH, &params::header(), "generated");
}

/// The generated constants against arithmetic done here, from p alone.
#[test]
fn field_params_are_consistent() {
    let h = params::header();
    let get = |field: &str, name: &str| -> u64 {
        let block = h.split(&format!("struct {field} {{")).nth(1).unwrap().split("};").next().unwrap();
        let line = block.lines().find(|l| l.contains(&format!(" {name} = "))).unwrap();
        let v = line.split(" = ").nth(1).unwrap().trim_end_matches([';', 'u', 'l']);
        u64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap()
    };
    for field in ["BabyBear", "KoalaBear"] {
        let p = get(field, "MOD");
        assert_eq!((p * get(field, "MU")) as u32, 1, "{field}: MU * p = 1 mod 2^32");
        assert_eq!(get(field, "ONE"), (1u64 << 32) % p);
        assert_eq!(get(field, "R2") as u128, (1u128 << 64) % p as u128);
    }
    for field in ["Bn254Fr", "Bn254Fq"] {
        assert_eq!(get(field, "MOD0").wrapping_mul(get(field, "INV")), u64::MAX, "{field}: INV = -p^-1 mod 2^64");
    }
}
