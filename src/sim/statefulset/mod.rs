//! The reference StatefulSet controller, split at upstream's seams:
//! [`stateful_set_control`] (the sync algorithm), [`stateful_pod_control`] (pod and claim
//! writes behind the [`ObjectManager`] seam), [`stateful_set_utils`] (pure helpers), and
//! this module: the informer handlers, adoption and release of pods and revisions, and the
//! work queue with rate-limited retries (upstream `stateful_set.go`). Each set's pods are
//! kept in a [`pod_index::PodIndex`], the informer cache the sync reads.

pub mod invariants;
pub mod lister;
#[cfg(test)]
mod model_tests;
pub mod pod_index;
pub mod stateful_pod_control;
pub mod stateful_set_control;
pub mod stateful_set_utils;
#[cfg(test)]
mod tests;

use super::apiserver::{ApiError, DeleteOptions};
use super::events::Involved;
use super::pod_record::{PodRecord, PodView};
use super::store::{Change, ChangeType};
use super::{Cluster, FastHashMap, Work};
use crate::model::behaviour::Behaviour;
use crate::model::object::{Kind, Object};
use crate::model::selector;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;

pub use lister::PodLister;
use pod_index::PodIndex;
pub use stateful_pod_control::{ObjectManager, SharedRevision};
use stateful_set_control::PatchMemo;
use stateful_set_utils::{ClaimOwners, is_member_of, new_controller_ref};

/// The event source component name.
pub const COMPONENT: &str = "statefulset-controller";

/// Controller memory: retry counts for the rate limiter and what it keeps of each set.
#[derive(Debug, Default)]
pub struct ControllerState {
    failures: FastHashMap<(String, String), u32>,
    sets: FastHashMap<(String, String), SetMemory>,
    /// Number of syncs run, for benchmarks and tests.
    pub syncs: u64,
}

/// What the controller keeps of one set between syncs.
#[derive(Debug, Default)]
pub struct SetMemory {
    /// The set's pods, as its informer cache would hold them.
    pods: PodIndex,
    /// The set's revision patch.
    patch: PatchMemo,
}

fn controller_of(owner_references: &[OwnerReference]) -> Option<&OwnerReference> {
    owner_references.iter().find(|r| r.controller == Some(true))
}

fn is_set_ref(r: &OwnerReference) -> bool {
    r.kind == "StatefulSet" && r.api_version.starts_with("apps/")
}

pub(crate) fn on_set_change(cluster: &mut Cluster, change: &Change) {
    let key = (
        change.object.namespace().to_owned(),
        change.object.name().to_owned(),
    );
    if change.change_type == ChangeType::Deleted {
        cluster.statefulsets.failures.remove(&key);
        cluster.statefulsets.sets.remove(&key);
        return;
    }
    cluster.enqueue(Work::StatefulSet(key.0, key.1));
}

impl ControllerState {
    /// Tells the indexes that may hold pod `name` that it changed: the one of the set its
    /// controller reference names, and the one of the set its name says it belongs to.
    fn mark_pod(&mut self, namespace: &str, name: &str, owner: Option<&str>) {
        let parent = crate::model::names::parent_of(name).filter(|&p| Some(p) != owner);
        for set in owner.into_iter().chain(parent) {
            if let Some(memory) = self.sets.get_mut(&(namespace.to_owned(), set.to_owned())) {
                memory.pods.mark_pod(name);
            }
        }
    }
}

/// A claim changed: the claim-ownership facts of the pods it belongs to
/// (`<template>-<set>-<ordinal>`) need recomputing.
pub(crate) fn on_claim_change(cluster: &mut Cluster, claim: &Object) {
    let (namespace, name) = (claim.namespace(), claim.name());
    let Some((prefix, ordinal)) = name
        .rsplit_once('-')
        .and_then(|(prefix, digits)| Some((prefix, digits.parse::<i32>().ok()?)))
    else {
        return;
    };
    for ((ns, set), memory) in &mut cluster.statefulsets.sets {
        if ns == namespace
            && prefix
                .strip_suffix(set.as_str())
                .is_some_and(|p| p.ends_with('-'))
        {
            memory.pods.mark_ordinal(ordinal);
        }
    }
}

