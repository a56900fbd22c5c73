//! The invariant monitor of `serve --controller none`: an external StatefulSet controller
//! authenticates with its own token (`--controller-kubeconfig`), so its writes are known as
//! the controller's; after every request the monitor replays the new changes through
//! upstream's invariants (`sim::statefulset::invariants`) and records each violation as a
//! Warning Event `InvariantViolated` on the written object, naming the invariant and the
//! write. The cluster target fails a scenario whose namespace holds such an event.

use crate::sim::Cluster;
use crate::sim::events::Involved;
use crate::sim::statefulset::invariants::Replay;
use crate::sim::store::ChangeType;

/// The reason of the events the monitor records.
pub const REASON: &str = crate::model::INVARIANT_VIOLATED;
/// The component the events name.
const COMPONENT: &str = "stsconform-invariant-monitor";

/// The replayed state and how far the change log has been read.
#[derive(Debug)]
pub struct Monitor {
    replay: Replay,
    cursor: u64,
}

impl Monitor {
    /// A monitor starting at the cluster's current state.
    pub fn new(cluster: &Cluster) -> Monitor {
        let mut monitor = Monitor {
            replay: Replay::new(
                cluster.clock().clone(),
                cluster.config().behaviour.max_unavailable_stateful_set,
            ),
            cursor: 0,
        };
        monitor.check(cluster);
        monitor
    }

    /// Replays the changes since the last call; returns the violations found, each as
    /// (the written object, the event message).
    fn check(&mut self, cluster: &Cluster) -> Vec<(Involved, String)> {
        let mut found = Vec::new();
        let store = cluster.store();
        let Ok(changes) = store.changes_since(self.cursor) else {
            // The log moved past the cursor (a long quiet spell with a small window): start
            // again from what is stored now rather than judge against a state with holes.
            self.cursor = store.resource_version();
            return found;
        };
        for change in changes {
            self.cursor = change.resource_version;
            if let Err(violation) = self.replay.apply(&change) {
                let verb = match change.change_type {
                    ChangeType::Added => "create",
                    ChangeType::Modified => "update",
                    ChangeType::Deleted => "delete",
                };
                let message = format!(
                    "{}: {} (the controller's {verb} of {} {} at resourceVersion {})",
                    violation.invariant,
                    violation.detail,
                    change.object.kind().as_str(),
                    change.object.name(),
                    change.resource_version
                );
                found.push((Involved::of(&change.object), message));
            }
        }
        found
    }

    /// Checks the changes since the last call and records a Warning Event per violation.
    pub fn record_violations(&mut self, cluster: &mut Cluster) {
        for (involved, message) in self.check(cluster) {
            cluster.record_event(&involved, "Warning", REASON, &message, COMPONENT);
        }
        // The events just recorded are not the controller's; skip them.
        self.cursor = cluster.store().resource_version();
    }
}
