//! The seam every feature step talks to: a [`Target`] is a cluster a scenario runs
//! against — the in-process reference cluster ([`reference::ReferenceTarget`]) or, through
//! kube-rs, any real API server. Steps never reach past this trait, which is what lets one
//! feature file run on both.
//!
//! Each scenario gets its own namespace; every call is scoped to it.

pub mod kube;
pub mod reference;
pub mod view;

use crate::model::api_error::{ApiError, Propagation};
use crate::model::dns::{QueryType, Record};
use crate::model::object::{Kind, Object};
use crate::model::patch::PatchType;
use crate::timeline::Timeline;
use async_trait::async_trait;
use std::time::Duration;
pub use view::View;

/// A patch, in one of the API's patch formats.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// RFC 7386 JSON merge patch.
    Merge(serde_json::Value),
    /// RFC 6902 JSON patch.
    Json(serde_json::Value),
    /// Kubernetes strategic merge patch.
    Strategic(serde_json::Value),
}

impl Patch {
    /// The patch's format and document.
    pub fn parts(&self) -> (PatchType, &serde_json::Value) {
        match self {
            Patch::Merge(v) => (PatchType::Merge, v),
            Patch::Json(v) => (PatchType::Json, v),
            Patch::Strategic(v) => (PatchType::Strategic, v),
        }
    }
}

/// Failures a target reports to the step that called it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// A wait ran out (or the cluster went idle) before its condition held.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout { what: String, waited: Duration },
    /// A condition that had to hold for a while stopped holding.
    #[error("{what} stopped holding after {after:?}")]
    Broken { what: String, after: Duration },
    /// The target cannot do this (e.g. DNS lookups on a cluster without exec).
    #[error("not supported on this target: {0}")]
    Unsupported(String),
    /// Anything else (transport, decoding, a livelocked simulation).
    #[error("{0}")]
    Other(String),
}

/// A condition over the scenario's namespace, as used by waits.
pub type Condition<'a> = &'a (dyn Fn(&View) -> bool + Send + Sync);

/// A cluster a scenario can run against.
#[async_trait]
pub trait Target: Send + std::fmt::Debug {
    /// A short name for reports: `reference`, or the cluster's context name.
    fn name(&self) -> &str;

    /// The scenario's namespace.
    fn namespace(&self) -> &str;

    /// Whether the harness owns this target's clock, so timelines match snapshots to the
    /// millisecond; otherwise they are compared in their timing-free normal form.
    fn exact_timing(&self) -> bool {
        true
    }

    /// How far apart, in target time, a timeline's times may be from when things happened
    /// on the server (zero where the harness owns the clock).
    fn timing_tolerance(&self) -> Duration {
        Duration::ZERO
    }

    /// Creates an object in the scenario's namespace; returns it as stored, plus warnings.
    async fn create(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError>;

    /// Creates the object, or replaces the stored one's spec (what `kubectl apply` means here).
    async fn apply(&mut self, object: Object) -> Result<(Object, Vec<String>), TargetError>;

    /// The object, if it exists.
    async fn get(&mut self, kind: Kind, name: &str) -> Result<Option<Object>, TargetError>;

    /// Patches an object (or its `/status` when `status` is true).
    async fn patch(
        &mut self,
        kind: Kind,
        name: &str,
        patch: Patch,
        status: bool,
    ) -> Result<Object, TargetError>;

    /// Sets `spec.replicas` through the `/scale` subresource; returns the Scale as JSON.
    async fn scale(&mut self, name: &str, replicas: i32) -> Result<serde_json::Value, TargetError>;

    /// Reads the `/scale` subresource as JSON.
    async fn get_scale(&mut self, name: &str) -> Result<serde_json::Value, TargetError>;

    /// Deletes an object with an optional propagation policy.
    async fn delete(
        &mut self,
        kind: Kind,
        name: &str,
        propagation: Option<Propagation>,
    ) -> Result<(), TargetError>;

    /// Makes a pod's readiness check fail or pass.
    async fn set_pod_readiness(&mut self, pod: &str, ready: bool) -> Result<(), TargetError>;

    /// Makes several pods' readiness checks fail or pass at one moment: the cluster reacts
    /// once, to all of them, not to each in turn.
    async fn set_pods_readiness(
        &mut self,
        pods: &[String],
        ready: bool,
    ) -> Result<(), TargetError> {
        for pod in pods {
            self.set_pod_readiness(pod, ready).await?;
        }
        Ok(())
    }

    /// Makes a pod's containers fail (phase Failed).
    async fn fail_pod(&mut self, pod: &str) -> Result<(), TargetError>;

    /// Evicts a pod (phase Failed, reason Evicted).
    async fn evict_pod(&mut self, pod: &str) -> Result<(), TargetError>;

    /// Answers a DNS query from inside the cluster.
    async fn resolve(&mut self, name: &str, qtype: QueryType) -> Result<Vec<Record>, TargetError>;

    /// A snapshot of the scenario's namespace.
    async fn view(&mut self) -> Result<View, TargetError>;

    /// Waits until `condition` holds, at most `timeout`.
    async fn wait_for(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        timeout: Duration,
    ) -> Result<(), TargetError>;

    /// Lets `duration` pass, failing as soon as `condition` stops holding.
    async fn hold(
        &mut self,
        what: &str,
        condition: Condition<'_>,
        duration: Duration,
    ) -> Result<(), TargetError>;

    /// Lets the cluster react to what was just done, without waiting on any timer.
    async fn settle(&mut self) -> Result<(), TargetError>;

    /// The pod timeline since the scenario started.
    async fn timeline(&mut self) -> Result<Timeline, TargetError>;

    /// Removes everything the scenario created (its namespace).
    async fn cleanup(&mut self) -> Result<(), TargetError>;
}
