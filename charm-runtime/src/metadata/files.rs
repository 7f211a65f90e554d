//! The names of the files a charm describes itself in.

/// The classic metadata file.
pub const METADATA_FILE: &str = "metadata.yaml";
/// The classic config file.
pub const CONFIG_FILE: &str = "config.yaml";
/// The classic actions file.
pub const ACTIONS_FILE: &str = "actions.yaml";
/// The unified charmcraft file, read when a classic file is absent.
pub const CHARMCRAFT_FILE: &str = "charmcraft.yaml";
