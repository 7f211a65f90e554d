//! `Config<T>`: the charm's options as its own struct, a handler argument
//! read and checked once per hook however many handlers take it, with an
//! error naming the option when a value does not fit.

use std::cell::Cell;

use charm_runtime::Registry;
use charm_runtime::harness::{Context, Event, State};

thread_local! {
    /// How many times `Options` was decoded in this thread.
    static DECODED: Cell<usize> = const { Cell::new(0) };
}

mod charm {
    use charm_runtime::prelude::*;
    use serde::{Deserialize, Deserializer};

    /// The options, counting their decodings through `port`.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Options {
        #[serde(deserialize_with = "counted")]
        pub port: u16,
        pub site_title: String,
    }

    fn counted<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        super::DECODED.with(|n| n.set(n.get() + 1));
        u16::deserialize(d)
    }

    #[hook("install")]
    fn first(config: Config<Options>, flags: Flags) {
        flags.set(format!("port.{}", config.port));
    }

    #[hook("install")]
    fn second(config: Config<Options>, flags: Flags) {
        flags.set(format!("title.{}", config.site_title.replace(' ', "-")));
    }

    /// From any code of the hook: the same decoded value.
    #[hook("install")]
    fn third(ctx: Ctx) -> Result<(), Error> {
        let config = Config::<Options>::of(&ctx)?;
        ctx.kv().set("port", &config.port)?;
        Ok(())
    }
}

const METADATA: &str = "name: site\n";
const CONFIG: &str = "
options:
  port: {type: int, default: 8080}
  site-title: {type: string, default: Hello world}
";

fn context() -> Context {
    Context::from_yaml(METADATA, Registry::from_inventory("extractors::charm"))
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
}

#[test]
fn the_config_is_decoded_once_per_hook_for_every_handler() {
    DECODED.with(|n| n.set(0));
    let out = context()
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("port.8080"));
    assert!(out.has_flag("title.Hello-world"));
    assert_eq!(out.state.kv["port"], 8080);
    assert_eq!(DECODED.with(Cell::get), 1);
    // A second hook decodes afresh: nothing is kept between hooks.
    context()
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert_eq!(DECODED.with(Cell::get), 2);
}

#[test]
fn a_value_that_does_not_fit_fails_the_hook_naming_the_option() {
    let state = State::new().with_config("port", 70000);
    let out = context().run(Event::install(), &state).unwrap();
    let error = out.error.expect("the hook fails").to_string();
    assert!(error.contains("\"port\""), "{error}");
    assert!(error.contains("70000"), "{error}");
    // Nothing of the hook is kept.
    assert!(out.state.flags.is_empty(), "{:?}", out.state.flags);
}
