//! The record of the tool calls hooks make, for tests that check how a
//! charm or a backend calls the tools.

/// One tool call: which hook of which unit ran which tool with which
/// arguments. What it read on its standard input is not kept (it is how
/// secrets reach `relation-set`), only whether it read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The unit whose hook called the tool.
    pub unit: String,
    /// The hook's full name (`db-relation-joined`), or the action's.
    pub hook: String,
    /// The tool (`relation-set`).
    pub tool: String,
    /// Its arguments, as given.
    pub args: Vec<String>,
    /// Whether it read its standard input (`relation-set --file -`).
    pub stdin: bool,
}
