//! What tests see of and change in the tools: the record of their calls,
//! and their output replaced.

use super::Simulation;
use crate::toolcall::ToolCall;

impl Simulation {
    /// Every tool call made by a hook so far (processes and open hooks
    /// alike), in order; standard input is recorded only as read or not.
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.world().tool_calls.clone()
    }

    /// Forget the tool calls recorded so far.
    pub fn clear_tool_calls(&mut self) {
        self.world().tool_calls.clear();
    }

    /// Make `tool` print `stdout` and exit 0 whenever `unit` calls it,
    /// whatever its arguments, instead of answering from the model (to
    /// test how output Juju could print is decoded); `None` restores it.
    /// A failure set with [`Simulation::fail_tool`] comes first.
    pub fn override_tool_output(&mut self, unit: &str, tool: &str, stdout: Option<&str>) {
        let key = (unit.to_owned(), tool.to_owned());
        let mut w = self.world();
        match stdout {
            Some(text) => w.tool_output.insert(key, text.to_owned()),
            None => w.tool_output.remove(&key),
        };
    }
}
