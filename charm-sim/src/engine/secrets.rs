//! What tests see of the model's Juju secrets.

use charm_runtime::backend::MemorySecrets;

use super::Simulation;

impl Simulation {
    /// The model's Juju secrets as the successful hooks left them: owners,
    /// labels, every revision's content, grants and tracked revisions.
    pub fn secrets(&self) -> MemorySecrets {
        self.world().secrets.clone()
    }
}
