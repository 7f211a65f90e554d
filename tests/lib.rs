//! Workspace-level tests live in `tests/*.rs` as test targets.