/// upstream: stateful_set.go addPod / updatePod / deletePod
pub(crate) fn on_pod_change(cluster: &mut Cluster, change_type: ChangeType, pod: &PodRecord) {
    let namespace = pod.namespace().unwrap_or_default().to_owned();
    let owner_set = controller_of(pod.owner_references())
        .filter(|r| is_set_ref(r))
        .map(|r| r.name.as_str());
    cluster
        .statefulsets
        .mark_pod(&namespace, pod.name(), owner_set);
    if let Some(owner) = controller_of(pod.owner_references()) {
        if !is_set_ref(owner) {
            return;
        }
        let set_object = cluster
            .store
            .get(Kind::StatefulSet, &namespace, &owner.name);
        let Some(Object::StatefulSet(set)) = set_object.as_deref() else {
            return;
        };
        if set.metadata.uid.as_deref() != Some(owner.uid.as_str()) {
            return;
        }
        let min_ready = set
            .spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0);
        cluster.enqueue(Work::StatefulSet(namespace.clone(), owner.name.clone()));
        // A pod that just turned ready is re-checked for availability after minReadySeconds (AVL-03).
        let now = cluster.now_time();
        let just_ready = pod
            .ready_condition()
            .is_some_and(|c| c.ready && c.last_transition_time == Some(&now));
        if min_ready > 0 && just_ready && change_type != ChangeType::Deleted {
            cluster.enqueue_after(
                Work::StatefulSet(namespace, owner.name.clone()),
                Duration::from_secs(min_ready as u64 + 1),
            );
        }
        return;
    }
    if change_type == ChangeType::Deleted {
        return;
    }
    // An orphan: every set whose selector matches may want to adopt it.
    let sets: Vec<String> = cluster
        .store
        .list(Kind::StatefulSet, Some(&namespace))
        .filter_map(|o| match o.as_ref() {
            Object::StatefulSet(set) => {
                let selector = &set.spec.as_ref()?.selector;
                selector::label_query_from_selector(selector)
                    .is_ok_and(|q| q.matches_with(|k| pod.label(k)))
                    .then(|| set.metadata.name.clone())
                    .flatten()
            }
            _ => None,
        })
        .collect();
    for set in sets {
        cluster.enqueue(Work::StatefulSet(namespace.clone(), set));
    }
}

/// Rate-limited retry delay after `failures` consecutive failures: 5ms·2ⁿ, at most 1000s.
// upstream: workqueue.DefaultTypedControllerRateLimiter (exponential part)
pub fn retry_delay(failures: u32) -> Duration {
    let millis = 5u64.saturating_mul(1u64 << failures.min(30));
    Duration::from_millis(millis.min(1_000_000))
}

/// Whether the set's selector parses: one that does not is a non-transient error, and
/// the set is not synced (nor retried).
pub fn selector_parses(set: &StatefulSet) -> bool {
    set.spec
        .as_ref()
        .is_none_or(|spec| selector::selector_matches(&spec.selector, None).is_ok())
}

