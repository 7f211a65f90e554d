//! Attribute macros that register functions as reactive handlers of
//! [`charm_runtime`](../charm_runtime/index.html), as the decorators of
//! Python's `charms.reactive` do.
//!
//! ```
//! use charm_macros::{hook, when, when_not};
//! use charm_runtime::{Flags, HookOptions, Kv, MemoryStore, Registry, run_hook};
//!
//! #[hook("install")]
//! fn install(flags: Flags) {
//!     flags.set("app.installed");
//! }
//!
//! /// Doc comments and other attributes stay on the function.
//! #[when("app.installed")]
//! #[when_not("app.configured")]
//! fn configure(flags: Flags, kv: &Kv) -> Result<(), String> {
//!     kv.set("port", &8080).map_err(|e| e.to_string())?;
//!     flags.set("app.configured");
//!     Ok(())
//! }
//!
//! # fn main() {
//! // Every handler registered in this module, in source order.
//! let registry = Registry::from_inventory(module_path!()).unwrap();
//! let mut unit_state = MemoryStore::new();
//! let outcome = run_hook(&registry, &mut unit_state, HookOptions::new("install"));
//! assert!(outcome.is_ok());
//! assert_eq!(unit_state.flags(), ["app.configured", "app.installed"]);
//! # }
//! ```
//!
//! # Conditions
//!
//! | attribute | charms.reactive | the handler runs when |
//! | --- | --- | --- |
//! | [`#[when("a", "b")]`](macro@when), [`#[when_all]`](macro@when_all) | `@when`, `@when_all` | every flag is set |
//! | [`#[when_any("a", "b")]`](macro@when_any) | `@when_any` | at least one flag is set |
//! | [`#[when_not("a", "b")]`](macro@when_not), [`#[when_none]`](macro@when_none) | `@when_not`, `@when_none` | no flag is set |
//! | [`#[when_not_all("a", "b")]`](macro@when_not_all) | `@when_not_all` | at least one flag is unset |
//! | [`#[hook("install")]`](macro@hook) | `@hook` | the hook matches, in the hook phase |
//! | [`#[when_file_changed("/etc/x")]`](macro@when_file_changed) | `@when_file_changed` | a file's content changed |
//! | [`#[only_once]`](macro@only_once) | `@only_once` | it never ran before on this unit |
//! | [`#[not_unless("a")]`](macro@not_unless) | `@not_unless` | (not a condition: warns if a flag is unset) |
//!
//! The attributes stack, and their conditions combine with AND. The
//! outermost one expands the function: it takes the others of this crate
//! off the item (recognized by name, also when written
//! `#[charm_macros::when]`) and registers one handler. The handler id is
//! `module::path::function`; `Registry::from_inventory(prefix)` collects
//! the handlers of a module tree ordered by module path, then source line.
//!
//! # Arguments and return value
//!
//! Each argument declared `T`, `&T` or `&mut T` is extracted as a `T`
//! through `charm_runtime::Extract` before the call: `Flags`, `Kv`, `Ctx`,
//! or a type of yours that implements it. Patterns work (`mut flags:
//! Flags`, `_: Kv`). The function returns `()` or `Result<(), E>` with
//! `E: Display`; an `Err` fails the hook and nothing of it is committed.
//!
//! # Checked when the handler compiles
//!
//! - flag names: not empty, no whitespace, balanced braces, no
//!   placeholder but `{endpoint_name}`, which only handlers of an
//!   `#[interface]` impl may use;
//! - hook patterns: every alternative of `{a,b}` is a Juju hook (with a
//!   "did you mean" for typos), `{role:interface}` has a known role, and no
//!   `#[hook]` names a restricted-mode hook (`collect-metrics`,
//!   `meter-status-changed`), in which `@hook` handlers never run;
//! - conditions that rule each other out (a flag required both set and
//!   unset, `#[hook]` with a `when*` condition);
//! - the item: a non-generic, non-`async`, non-`unsafe` function without
//!   `self`; argument and return types are checked by the compiler at the
//!   type, through the traits above.

mod errors;
mod expand;
mod hooks;
mod model;
mod parse;
mod validate;

use proc_macro::TokenStream;

use crate::model::Kind;

fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    expand::handler(kind, args.into(), item.into()).into()
}

/// Run the handler when every flag is set; charms.reactive's `@when`.
///
/// Takes one or more flag names. Stack several `#[when]` or combine it
/// with the other attributes of this crate: the conditions combine with
/// AND.
///
/// ```
/// use charm_macros::when;
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[when("db.available", "config.set.port")]
/// fn configure(flags: Flags) {
///     flags.set("app.configured");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert!(store.flags().is_empty()); // the flags are not set
/// # }
/// ```
#[proc_macro_attribute]
pub fn when(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::When, args, item)
}

/// Run the handler when every flag is set; charms.reactive's `@when_all`,
/// the same as [`macro@when`].
///
/// ```
/// use charm_macros::{hook, when_all};
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("install")]
/// fn install(flags: Flags) {
///     flags.set("a");
///     flags.set("b");
/// }
///
/// #[when_all("a", "b")]
/// fn both(flags: Flags) {
///     flags.set("both");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert_eq!(store.flags(), ["a", "b", "both"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_all(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenAll, args, item)
}

