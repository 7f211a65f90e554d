//! Everything a charm's handlers usually need, through one `use`:
//!
//! ```
//! use charm_runtime::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! struct Options { port: u16 }
//!
//! #[when("app.installed")]
//! #[when_not("app.started")]
//! fn start(ctx: Ctx, config: Config<Options>) -> Result<(), Error> {
//!     ctx.open_port(Port::tcp(config.port));
//!     ctx.status_set(Status::active(format!("listening on {}", config.port)));
//!     ctx.flags().set("app.started");
//!     Ok(())
//! }
//! # fn main() {}
//! ```

#[cfg(feature = "macros")]
pub use charm_macros::{
    action, hook, interface, not_unless, only_once, when, when_all, when_any, when_file_changed,
    when_none, when_not, when_not_all,
};

pub use crate::action::ActionParams;
pub use crate::backend::Port;
pub use crate::config::Config;
pub use crate::endpoint::{Endpoint, Relation};
pub use crate::error::Error;
pub use crate::reactive::{Ctx, Flags, HookContext, Kv, Level};
pub use crate::status::{Status, StatusState};
pub use charm_names::Flag;
