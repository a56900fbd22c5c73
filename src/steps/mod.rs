//! The cucumber World and step definitions: one phrase, one meaning, every step speaking
//! only the [`Target`] trait so the same feature files run on the reference cluster and on
//! real clusters. Steps are grouped by concept, like `features/`; the catalogue printed by
//! `stsconform steps` lives in [`catalog`].

mod api;
pub mod catalog;
mod ext_api;
mod ext_identity;
mod ext_rollout;
mod fields;
mod incarnations;
mod network;
mod objects;
mod params;
mod pods;
mod rollout;
mod status;
mod storage;

use crate::model::behaviour::Behaviour;
use crate::targets::reference::ReferenceTarget;
use crate::targets::{Condition, Target, TargetError, View};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

pub use params::{PodList, Seconds};

/// How long an eventual step ("… become …") waits by default, in target time.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(300);

/// A failed step: what was expected, and the cluster as it stands.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// What steps return.
pub type StepResult = Result<(), Failure>;

/// Per-scenario state: the target plus what earlier steps left for later ones.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct StsWorld {
    target: Box<dyn Target>,
    /// The error of the last request a step expected might fail.
    pub last_error: Option<TargetError>,
    /// Warnings the API returned for the last write.
    pub last_warnings: Vec<String>,
    /// Pod uids remembered by "I note the uid of …".
    pub remembered: BTreeMap<String, String>,
    /// Why the scenario cannot run on this target, once a step has found out.
    pub skip_reason: Option<String>,
    /// The run's snapshot checks (set by the runner; None: no snapshot checks).
    pub snapshot: Option<crate::runner::snapshot::ScenarioSnapshot>,
}

impl StsWorld {
    /// A world on a fresh reference cluster with baseline behaviour.
    pub fn new() -> StsWorld {
        StsWorld::on(Box::new(ReferenceTarget::with_behaviour(
            Behaviour::default(),
        )))
    }

    /// A world on the given target.
    pub fn on(target: Box<dyn Target>) -> StsWorld {
        StsWorld {
            target,
            last_error: None,
            last_warnings: Vec::new(),
            remembered: BTreeMap::new(),
            skip_reason: None,
            snapshot: None,
        }
    }

    /// Puts the scenario on `target` (the runner opens it from the scenario's tags).
    pub fn use_target(&mut self, target: Box<dyn Target>) {
        self.target = target;
    }

    /// The target.
    pub fn target(&mut self) -> &mut dyn Target {
        self.target.as_mut()
    }

    /// A failure carrying `expected`, the cluster as it stands and the timeline so far.
    pub async fn failure(&mut self, expected: impl fmt::Display) -> Failure {
        let view = match self.target.view().await {
            Ok(v) => v.describe(),
            Err(e) => format!("(could not read the cluster: {e})\n"),
        };
        let timeline = match self.target.timeline().await {
            Ok(t) => t.render(),
            Err(e) => format!("(no timeline: {e})\n"),
        };
        Failure(format!(
            "{expected}\n\nthe cluster now:\n{view}\ntimeline so far:\n{timeline}"
        ))
    }

    /// Turns a target error into a failure with context.
    /// An unsupported operation marks the scenario skipped, with the target's reason.
    pub async fn fail_on<T>(&mut self, result: Result<T, TargetError>) -> Result<T, Failure> {
        match result {
            Ok(v) => Ok(v),
            Err(TargetError::Unsupported(reason)) => {
                self.skip_reason = Some(reason.clone());
                Err(Failure(format!("skipped: {reason}")))
            }
            Err(e) => Err(self.failure(e).await),
        }
    }

    /// Turns a check's verdict into a step result, with the cluster as context on failure.
    pub async fn checked(&mut self, verdict: Result<(), String>) -> StepResult {
        match verdict {
            Ok(()) => Ok(()),
            Err(expected) => Err(self.failure(expected).await),
        }
    }

    /// A snapshot of the namespace.
    pub async fn view(&mut self) -> Result<View, Failure> {
        let v = self.target.view().await;
        self.fail_on(v).await
    }

    /// Waits until `condition` holds.
    pub async fn eventually(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        timeout: Duration,
    ) -> StepResult {
        let r = self.target.wait_for(what, condition, timeout).await;
        self.fail_on(r).await
    }

    /// Requires `condition` to hold for `duration`.
    pub async fn holds(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        duration: Duration,
    ) -> StepResult {
        let r = self.target.hold(what, condition, duration).await;
        self.fail_on(r).await
    }

    /// Requires `condition` to hold now.
    pub async fn now(&mut self, what: &str, condition: Condition<'_>) -> StepResult {
        let view = self.view().await?;
        if condition(&view) {
            Ok(())
        } else {
            Err(self.failure(format!("expected {what}")).await)
        }
    }

    /// Renders the scenario's timeline (for snapshots).
    pub async fn timeline_text(&mut self) -> Result<String, TargetError> {
        Ok(self.target.timeline().await?.render())
    }
}

impl Default for StsWorld {
    fn default() -> Self {
        StsWorld::new()
    }
}