/// Syncs one StatefulSet.
// upstream: stateful_set.go sync, syncStatefulSet
pub(crate) fn sync(cluster: &mut Cluster, namespace: &str, name: &str) {
    if !cluster.config.statefulset_controller {
        return;
    }
    // Shared with the store, as upstream's lister shares its cache.
    let Some(set_object) = cluster.store.get(Kind::StatefulSet, namespace, name) else {
        return;
    };
    let Object::StatefulSet(set) = &*set_object else {
        return;
    };
    cluster.statefulsets.syncs += 1;
    // A selector that does not parse is a non-transient error: don't retry.
    if !selector_parses(set) {
        return;
    }
    let key = (namespace.to_owned(), name.to_owned());
    let behaviour = cluster.config.behaviour;
    // The set's memory leaves the controller for the sync: writes made meanwhile are only
    // dispatched (and marked in its index) after the sync returns.
    let mut memory = cluster.statefulsets.sets.remove(&key).unwrap_or_default();
    let outcome = sync_set(cluster, set, &mut memory, &behaviour);
    cluster.statefulsets.sets.insert(key.clone(), memory);
    match outcome {
        Ok(status) => {
            cluster.statefulsets.failures.remove(&key);
            if let Some(delay) = availability_requeue(set, status.as_ref()) {
                cluster.enqueue_after(Work::StatefulSet(key.0, key.1), delay);
            }
        }
        Err(_) => {
            let failures = cluster
                .statefulsets
                .failures
                .entry(key.clone())
                .or_insert(0);
            *failures += 1;
            let delay = retry_delay(*failures - 1);
            cluster.enqueue_after(Work::StatefulSet(key.0, key.1), delay);
        }
    }
}

/// After a successful sync, when to look again for pods turning available: after
/// `minReadySeconds` while not every replica is available (AVL-03).
// upstream: stateful_set.go sync (enqueueSSAfter MinReadySeconds)
pub fn availability_requeue(
    set: &StatefulSet,
    status: Option<&StatefulSetStatus>,
) -> Option<Duration> {
    let replicas = stateful_set_utils::replicas(set);
    let min_ready = stateful_set_utils::min_ready_seconds(set);
    (min_ready > 0 && status.is_some_and(|s| s.available_replicas.unwrap_or(0) != replicas))
        .then(|| Duration::from_secs(min_ready as u64))
}

/// One sync of `set` over any backend: adopt orphaned revisions, claim pods into the
/// set's index, then run the sync algorithm. Reads go through the [`PodLister`] and the
/// [`ObjectManager`], writes through the [`ObjectManager`] only. The status computed, or
/// the errors met (the caller retries with backoff).
// upstream: stateful_set.go syncStatefulSet
pub fn sync_set<M: ObjectManager + PodLister>(
    m: &mut M,
    set: &StatefulSet,
    memory: &mut SetMemory,
    behaviour: &Behaviour,
) -> Result<Option<StatefulSetStatus>, String> {
    adopt_orphan_revisions(m, set)?;
    claim_pods(m, set, &mut memory.pods)?;
    let SetMemory { pods, patch } = memory;
    let result = stateful_set_control::update_stateful_set(m, set, pods, patch, behaviour);
    match result.error {
        Some(e) => Err(e.to_string()),
        None => Ok(result.status),
    }
}

/// Whether the set may adopt: a live GET still shows this uid and no deletion.
// upstream: stateful_set.go canAdoptFunc (RecheckDeletionTimestamp)
fn can_adopt<M: ObjectManager>(m: &M, set: &StatefulSet) -> Result<(), String> {
    let ns = set.metadata.namespace.as_deref().unwrap_or("");
    let name = set.metadata.name.as_deref().unwrap_or("");
    match m.get_set(ns, name) {
        Some(fresh) if fresh.metadata.uid == set.metadata.uid => {
            if fresh.metadata.deletion_timestamp.is_some() {
                Err(format!("{ns}/{name} has just been deleted"))
            } else {
                Ok(())
            }
        }
        _ => Err(format!("original StatefulSet {ns}/{name} is gone")),
    }
}

