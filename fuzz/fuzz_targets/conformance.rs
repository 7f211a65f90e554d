//! Conformance specs (JSON): parsed, then run on the reactive core as the
//! conformance test does. A spec may be refused with a `SpecError` (a
//! malformed trigger, a duplicate handler) but never panics.
#![no_main]

use charm_runtime::conformance::{Spec, output_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = Spec::parse(text) else {
        return;
    };
    // A run is hooks × handlers dispatch loops; -max_len bounds both.
    if let Ok(outcomes) = spec.run() {
        for outcome in &outcomes {
            let _ = output_line(outcome);
        }
    }
});
