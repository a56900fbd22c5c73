//! Which Kubernetes release (and feature-gate set) the reference cluster behaves like.

/// The Kubernetes minor release whose behaviour is modelled, and gate overrides.
///
/// The baseline is 1.36 with `MaxUnavailableStatefulSet` off, as in upstream 1.36.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// Kubernetes minor version (1.`minor`), e.g. 36.
    pub minor: u32,
    /// Feature gate `MaxUnavailableStatefulSet` (MU-01).
    pub max_unavailable_stateful_set: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            minor: 36,
            max_unavailable_stateful_set: false,
        }
    }
}

impl Behaviour {
    /// OnDelete rollouts complete (currentRevision advances) from 1.36 on (OND-03).
    pub fn on_delete_completes(&self) -> bool {
        self.minor >= 36
    }

    /// `revisionHistoryLimit` became mutable (and named in the immutable-field message) in 1.33.
    pub fn revision_history_limit_mutable(&self) -> bool {
        self.minor >= 33
    }
}