/// Adopts orphaned ControllerRevisions that match the selector (REV-06).
// upstream: stateful_set.go adoptOrphanRevisions
fn adopt_orphan_revisions<M: ObjectManager>(m: &mut M, set: &StatefulSet) -> Result<(), String> {
    let orphans: Vec<ControllerRevision> = m
        .list_revisions(set)
        .into_iter()
        .filter(|r| {
            controller_of(r.metadata.owner_references.as_deref().unwrap_or_default()).is_none()
        })
        .map(|r| ControllerRevision::clone(&r))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    can_adopt(m, set).map_err(|e| format!("can't adopt ControllerRevisions: {e}"))?;
    for mut revision in orphans {
        revision
            .metadata
            .owner_references
            .get_or_insert_with(Vec::new)
            .push(new_controller_ref(set));
        revision.metadata.resource_version = None;
        m.update_revision(revision).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Claims the set's pods into its index: controlled ones that still match stay, ones that
/// no longer match are released, matching orphans named `<set>-<ordinal>` are adopted
/// (ADP-01..04).
// upstream: stateful_set.go getPodsForStatefulSet, controller_ref_manager.go ClaimObject
fn claim_pods<M: ObjectManager + PodLister>(
    m: &mut M,
    set: &StatefulSet,
    index: &mut PodIndex,
) -> Result<(), String> {
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let set_uid = set.metadata.uid.clone().unwrap_or_default();
    let selector = set
        .spec
        .as_ref()
        .map(|s| s.selector.clone())
        .unwrap_or_default();
    let deleting = set.metadata.deletion_timestamp.is_some();
    let query = selector::label_query_from_selector(&selector).ok();
    let matches = |pod: &PodRecord| {
        query
            .as_ref()
            .is_some_and(|q| q.matches_with(|k| pod.label(k)))
            && is_member_of(set, pod)
    };
    index.read_members(&*m, &ns, &set_uid, matches);
    #[cfg(any(test, debug_assertions))]
    if m.marks_every_change() {
        let mut rebuilt = PodIndex::default();
        rebuilt.read_members(&*m, &ns, &set_uid, matches);
        assert!(
            index.same_members(&rebuilt),
            "the incremental pod index's members diverged from a rebuild"
        );
    }
    let mut errors = Vec::new();
    if !deleting {
        let release: Vec<String> = index.to_release().cloned().collect();
        for name in release {
            let Some(mut released) = m.get_pod(&ns, &name) else {
                continue;
            };
            if let Some(refs) = released.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != set_uid);
            }
            if released
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                released.metadata.owner_references = None;
            }
            if let Err(e) = m.update_pod(released)
                && !e.is_not_found()
            {
                errors.push(e.to_string());
            }
        }
    }
    let orphans: Vec<Arc<PodRecord>> = if deleting {
        Vec::new()
    } else {
        m.orphan_pods(&ns)
    };
    let mut adoption_checked: Option<Result<(), String>> = None;
    for pod in orphans {
        if !matches(&pod) || pod.deletion_timestamp().is_some() {
            continue;
        }
        let check = adoption_checked
            .get_or_insert_with(|| can_adopt(m, set))
            .clone();
        if let Err(e) = check {
            errors.push(e);
            continue;
        }
        let Some(mut adopted) = m.get_pod(&ns, pod.name()) else {
            continue;
        };
        adopted
            .metadata
            .owner_references
            .get_or_insert_with(Vec::new)
            .push(new_controller_ref(set));
        match m.update_pod(adopted) {
            Ok(()) => index.mark_pod(pod.name()),
            Err(e) if e.is_not_found() => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
    // Adopted pods are members from now on.
    index.read_members(&*m, &ns, &set_uid, matches);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join(", "))
    }
}

impl ObjectManager for Cluster {
    fn now(&self) -> Timestamp {
        self.clock.timestamp_at(self.clock.now())
    }

    fn pod_object(&self, namespace: &str, name: &str) -> Option<Arc<Object>> {
        self.store.get(Kind::Pod, namespace, name)
    }

    fn create_pod(&mut self, pod: Pod) -> Result<(), ApiError> {
        self.create(Object::Pod(Box::new(pod))).map(|_| ())
    }

    fn update_pod(&mut self, mut pod: Pod) -> Result<(), ApiError> {
        pod.metadata.resource_version = None;
        self.update(Object::Pod(Box::new(pod))).map(|_| ())
    }

    fn delete_pod(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.delete(Kind::Pod, namespace, name, &DeleteOptions::default())
            .map(|_| ())
    }

