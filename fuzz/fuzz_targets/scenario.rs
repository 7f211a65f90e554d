//! Scenario files (`cargo charm sim <file>`): parsing never panics, every
//! refusal is a `ScenarioError` with a location.
#![no_main]

use charm_sim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Scenario::parse(text, "fuzz.yaml") {
        let _ = (e.to_string(), e.location());
    }
});
