//! The checked-in header is what cbindgen makes of the crate now: a changed signature without a
//! regenerated header fails here. `CHERENKOV_BLESS=1` rewrites it instead.

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("ffi/cbindgen.toml parses");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8");
    let path = dir.join("include/cherenkov.h");
    if std::env::var_os("CHERENKOV_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/cherenkov.h");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "ffi/include/cherenkov.h is stale: regenerate it with \
         `CHERENKOV_BLESS=1 cargo test --release -p cherenkov-ffi --test suite -- header::`"
    );
    for name in ["chk_ntt", "chk_lde", "chk_poseidon2_permute", "chk_merkle_commit", "chk_merkle_verify", "chk_msm_g2"]
    {
        assert!(generated.contains(&format!("{name}(")), "{name} is in the header");
    }
}