    fn claim(&self, namespace: &str, name: &str) -> Option<&dyn ClaimOwners> {
        self.store
            .version(Kind::PersistentVolumeClaim, namespace, name)
            .map(|v| v.as_ref() as &dyn ClaimOwners)
    }

    fn get_claim(&self, namespace: &str, name: &str) -> Option<PersistentVolumeClaim> {
        match self
            .store
            .get_owned(Kind::PersistentVolumeClaim, namespace, name)?
        {
            Object::PersistentVolumeClaim(claim) => Some(*claim),
            _ => None,
        }
    }

    fn create_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError> {
        self.create(Object::PersistentVolumeClaim(Box::new(claim)))
            .map(|_| ())
    }

    fn update_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError> {
        self.update(Object::PersistentVolumeClaim(Box::new(claim)))
            .map(|_| ())
    }

    fn get_set(&self, namespace: &str, name: &str) -> Option<StatefulSet> {
        match self.store.get(Kind::StatefulSet, namespace, name)?.as_ref() {
            Object::StatefulSet(s) => Some(StatefulSet::clone(s)),
            _ => None,
        }
    }

    fn update_set_status(
        &mut self,
        set: &StatefulSet,
        status: StatefulSetStatus,
    ) -> Result<(), ApiError> {
        // Upstream sends a copy of the whole set; `/status` reads only its metadata and
        // status, so the spec is left out rather than copied.
        let mut metadata = set.metadata.clone();
        metadata.resource_version = None;
        let status_only = StatefulSet {
            metadata,
            spec: None,
            status: Some(status),
        };
        self.update_status(Object::StatefulSet(Box::new(status_only)))
            .map(|_| ())
    }

    fn list_revisions(&self, set: &StatefulSet) -> Vec<SharedRevision> {
        let ns = set.metadata.namespace.as_deref().unwrap_or("");
        let uid = set.metadata.uid.as_deref().unwrap_or("");
        let everything = Default::default();
        let selector = set.spec.as_ref().map_or(&everything, |s| &s.selector);
        self.store
            .list(Kind::ControllerRevision, Some(ns))
            .filter_map(SharedRevision::new)
            .filter(|r| {
                selector::selector_matches(selector, r.metadata.labels.as_ref()).unwrap_or(false)
            })
            .filter(|r| {
                controller_of(r.metadata.owner_references.as_deref().unwrap_or_default())
                    .is_none_or(|c| c.uid == uid)
            })
            .collect()
    }

    fn create_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError> {
        let written = self.create(Object::ControllerRevision(Box::new(revision)))?;
        match written.object.as_ref() {
            Object::ControllerRevision(r) => Ok(ControllerRevision::clone(r)),
            _ => Err(ApiError::BadRequest("unexpected kind".into())),
        }
    }

    fn get_revision(&self, namespace: &str, name: &str) -> Option<ControllerRevision> {
        match self
            .store
            .get(Kind::ControllerRevision, namespace, name)?
            .as_ref()
        {
            Object::ControllerRevision(r) => Some(ControllerRevision::clone(r)),
            _ => None,
        }
    }

    fn update_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError> {
        let written = self.update(Object::ControllerRevision(Box::new(revision)))?;
        match written.object.as_ref() {
            Object::ControllerRevision(r) => Ok(ControllerRevision::clone(r)),
            _ => Err(ApiError::BadRequest("unexpected kind".into())),
        }
    }

    fn delete_revision(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.delete(
            Kind::ControllerRevision,
            namespace,
            name,
            &DeleteOptions::default(),
        )
        .map(|_| ())
    }

    fn record_event(&mut self, set: &StatefulSet, type_: &str, reason: &str, message: &str) {
        let involved = Involved {
            kind: Kind::StatefulSet,
            namespace: set.metadata.namespace.clone().unwrap_or_default(),
            name: set.metadata.name.clone().unwrap_or_default(),
            uid: set.metadata.uid.clone().unwrap_or_default(),
        };
        Cluster::record_event(self, &involved, type_, reason, message, COMPONENT);
    }
}
