use charm_macros::interface;
use charm_runtime::endpoint::Endpoint;

#[interface]
struct NoName<'a>(Endpoint<'a>);

#[interface("hacluster")]
struct TwoFields<'a> {
    endpoint: Endpoint<'a>,
    port: u16,
}

#[interface("hacluster")]
struct NotAnEndpoint<'a>(&'a str);

#[interface("hacluster")]
struct NoLifetime(Endpoint<'static>);

#[interface("hacluster")]
struct Unit;

#[interface("Ha Cluster")]
struct BadName<'a>(Endpoint<'a>);

#[interface("http", role = "provide")]
struct BadRole<'a>(Endpoint<'a>);

#[interface(hacluster)]
struct NotAString<'a>(Endpoint<'a>);

#[interface("hacluster")]
enum NotAStruct {}

#[interface("hacluster")]
fn not_a_struct() {}

fn main() {}
