//! The hook environment: `HookEnv::from_os_vars` (values as raw bytes, as
//! the process environment holds them), `HookEnv::from_vars` and
//! `tool_timeout`. The input is lines: the first is argv0, each other is
//! `NAME=value` (bytes, not necessarily UTF-8).
//!
//! Properties: no panic; errors are `EnvError`s; a parsed relation id
//! prints as a string that parses back to it; the UTF-8 and raw entry
//! points agree when every value is UTF-8.
#![no_main]

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use charm_runtime::backend::RelationId;
use charm_runtime::env::{HookEnv, tool_timeout};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let argv0 = lines
        .next()
        .filter(|l| !l.is_empty())
        .map(|l| Path::new(OsStr::from_bytes(l)));
    let vars: Vec<(&[u8], &[u8])> = lines
        .filter_map(|line| {
            let at = line.iter().position(|&b| b == b'=')?;
            Some((&line[..at], &line[at + 1..]))
        })
        .collect();
    // The last definition wins, as in a process environment built by
    // appending.
    let lookup = |name: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| *k == name.as_bytes())
            .map(|(_, v)| *v)
    };
    let raw = HookEnv::from_os_vars(
        |name| lookup(name).map(|v| OsString::from_vec(v.to_vec())),
        argv0,
    );
    if let Ok(env) = &raw {
        let _ = (env.name(), env.action(), env.app());
        let _ = env.unit_state_path(|name| {
            lookup(name).and_then(|v| std::str::from_utf8(v).ok().map(str::to_owned))
        });
        if let Some(id) = &env.relation_id {
            let printed = id.to_string();
            let back: RelationId = printed
                .parse()
                .unwrap_or_else(|e| panic!("relation id {printed:?} does not parse back: {e}"));
            assert_eq!(&back, id, "relation id round-trip");
        }
    }
    let all_utf8 = vars.iter().all(|(_, v)| std::str::from_utf8(v).is_ok());
    if all_utf8 {
        let text = HookEnv::from_vars(
            |name| lookup(name).map(|v| String::from_utf8(v.to_vec()).expect("checked UTF-8")),
            argv0,
        );
        assert_eq!(
            raw, text,
            "from_vars and from_os_vars disagree on UTF-8 input"
        );
    }
    if let Err(e) = tool_timeout(lookup("CHARM_TOOL_TIMEOUT").map(OsStr::from_bytes)) {
        let _ = e.to_string();
    }
});
