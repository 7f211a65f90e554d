//! Compile-time behaviour of the `charm-macros` attributes: what compiles,
//! and the error each mistake gives (`ui/fail/*.stderr`).
//!
//! Regenerate the expected output after changing a message with
//! `TRYBUILD=overwrite cargo test -p workspace-tests --test ui`, then read
//! every changed `.stderr`.

/// The cases of `ui/metadata/` are compiled with `CHARM_DIR` naming
/// `ui/metadata/charm`, whose metadata.yaml and actions.yaml the macros
/// check relation and action names against; the other cases without a
/// charm directory (trybuild's generated crate has no metadata.yaml), so
/// without those checks. One test, run in sequence: the environment
/// variable is the process's, and trybuild's cargo inherits it.
#[test]
fn ui() {
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("ui/fail/*.rs");
        t.pass("ui/pass/*.rs");
        // Runs the cases here, when dropped.
    }
    let charm = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/metadata/charm");
    // SAFETY: this test binary has this one test, and no other thread
    // reads or writes the environment while it runs.
    unsafe { std::env::set_var("CHARM_DIR", charm) };
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/metadata/fail/*.rs");
    t.pass("ui/metadata/pass/*.rs");
}
