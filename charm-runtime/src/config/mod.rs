//! The charm's config values in one hook, and the config flags that
//! charms.reactive's layer-basic manages.
//!
//! [`ConfigValues`] holds what `config-get --all --format=json` returns, unset
//! options as `null`. Read one option with [`ConfigValues::get`] or the whole
//! config into your own struct with [`ConfigValues::typed`]:
//!
//! ```
//! use charm_runtime::config::ConfigValues;
//! use serde::Deserialize;
//! use serde_json::json;
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "kebab-case")]
//! struct MyConfig {
//!     port: u16,
//!     vip: Option<String>,
//! }
//!
//! let config = ConfigValues::from_json(r#"{"port": 8080, "vip": null}"#).unwrap();
//! let mine: MyConfig = config.typed().unwrap();
//! assert_eq!((mine.port, mine.vip), (8080, None));
//! assert_eq!(config.get::<u16>("port").unwrap(), Some(8080));
//! assert_eq!(config.get::<String>("vip").unwrap(), None);
//!
//! let bad = ConfigValues::from_json(r#"{"port": "eighty", "vip": null}"#).unwrap();
//! assert_eq!(
//!     bad.typed::<MyConfig>().err().unwrap().to_string(),
//!     r#"config option "port": invalid type: a string of 6 bytes (not shown), expected u16"#
//! );
//! ```
//!
//! # The managed config flags
//!
//! [`ConfigFlags::compute`] reproduces the flags layer-basic maintains
//! (`lib/charms/layer/basic.py`, functions `init_config_states` and
//! `clear_config_states`, registered in `hooks/hook.template` with
//! charm-helpers' `hookenv.atstart` and `hookenv.atexit`; read from the
//! `canonical/layer-basic` repository, formerly `juju-solutions/layer-basic`,
//! at its current master). The previous values come from charm-helpers'
//! `hookenv.Config` (`charmhelpers/core/hookenv.py`), which layer-basic
//! calls for `changed()`. The rules, stated as facts about that code:
//!
//! *Before the handlers run* (`init_config_states`, an `atstart` callback),
//! for each option declared in `config.yaml`, in file order:
//!
//! 1. if the option **changed** (below), set `config.changed` and
//!    `config.changed.<option>`;
//! 2. set `config.set.<option>` if the option's value is *truthy* in
//!    Python, clear it otherwise (`toggle_state`);
//! 3. set `config.default.<option>` if the value equals (Python `==`) the
//!    option's default in `config.yaml` (`None` when it has none), clear it
//!    otherwise.
//!
//! Options not declared in `config.yaml` get none of these; without a
//! `config.yaml` no flag is set.
//!
//! *After a successful hook* (`clear_config_states`, an `atexit` callback,
//! run only when the hook succeeded): clear `config.changed`, and for every
//! key of the config, clear `config.changed.<key>`, `config.set.<key>` and
//! `config.default.<key>`. So none of these flags outlives the hook that
//! set it: handlers see them only during that hook.
//!
//! *Changed* (charm-helpers `Config.changed`): when there is no previous
//! config at all (the first hook, or an unreadable or empty previous
//! file), every option has changed. Otherwise an option changed when its
//! previous value (`None` if it had none) differs (Python `!=`) from its
//! current value.
//!
//! *The config and the previous config* (charm-helpers `Config`): the
//! config is `config-get --all` plus every key of the previous config that
//! Juju no longer reports, with its previous value (`load_previous`). This
//! merged dict is what the rules above read, and what charm-helpers saves
//! as the next hook's previous config (as JSON in
//! `$CHARM_DIR/.juju-persistent-config`, at exit of a successful hook;
//! not in unitdata). Hence an option removed from the charm keeps its
//! last value forever, gets no flag at start (it is not declared) and
//! has its flags cleared at exit.
//!
//! Python semantics used: *truthy* is anything but `None`, `False`, `0`,
//! `0.0`, `""`, `[]` and `{}`; `==` compares numbers by value across
//! integers, floats and booleans (`1 == 1.0 == True`), strings, lists and
//! mappings structurally.
//!
//! Differences, chosen on purpose: options are visited in name order, not
//! file order (only the order of flag changes within one batch differs);
//! the schema may come from `charmcraft.yaml` too; the default compared is
//! the default as Juju coerces it (an `int` default written `"8080"` is
//! 8080, which layer-basic would compare as the string `"8080"` and so
//! never find equal).

mod error;
mod flags;
mod schema;
mod typed;
mod values;

pub use error::{ConfigError, ConfigProblem};
pub(crate) use flags::manage_flags;
pub use flags::{ConfigFlags, FlagOp, PREVIOUS_CONFIG_KEY};
pub use schema::{ConfigOption, ConfigSchema, OptionType};
pub use typed::Config;
pub use values::ConfigValues;
