//! Leadership flags and settings, as layer-leadership maintains them
//! (reactive/leadership.py):
//!
//! - at the start of every hook `leadership.is_leader` follows `is-leader`;
//! - for every setting in `leader-get`, or recorded from an earlier hook
//!   and now gone, `leadership.changed.<key>` is set when its value differs
//!   from the one recorded in the unit state (`leadership.settings.<key>`),
//!   and cleared otherwise; `leadership.set.<key>` is set while the
//!   setting has a value; `leadership.changed` is set when any
//!   `leadership.changed.<key>` is;
//! - [`HookContext::leader_set`] applies the same rules at once on the
//!   leader, which gets no `leader-settings-changed` hook of its own.

use crate::backend::{ToolError, check_setting};
use crate::error::Error;
use crate::reactive::HookContext;

const SETTINGS_PREFIX: &str = "leadership.settings.";

/// Refresh the leadership flags from Juju (an atstart step).
pub(crate) fn manage_flags(ctx: &HookContext) -> Result<(), Error> {
    let juju = ctx.juju();
    let flags = ctx.flags();
    flags.toggle("leadership.is_leader", juju.is_leader()?);
    let previous = ctx.kv().getrange(SETTINGS_PREFIX, true)?;
    let current = juju.leader_settings()?;
    let mut any_changed = false;
    let keys: std::collections::BTreeSet<&String> = current.keys().chain(previous.keys()).collect();
    for key in keys {
        let now = current.get(key).cloned();
        let before = previous
            .get(key)
            .and_then(|v| v.as_str().map(str::to_owned));
        let changed = now != before;
        any_changed |= changed;
        flags.toggle(format!("leadership.changed.{key}"), changed);
        flags.toggle(format!("leadership.set.{key}"), now.is_some());
        ctx.kv().set(&format!("{SETTINGS_PREFIX}{key}"), &now)?;
    }
    flags.toggle("leadership.changed", any_changed);
    Ok(())
}

impl HookContext {
    /// Set a leadership setting (`None` deletes it), as layer-leadership's
    /// `leader_set`: the `leadership.changed.<key>`, `leadership.changed`
    /// and `leadership.set.<key>` flags change at once, the value is sent
    /// with `leader-set` when the hook succeeds.
    ///
    /// Juju's `leader-set` takes values only as command-line arguments, so
    /// keep secrets out of leadership settings: put them in a Juju secret
    /// ([`HookContext::secrets`]) and share its id, or publish them on a
    /// peer relation, whose data goes on stdin. A value too large for
    /// one argument (over [`crate::backend::ARG_LIMIT`] bytes with its key:
    /// a value copied from a peer's databag, say) is refused here with a
    /// [`ToolError::TooLarge`] naming the key and the size, never the
    /// value, so the handler that set it fails, not every later retry of
    /// the hook's writes.
    pub fn leader_set(&self, key: &str, value: Option<&str>) -> Result<(), Error> {
        let juju = self.juju();
        if !juju.is_leader()? {
            return Err(ToolError::Refused {
                tool: "leader-set".into(),
                reason: format!("cannot set {key:?}: this unit is not the leader"),
            }
            .into());
        }
        let value = value.filter(|v| !v.is_empty());
        // Refused here, in the handler that set it, rather than when the
        // hook's writes are sent: the error then names the handler.
        check_setting(
            "leader-set",
            key,
            value.unwrap_or(""),
            " (set with HookContext::leader_set in this hook)",
        )?;
        let stored = format!("{SETTINGS_PREFIX}{key}");
        let before: Option<String> = self.kv().get::<Option<String>>(&stored)?.flatten();
        let flags = self.flags();
        if before.as_deref() != value {
            flags.set(format!("leadership.changed.{key}"));
            flags.set("leadership.changed");
        }
        flags.toggle(format!("leadership.set.{key}"), value.is_some());
        juju.leader_set_raw(key, value.map(str::to_owned));
        self.kv().set(&stored, &value)?;
        Ok(())
    }

    /// A leadership setting, including one set earlier in this hook.
    pub fn leader_get(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.juju().leader_get(key)?)
    }
}
