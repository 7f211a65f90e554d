//! The charm binary Juju runs for every hook (`dispatch` or `hooks/<name>`).

fn main() -> std::process::ExitCode {
    mysql_innodb_cluster_charm::main()
}
