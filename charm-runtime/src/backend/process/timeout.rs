//! How long a hook tool may run.

use std::time::Duration;

/// The default limit on one tool call: 300 s.
///
/// Juju's hook tools are requests to the unit agent on the same machine,
/// which answers in well under a second; the slow ones (`leader-set`,
/// `network-get`, `status-set --application`) wait on the controller,
/// which under heavy load or a leadership change can take tens of seconds.
/// Five minutes leaves a wide margin over that, so a slow but healthy
/// model never fails a hook, while a tool that hangs (an agent that lost
/// its controller, a stuck `juju-log`) ends the hook with an error naming
/// the tool instead of hanging it forever. Set `CHARM_TOOL_TIMEOUT`
/// (seconds) to change it.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(300);
