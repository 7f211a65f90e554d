use charm_macros::{when, when_all, when_any, when_none, when_not, when_not_all};
use charm_runtime::Flags;

// The same flag required set and unset.
#[when("db.available", "app.installed")]
#[when_not("app.configured", "db.available")]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

// The other way round: the error is at the second occurrence.
#[when_none("app.started")]
#[when_all("app.installed", "app.started")]
fn start(flags: Flags) {
    flags.set("app.started");
}

// Every flag of the `when_not_all` group is required set.
#[when("tls.cert", "tls.key")]
#[when_not_all("tls.cert", "tls.key")]
fn tls_incomplete(flags: Flags) {
    flags.set("tls.incomplete");
}

// Every flag of the `when_any` group is required unset.
#[when_any("cache.redis", "cache.memcached")]
#[when_none("cache.redis")]
#[when_not("cache.memcached")]
fn use_cache(flags: Flags) {
    flags.set("app.cached");
}

fn main() {}
