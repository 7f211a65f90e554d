use charm_macros::{action, hook, interface, when};
use charm_runtime::endpoint::Endpoint;
use charm_runtime::Flags;

#[interface("hacluster")]
struct Hacluster<'a>(Endpoint<'a>);

#[interface]
impl Hacluster<'_> {
    #[when("{endpoint_name}.ready")]
    fn boxed(self: Box<Self>) {}

    #[action("reset")]
    fn reset(&self) {}

    #[when("{endpoint}.ready")]
    fn unknown_placeholder(&self, flags: Flags) {
        flags.set("x");
    }

    #[hook("{endpoint_name}-relation-chnaged")]
    fn typo(&self) {}
}

/// Type errors are the compiler's, at the type, as for free functions.
#[interface]
impl<'a> Hacluster<'a> {
    #[when("{endpoint_name}.ready")]
    fn not_extractable(&self, port: u16) {
        let _ = port;
    }

    #[when("{endpoint_name}.configured")]
    fn bad_return(&mut self) -> u32 {
        7
    }
}

fn main() {}
