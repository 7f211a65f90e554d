//! Compile-time behaviour of the `charm-macros` attributes: what compiles,
//! and the error each mistake gives (`ui/fail/*.stderr`).
//!
//! Regenerate the expected output after changing a message with
//! `TRYBUILD=overwrite cargo test -p workspace-tests --test ui`, then read
//! every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
