//! A charm opting into the pause/resume actions without declaring them
//! (`tests/fixtures/no-actions`) is refused when it is built, naming both
//! actions.

use charm_openstack::{DefaultHandler, Definition, OpenStackCharms, Release};
use charm_runtime::harness::{Context, ContextError};

fn charms() -> OpenStackCharms {
    OpenStackCharms::new(Definition::new("quiet", Release::CARACAL).services(["quiet"]))
        .use_defaults([DefaultHandler::UpdateStatus, DefaultHandler::PauseResume])
}
charm_openstack::register!(charms);

#[test]
fn undeclared_pause_and_resume_are_refused() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/no-actions");
    let err = Context::from_charm_dir(dir).unwrap_err();
    assert!(matches!(err, ContextError::Charm(_)), "{err}");
    let message = err.to_string();
    for action in ["pause", "resume"] {
        assert!(
            message.contains(&format!(
                "handler charm_openstack::actions::{action} serves action \"{action}\", \
                 which the charm's actions.yaml does not declare"
            )),
            "{message}"
        );
    }
}
