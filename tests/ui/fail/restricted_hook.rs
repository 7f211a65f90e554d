use charm_macros::hook;
use charm_runtime::Kv;

#[hook("collect-metrics")]
fn metrics(kv: Kv) {
    let _ = kv;
}

#[hook("{update-status,meter-status-changed}")]
fn status(kv: Kv) {
    let _ = kv;
}

fn main() {}
