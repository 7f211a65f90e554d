//! The charm binary Juju runs for every hook (`dispatch` or `hooks/<name>`).

fn main() -> std::process::ExitCode {
    openstack_api::main()
}
