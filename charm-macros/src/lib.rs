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
//! | [`#[action("backup")]`](macro@action) | (an action script) | Juju runs the action; alone: no other condition |
//!
//! The attributes stack, and their conditions combine with AND. The
//! outermost one expands the function: it takes the others of this crate
//! off the item (recognized by name, also when written
//! `#[charm_macros::when]`) and registers one handler. The handler id is
//! `module::path::function`; `Registry::from_inventory(prefix)` collects
//! the handlers of a module tree ordered by module path, then source line.
//!
//! # Interfaces
//!
//! [`#[interface("name")]`](macro@interface) on a struct wrapping an
//! `Endpoint<'a>` makes a typed endpoint of that interface, a handler
//! argument resolved from the handler's flags; `#[interface]` on its impl
//! block makes the methods with handler attributes *interface handlers*,
//! registered by `Registry::for_charm(prefix, &metadata)` once per endpoint
//! of that interface, with `{endpoint_name}` replaced in their flags and
//! hook patterns, as charms.reactive instantiates an interface layer's
//! handlers. `Registry::from_inventory` leaves them out.
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
//!   `#[interface]` impl may use (there also in hook patterns);
//! - hook patterns: every alternative of `{a,b}` is a Juju hook (with a
//!   "did you mean" for typos), `{role:interface}` has a known role, and no
//!   `#[hook]` names a restricted-mode hook (`collect-metrics`,
//!   `meter-status-changed`), in which `@hook` handlers never run;
//! - conditions that rule each other out (a flag required both set and
//!   unset, `#[hook]` with a `when*` condition), and `#[action]` with any
//!   other condition;
//! - action names: Juju's rule (lowercase letters, digits, hyphens);
//! - against the charm's own files, when the crate being compiled is a
//!   charm (see below): the relation names of hook patterns
//!   (`cache-relation-joined`) and of `endpoint.<name>.*` flag literals
//!   must be declared in its metadata, and `#[action]` names in its
//!   actions, with a "did you mean" for typos;
//! - the item: a non-generic, non-`async`, non-`unsafe` function without
//!   `self`, or a method of an `#[interface]` impl taking `self`, `&self`
//!   or `&mut self`; argument and return types are checked by the compiler
//!   at the type, through the traits above;
//! - `#[interface]`: a struct with one lifetime and one `Endpoint` field, a
//!   valid interface name and role; on an impl, an inherent impl of such a
//!   type (a type that is not one is reported by the compiler).
//!
//! The names follow the rules of the `charm-names` crate, which the runtime
//! shares.
//!
//! # Flag constants
//!
//! Every flag attribute (`when`, `when_all`, `when_any`, `when_not`,
//! `when_none`, `when_not_all`, `not_unless`) also takes paths to
//! `charm_runtime::Flag` constants, whose names are checked when the
//! constant is defined (`Flag::new` is a `const fn`); a path to anything
//! else is a type error at the path. A constant with `{endpoint_name}` is
//! only accepted in an `#[interface]` impl. Checks that compare flags with
//! each other (a flag required both set and unset) and against the charm's
//! metadata only see literals.
//!
//! ```
//! use charm_macros::{hook, when, when_not};
//! use charm_runtime::{Flag, Flags};
//!
//! const INSTALLED: Flag = Flag::new("app.installed");
//!
//! mod flags {
//!     pub const CONFIGURED: charm_runtime::Flag = charm_runtime::Flag::new("app.configured");
//! }
//!
//! #[hook("install")]
//! fn install(flags: Flags) {
//!     flags.set(INSTALLED.name());
//! }
//!
//! #[when(INSTALLED)]
//! #[when_not(flags::CONFIGURED, "app.blocked")]
//! fn configure(flags: Flags) {
//!     flags.set(flags::CONFIGURED.name());
//! }
//! # fn main() {
//! # let registry = charm_runtime::Registry::from_inventory(module_path!()).unwrap();
//! # let mut store = charm_runtime::MemoryStore::new();
//! # charm_runtime::run_hook(&registry, &mut store, charm_runtime::HookOptions::new("install"));
//! # assert_eq!(store.flags(), ["app.configured", "app.installed"]);
//! # }
//! ```
//!
//! # The charm's metadata
//!
//! When the crate being compiled is a charm, the macros read its
//! `metadata.yaml` (or, without it, a `charmcraft.yaml` with the metadata
//! keys) and its `actions.yaml` (or the `actions` key of `charmcraft.yaml`)
//! to check the names above. They look for them in the directory named by
//! the `CHARM_DIR` environment variable at compile time (relative to the
//! crate's directory when relative), else in the crate's directory
//! (`CARGO_MANIFEST_DIR`). Without these files (library and interface
//! crates), or when they cannot be parsed, nothing is checked. The crate
//! is compiled again when a file read or `CHARM_DIR` changes (not when a
//! file absent at the last compilation appears: touch a source file then).