/// Run the handler when at least one of the flags is set;
/// charms.reactive's `@when_any`.
///
/// ```
/// use charm_macros::{hook, when_any};
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("install")]
/// fn install(flags: Flags) {
///     flags.set("cache.redis");
/// }
///
/// #[when_any("cache.redis", "cache.memcached")]
/// fn use_cache(flags: Flags) {
///     flags.set("app.cached");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert_eq!(store.flags(), ["app.cached", "cache.redis"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_any(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenAny, args, item)
}

/// Run the handler when none of the flags is set; charms.reactive's
/// `@when_not`.
///
/// ```
/// use charm_macros::when_not;
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[when_not("app.installed")]
/// fn install(flags: Flags) {
///     flags.set("app.installed");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("start"));
/// assert_eq!(outcome.invoked.len(), 1); // then the flag is set
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_not(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenNot, args, item)
}

/// Run the handler when none of the flags is set; charms.reactive's
/// `@when_none`, the same as [`macro@when_not`].
///
/// ```
/// use charm_macros::when_none;
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[when_none("db.available", "db.external")]
/// fn need_db(flags: Flags) {
///     flags.set("app.blocked");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("start"));
/// assert_eq!(store.flags(), ["app.blocked"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_none(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenNone, args, item)
}

/// Run the handler when at least one of the flags is unset;
/// charms.reactive's `@when_not_all`.
///
/// ```
/// use charm_macros::{hook, when_not_all};
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("install")]
/// fn install(flags: Flags) {
///     flags.set("tls.cert");
/// }
///
/// #[when_not_all("tls.cert", "tls.key")]
/// fn tls_incomplete(flags: Flags) {
///     flags.set("tls.incomplete");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert_eq!(store.flags(), ["tls.cert", "tls.incomplete"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_not_all(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenNotAll, args, item)
}

/// Run the handler in the hook phase when the hook matches one of the
/// patterns; charms.reactive's `@hook`.
///
/// A pattern is a Juju hook name, with `{a,b}` alternation
/// (`"{install,upgrade-charm}"`, `"db-relation-{joined,changed}"`) and
/// `{role:interface}` groups standing for every relation of that role and
/// interface in the charm's metadata (`"{requires:mysql}-relation-joined"`).
/// Each alternative must be a Juju hook: a typo is an error with a
/// suggestion. A `#[hook]` handler cannot also have `when*` conditions: it
/// would never run.
///
/// ```
/// use charm_macros::hook;
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("{install,upgrade-charm}")]
/// fn install(flags: Flags) {
///     flags.set("app.installed");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("upgrade-charm"));
/// assert_eq!(store.flags(), ["app.installed"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn hook(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Hook, args, item)
}

/// Run the handler when the content of one of the files changed since the
/// last check; charms.reactive's `@when_file_changed`.
///
/// A missing file counts as a content of its own. Every file's hash is
/// recorded each time the condition is tested.
///
/// ```
/// use charm_macros::{when, when_file_changed};
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[when("app.started")]
/// #[when_file_changed("/etc/hostname")]
/// fn restart(flags: Flags) {
///     flags.set("app.restart-needed");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// assert_eq!(registry.len(), 1);
/// # }
/// ```
#[proc_macro_attribute]
pub fn when_file_changed(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::WhenFileChanged, args, item)
}

/// Run the handler at most once over the unit's life; charms.reactive's
/// `@only_once`. Takes no argument (`#[only_once]` or `#[only_once()]`).
///
/// ```
/// use charm_macros::{hook, only_once};
/// use charm_runtime::{Kv, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("{install,upgrade-charm}")]
/// #[only_once]
/// fn first_setup(kv: Kv) -> Result<(), charm_runtime::StateError> {
///     let runs: u32 = kv.get("runs")?.unwrap_or(0);
///     kv.set("runs", &(runs + 1))
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// run_hook(&registry, &mut store, HookOptions::new("install"));
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("upgrade-charm"));
/// assert!(outcome.invoked.is_empty());
/// # }
/// ```
#[proc_macro_attribute]
pub fn only_once(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::OnlyOnce, args, item)
}

/// Log a warning when the handler runs while one of the flags is unset;
/// charms.reactive's `@not_unless`.
///
/// It is an assertion, not a condition: the handler still runs, and it
/// needs at least one condition of its own.
///
/// ```
/// use charm_macros::{hook, not_unless};
/// use charm_runtime::{Flags, HookOptions, MemoryStore, Registry, run_hook};
///
/// #[hook("config-changed")]
/// #[not_unless("app.installed")]
/// fn reconfigure(flags: Flags) {
///     flags.set("app.configured");
/// }
///
/// # fn main() {
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// // Logs "... called before flag: app.installed", and runs.
/// run_hook(&registry, &mut store, HookOptions::new("config-changed"));
/// assert_eq!(store.flags(), ["app.configured"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn not_unless(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::NotUnless, args, item)
}
