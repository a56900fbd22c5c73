//! Which cluster a run's scenarios go to — fresh reference clusters, or namespaces on a
//! cluster reached through a kubeconfig — and which scenarios that cluster cannot run:
//! a scenario tagged for another release or for a feature gate the cluster lacks is
//! skipped with that reason, never passed.

use crate::model::behaviour::{Behaviour, gate_default};
use crate::targets::kube::session::{ClusterOptions, ConnectError, Session};
use crate::targets::reference::ReferenceTarget;
use crate::targets::{Target, TargetError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How to run on a cluster.
#[derive(Debug, Clone, Default)]
pub struct ClusterRun {
    /// Connection and timing.
    pub options: ClusterOptions,
    /// Keep failed scenarios' namespaces (their names are printed).
    pub keep_failed: bool,
    /// Feature gates the cluster has on or off, overriding the release's defaults.
    pub gates: BTreeMap<String, bool>,
}

pub use crate::model::behaviour::parse_gate;

/// Where the scenarios run.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// A fresh in-process reference cluster per scenario.
    Reference,
    /// A namespace per scenario on a connected cluster.
    Cluster {
        session: Arc<Session>,
        run: ClusterRun,
    },
}

impl TargetChoice {
    /// Connects to the cluster of `run`.
    ///
    /// # Errors
    /// [`ConnectError`] when the cluster cannot be used.
    pub async fn connect(run: ClusterRun) -> Result<TargetChoice, ConnectError> {
        let session = Session::connect(run.options.clone()).await?;
        Ok(TargetChoice::Cluster { session, run })
    }

    /// One line saying where the run goes and how faults are made, printed at start.
    pub fn describe(&self) -> String {
        match self {
            TargetChoice::Reference => {
                "target: the reference cluster (in process, virtual time)".into()
            }
            TargetChoice::Cluster { session, run } => format!(
                "target: {} at {} ({}); faults: {}; time scale {}, timeout scale {}",
                if session.context.is_empty() {
                    "cluster"
                } else {
                    &session.context
                },
                session.server,
                session.git_version,
                if session.is_serve {
                    "pod annotations of stsconform serve"
                } else {
                    "not available (scenarios that need them are skipped)"
                },
                run.options.time_scale,
                run.options.timeout_scale,
            ),
        }
    }

    fn gate(&self, name: &str) -> bool {
        match self {
            TargetChoice::Reference => false,
            TargetChoice::Cluster { session, run } => run
                .gates
                .get(name)
                .or_else(|| session.gates.get(name))
                .copied()
                .unwrap_or_else(|| gate_default(name, session.minor)),
        }
    }

    /// Why a scenario with these tags cannot run here, if it cannot. The reference cluster
    /// models whatever release and gates a scenario asks for, so it runs everything.
    pub fn skip_reason(&self, tags: &[String]) -> Option<String> {
        let TargetChoice::Cluster { session, .. } = self else {
            return None;
        };
        let minor = session.minor;
        for tag in tags.iter().map(|t| t.trim_start_matches('@')) {
            let release = |prefix: &str| {
                tag.strip_prefix(prefix)
                    .and_then(|v| v.strip_prefix("1."))
                    .and_then(|v| v.parse::<u32>().ok())
            };
            if let Some(wanted) = release("kube-")
                && wanted != minor
            {
                return Some(format!(
                    "models Kubernetes 1.{wanted}; the cluster runs 1.{minor}"
                ));
            }
            if let Some(since) = release("since-")
                && minor < since
            {
                return Some(format!(
                    "needs Kubernetes 1.{since} or later; the cluster runs 1.{minor}"
                ));
            }
            if let Some(until) = release("until-")
                && minor > until
            {
                return Some(format!(
                    "describes Kubernetes up to 1.{until}; the cluster runs 1.{minor}"
                ));
            }
            if let Some(gate) = tag.strip_prefix("gate-")
                && !self.gate(gate)
            {
                return Some(format!(
                    "needs the feature gate {gate}, off on this cluster (pass --gate {gate}=true if it is on)"
                ));
            }
            if let Some(gate) = tag.strip_prefix("no-gate-")
                && self.gate(gate)
            {
                return Some(format!(
                    "describes the cluster with the feature gate {gate} off; it is on here"
                ));
            }
        }
        None
    }

    /// A target for one scenario.
    ///
    /// # Errors
    /// When the scenario's namespace cannot be set up.
    pub async fn open(
        &self,
        tags: &[String],
        scenario: &str,
    ) -> Result<Box<dyn Target>, TargetError> {
        match self {
            TargetChoice::Reference => Ok(Box::new(ReferenceTarget::with_behaviour(
                behaviour_from_tags(tags),
            ))),
            TargetChoice::Cluster { session, .. } => Ok(Box::new(session.open(scenario).await?)),
        }
    }

    /// Whether failed scenarios keep their namespaces.
    pub fn keep_failed(&self) -> bool {
        matches!(self, TargetChoice::Cluster { run, .. } if run.keep_failed)
    }

    /// The cluster session, if the run goes to one.
    pub fn session(&self) -> Option<&Arc<Session>> {
        match self {
            TargetChoice::Reference => None,
            TargetChoice::Cluster { session, .. } => Some(session),
        }
    }
}

/// The behaviour a scenario asks the reference cluster for: `@gate-MaxUnavailableStatefulSet`
/// turns the gate on, `@kube-1.NN` models release 1.NN.
pub fn behaviour_from_tags(tags: &[String]) -> Behaviour {
    let mut behaviour = Behaviour::default();
    for tag in tags.iter().map(|t| t.trim_start_matches('@')) {
        if tag == "gate-MaxUnavailableStatefulSet" {
            behaviour.max_unavailable_stateful_set = true;
        }
        if let Some(minor) = tag.strip_prefix("kube-1.").and_then(|m| m.parse().ok()) {
            behaviour.minor = minor;
        }
    }
    behaviour
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_choose_the_reference_behaviour() {
        let b = behaviour_from_tags(&[
            "@kube-1.33".into(),
            "@gate-MaxUnavailableStatefulSet".into(),
        ]);
        assert_eq!(b.minor, 33);
        assert!(b.max_unavailable_stateful_set);
        assert_eq!(behaviour_from_tags(&[]), Behaviour::default());
    }

    #[test]
    fn the_reference_cluster_runs_every_scenario() {
        assert_eq!(
            TargetChoice::Reference.skip_reason(&["@kube-1.20".into()]),
            None
        );
    }
}
