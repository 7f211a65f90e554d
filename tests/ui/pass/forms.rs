//! Less common forms: lifetimes, patterns, raw identifiers, `#[only_once()]`,
//! handlers in nested modules and function bodies, `impl Display` errors.

use std::rc::Rc;

use charm_macros::{hook, only_once, when};
use charm_runtime::log::NullSink;
use charm_runtime::{Flags, HookOptions, Kv, MemoryStore, Registry, run_hook};

#[hook("install")]
fn install<'a>(flags: Flags<'a>, _: Kv<'a>) {
    flags.set("a");
}

#[when("a")]
#[only_once()]
fn r#type(flags: Flags) -> Result<(), impl std::fmt::Display + use<>> {
    flags.set("b");
    Ok::<(), String>(())
}

mod nested {
    use charm_macros::when;
    use charm_runtime::Flags as F;

    #[when("b")]
    pub(crate) fn from_nested(f: F, flags: &F) {
        f.set("c");
        assert!(flags.is_set("c"));
    }
}

type Alias<'a> = Flags<'a>;

#[when(r"c")]
fn through_alias(flags: &mut Alias) {
    flags.set("d");
}

#[rustfmt::skip]
#[allow(unused_variables)]
#[when("d")]
#[doc = "Attributes that are not ours stay, before and after."]
fn kept_attributes(flags: Flags) {
    flags.set("e");
}

fn main() {
    #[when("e")]
    fn in_main(flags: Flags) {
        flags.set("f");
    }

    let registry = Registry::from_inventory(module_path!()).unwrap();
    let ids = registry.handler_ids();
    assert!(ids[1].ends_with("::type"), "{ids:?}");
    let mut store = MemoryStore::new();
    let options = HookOptions::new("install").sink(Rc::new(NullSink));
    let outcome = run_hook(&registry, &mut store, options);
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(store.flags(), ["a", "b", "c", "d", "e", "f"]);
    let _ = nested::from_nested;
}
