//! The Juju layer's part in a hook ([`HookLayer`]): attach the hook's
//! [`Juju`] to the context, resend what an earlier hook's journal says has
//! not taken effect, refresh the automatic flags, journal the held writes
//! with the unit state and send them when everything succeeded, report a
//! failed action.

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::juju::Juju;
use crate::reactive::{Failure, HandlerError, HookContext, HookError, HookLayer, Level};

/// The Juju side of one hook.
pub(crate) struct JujuLayer {
    pub(crate) juju: Rc<Juju>,
    /// Endpoints whose automatic flags are maintained.
    pub(crate) endpoints: Rc<BTreeSet<String>>,
}

impl HookLayer for JujuLayer {
    fn attach(&self, ctx: &HookContext) {
        ctx.extensions().insert(self.juju.clone());
    }

    fn before_dispatch(&self, ctx: &HookContext) -> Result<(), HandlerError> {
        crate::managed::manage(ctx, &self.endpoints).map_err(|e| HandlerError::Callback {
            what: "maintaining the endpoint, config and leadership flags".to_owned(),
            error: Failure::new(e),
        })
    }

    fn recover(
        &self,
        ctx: &HookContext,
        journal: &str,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        Ok(self
            .juju
            .recover(journal, &|level, message| ctx.log(level, message))?)
    }

    fn journal(
        &self,
        _ctx: &HookContext,
        kept: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        Ok(self.juju.journal(kept)?)
    }

    fn send(&self, _ctx: &HookContext) -> Result<(), Box<dyn std::error::Error>> {
        Ok(self.juju.flush()?)
    }

    fn after_send(
        &self,
        _ctx: &HookContext,
        journal: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        Ok(self.juju.unacknowledged(journal)?)
    }

    fn failed(&self, ctx: &HookContext, error: &HookError) {
        let Some(name) = ctx.action_name() else {
            return;
        };
        if let Err(tool) = self.juju.fail_action_now(&action_failure_message(error)) {
            ctx.log(
                Level::Error,
                &format!("cannot report the failure of action {name}: {tool}"),
            );
        }
    }
}

/// What `action-fail` says of a failed action: the handler's own error
/// message when it returned one, else the whole error.
fn action_failure_message(e: &HookError) -> String {
    match e {
        HookError::Handler(HandlerError::Failed { error, .. }) => error.message().to_owned(),
        other => other.to_string(),
    }
}