#![deny(missing_docs)]

mod charm;
mod errors;
mod expand;
mod interface;
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

/// Run the handler when Juju runs the action; the action handlers of
/// charm-runtime (charms.reactive has no action decorator: its actions are
/// scripts of their own, outside the reactive bus).
///
/// Takes the action name, as declared in `actions.yaml`: lowercase letters,
/// digits and hyphens. When Juju runs the action, its handlers run in
/// registration order, and nothing else does: no hook or flag handler, no
/// atstart/atexit callback, no automatic flags. An action handler has no
/// other condition (`#[not_unless]` is allowed). Its flag changes and unit
/// data persist when it succeeds; an `Err` fails the action with
/// `action-fail` and discards its changes. Take the parameters as a
/// `charm_runtime::action::ActionParams` argument and return results with
/// `HookContext::action_set`; see `charm_runtime::action`.
///
/// ```
/// use charm_macros::action;
/// use charm_runtime::action::ActionParams;
/// use charm_runtime::{Ctx, Error};
///
/// #[action("snapshot")]
/// fn snapshot(ctx: Ctx, params: ActionParams) -> Result<(), Error> {
///     let volume: String = params.get("volume")?.unwrap_or_else(|| "data".to_owned());
///     ctx.action_set("snapshot.volume", &volume)?;
///     ctx.flags().set("app.snapshot-taken");
///     Ok(())
/// }
///
/// # fn main() {
/// let registry = charm_runtime::Registry::from_inventory(module_path!()).unwrap();
/// assert_eq!(registry.action_names(), ["snapshot"]);
/// # }
/// ```
#[proc_macro_attribute]
pub fn action(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Action, args, item)
}

/// A typed endpoint of one interface, and its handlers; charms.reactive's
/// interface layers (`Endpoint` subclasses).
///
/// On a struct whose only field is an `Endpoint<'a>`,
/// `#[interface("name")]` implements `charm_runtime::endpoint::Interface`
/// with that interface name, makes the type a handler argument (resolved
/// from the handler's flags, as charms.reactive's `endpoint_from_flag`,
/// among the relations of that interface) and derefs it to its `Endpoint`.
/// `#[interface("http", role = "provides")]` limits it to the endpoints of
/// one metadata section, as an interface layer's `provides.py`.
///
/// On the impl block of such a type, `#[interface]` turns every method
/// carrying handler attributes into an *interface handler*: instantiated by
/// `Registry::for_charm` (what `charm_runtime::main` runs with) once per
/// endpoint of the charm's metadata with that interface, with
/// `{endpoint_name}` replaced by the endpoint's name in its flags and hook
/// patterns. Such a method may take `self`, `&self` or `&mut self`: the
/// typed endpoint it was instantiated for. Its id is
/// `module::path::Type::method:endpoint`.
///
/// ```
/// use charm_macros::{interface, when, when_not};
/// use charm_runtime::endpoint::Endpoint;
/// use charm_runtime::metadata::Metadata;
/// use charm_runtime::{Flags, Registry};
///
/// #[interface("hacluster")]
/// pub struct Hacluster<'a>(Endpoint<'a>);
///
/// #[interface]
/// impl Hacluster<'_> {
///     #[when("endpoint.{endpoint_name}.joined")]
///     #[when_not("{endpoint_name}.connected")]
///     fn joined(&self) {
///         self.set_flag("{endpoint_name}.connected");
///     }
/// }
///
/// /// A charm handler taking the typed endpoint its flag names.
/// #[when("ha.connected")]
/// fn configure_ha(ha: &Hacluster, flags: Flags) {
///     let _ = ha.name();
///     flags.set("app.clustered");
/// }
///
/// # fn main() {
/// let meta = Metadata::parse("name: app\nrequires: {ha: hacluster}", "metadata.yaml").unwrap();
/// let registry = Registry::for_charm(module_path!(), &meta).unwrap();
/// assert_eq!(registry.handler_ids().len(), 2);
/// assert!(registry.handler_ids()[0].ends_with("::Hacluster::joined:ha"));
/// let config = charm_runtime::metadata::ConfigSchema::default();
/// assert!(charm_runtime::Charm::new(meta, config, None, registry).is_ok());
/// # }
/// ```
#[proc_macro_attribute]
pub fn interface(args: TokenStream, item: TokenStream) -> TokenStream {
    interface::expand(args.into(), item.into()).into()
}
