use charm_macros::{interface, when};
use charm_runtime::endpoint::Endpoint;

#[interface("hacluster")]
struct Hacluster<'a>(Endpoint<'a>);

/// Not an interface type.
struct Plain;

#[interface]
impl Plain {
    #[when("{endpoint_name}.ready")]
    fn ready(&self) {}

    #[when("{endpoint_name}.joined")]
    fn joined(&mut self) {}
}

trait Probe {}

#[interface]
impl dyn Probe {
    #[when("{endpoint_name}.ready")]
    fn ready(&self) {}
}

#[interface("hacluster")]
impl Hacluster<'_> {
    #[when("{endpoint_name}.ready")]
    fn ready(&self) {}
}

#[interface]
impl Clone for Hacluster<'_> {
    fn clone(&self) -> Self {
        Hacluster(self.0.clone())
    }
}

fn main() {}
