//! Upstream's unit-test invariants, ported as checks over a change log so they hold for
//! any target whose writes can be watched: replaying the log, every write of the
//! StatefulSet controller is checked against the state just before it.
//!
//! * [`assert_monotonic_invariants`]: OrderedReady creates a pod only when every lower
//!   in-range pod is healthy, and deletes a condemned pod only when every in-range pod is
//!   healthy and no higher condemned pod is left (ORD-01, ORD-02, ORD-06, ORD-07).
//! * [`assert_burst_invariants`]: identity and storage of every owned pod (ID-*, PVC-*).
//! * [`assert_update_invariants`]: a rolling-update delete targets the highest ordinal not
//!   at the update revision, at or above the partition, with everything above it updated
//!   and healthy (UPD-02, UPD-04, UPD-07).
//! * [`check_claim_invariants`]: the RET-01 owner-reference matrix, for converged sets.
//! * status bounds on every status write (ST-05).

use super::stateful_set_utils::{
    DELETE, RETAIN, allows_burst, get_end_ordinal, get_ordinal, get_patch, get_pod_revision,
    get_start_ordinal, has_owner_ref, identity_matches, is_failed, is_running_and_available,
    is_running_and_ready, is_succeeded, is_terminating, min_ready_seconds, partition,
    retention_policy, storage_matches, strategy_type,
};
use crate::model::object::{Kind, Object};
use crate::sim::clock::Clock;
use crate::sim::store::{Actor, Change, ChangeType};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use std::collections::BTreeMap;
use std::time::Duration;

/// A broken invariant, with where in the log it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{invariant} violated at t={at:?} (resourceVersion {resource_version}): {detail}")]
pub struct Violation {
    pub invariant: &'static str,
    pub at: Duration,
    pub resource_version: u64,
    pub detail: String,
}

type Key = (String, String);

/// The state of one namespace-set of objects, rebuilt from a change log.
#[derive(Debug, Default, Clone)]
pub struct Replay {
    pub pods: BTreeMap<Key, Pod>,
    pub sets: BTreeMap<Key, StatefulSet>,
    pub claims: BTreeMap<Key, PersistentVolumeClaim>,
    pub revisions: BTreeMap<Key, ControllerRevision>,
    clock: Clock,
    /// Whether the MaxUnavailableStatefulSet gate is on (update checks are then skipped:
    /// several pods may roll at once by design).
    pub max_unavailable_gate: bool,
}

fn key_of(o: &Object) -> Key {
    (o.namespace().to_owned(), o.name().to_owned())
}

fn healthy(pod: &Pod, min_ready: i32, now: Timestamp) -> bool {
    is_running_and_ready(pod)
        && is_running_and_available(pod, min_ready, now)
        && !is_terminating(pod)
}

impl Replay {
    /// A replay whose availability checks map virtual time through `clock`'s epoch.
    pub fn new(clock: Clock, max_unavailable_gate: bool) -> Replay {
        Replay {
            clock,
            max_unavailable_gate,
            ..Default::default()
        }
    }

    fn owner_set(&self, pod: &Pod) -> Option<&StatefulSet> {
        let owner = pod
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true) && r.kind == "StatefulSet")?;
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        self.sets
            .get(&(ns, owner.name.clone()))
            .filter(|s| s.metadata.uid.as_deref() == Some(owner.uid.as_str()))
    }

    fn pods_of<'a>(&'a self, set: &'a StatefulSet) -> impl Iterator<Item = &'a Pod> + 'a {
        let uid = set.metadata.uid.clone().unwrap_or_default();
        self.pods.values().filter(move |p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
    }

    /// The name of the revision whose data equals the set's current template.
    fn update_revision(&self, set: &StatefulSet) -> Option<String> {
        let data = get_patch(set);
        self.revisions
            .values()
            .filter(|r| r.metadata.namespace == set.metadata.namespace)
            .filter(|r| r.data.as_ref().is_some_and(|d| d.0 == data))
            .max_by_key(|r| r.revision)
            .and_then(|r| r.metadata.name.clone())
    }

    /// Checks one change against the state before it, then applies it.
    ///
    /// # Errors
    /// The first [`Violation`] found.
    pub fn apply(&mut self, change: &Change) -> Result<(), Violation> {
        let now = self.clock.timestamp_at(change.at);
        let violation = |invariant, detail: String| Violation {
            invariant,
            at: change.at,
            resource_version: change.resource_version,
            detail,
        };
        let key = key_of(&change.object);
        match change.object.as_ref() {
            Object::Pod(pod) if change.actor == Actor::StatefulSetController => {
                let previous = self.pods.get(&key);
                let starts_deletion = match change.change_type {
                    ChangeType::Added => false,
                    _ => {
                        previous.is_some_and(|p| !is_terminating(p))
                            && (is_terminating(&**pod) || change.change_type == ChangeType::Deleted)
                    }
                };
                if let Some(set) = self.owner_set(pod).cloned() {
                    if change.change_type == ChangeType::Added {
                        assert_monotonic_invariants(self, &set, pod, now, true)
                            .map_err(|d| violation("assertMonotonicInvariants", d))?;
                    }
                    if starts_deletion && let Some(previous) = previous.cloned() {
                        assert_monotonic_invariants(self, &set, &previous, now, false)
                            .map_err(|d| violation("assertMonotonicInvariants", d))?;
                        if !self.max_unavailable_gate {
                            assert_update_invariants(self, &set, &previous, now)
                                .map_err(|d| violation("assertUpdateInvariants", d))?;
                        }
                    }
                    if change.change_type != ChangeType::Deleted {
                        assert_burst_invariants(&set, pod)
                            .map_err(|d| violation("assertBurstInvariants", d))?;
                    }
                }
            }
            Object::StatefulSet(set) if change.actor == Actor::StatefulSetController => {
                check_status_bounds(set).map_err(|d| violation("status bounds (ST-05)", d))?;
            }
            _ => {}
        }
        let deleted = change.change_type == ChangeType::Deleted;
        match change.object.as_ref() {
            Object::Pod(p) => upsert(&mut self.pods, key, p, deleted),
            Object::StatefulSet(s) => upsert(&mut self.sets, key, s, deleted),
            Object::PersistentVolumeClaim(c) => upsert(&mut self.claims, key, c, deleted),
            Object::ControllerRevision(r) => upsert(&mut self.revisions, key, r, deleted),
            _ => {}
        }
        Ok(())
    }

    /// Checks every change of a log in order.
    ///
    /// # Errors
    /// The first [`Violation`] found.
    pub fn check(&mut self, changes: impl IntoIterator<Item = Change>) -> Result<(), Violation> {
        changes.into_iter().try_for_each(|c| self.apply(&c))
    }
}

fn upsert<T: Clone>(map: &mut BTreeMap<Key, T>, key: Key, value: &T, deleted: bool) {
    if deleted {
        map.remove(&key);
    } else {
        map.insert(key, value.clone());
    }
}

/// OrderedReady ordering of creates (`creating`) and scale-down deletes.
// upstream: stateful_set_control_test.go assertMonotonicInvariants (as a per-write check)
pub fn assert_monotonic_invariants(
    replay: &Replay,
    set: &StatefulSet,
    pod: &Pod,
    now: Timestamp,
    creating: bool,
) -> Result<(), String> {
    if allows_burst(set) || set.metadata.deletion_timestamp.is_some() {
        return Ok(());
    }
    let Some(ordinal) = get_ordinal(pod) else {
        return Ok(());
    };
    let (start, end) = (get_start_ordinal(set), get_end_ordinal(set));
    let min_ready = min_ready_seconds(set);
    let by_ordinal: BTreeMap<i32, &Pod> = replay
        .pods_of(set)
        .filter_map(|p| Some((get_ordinal(p)?, p)))
        .collect();
    let pod_name = pod.metadata.name.as_deref().unwrap_or("");
    if creating {
        if ordinal < start || ordinal > end {
            return Err(format!(
                "created {pod_name} outside the ordinal range [{start}, {end}]"
            ));
        }
        for j in start..ordinal {
            match by_ordinal.get(&j) {
                Some(p) if healthy(p, min_ready, now) => {}
                Some(p) => {
                    return Err(format!(
                        "created {pod_name} while its predecessor {} is not Running, Ready and Available",
                        p.metadata.name.as_deref().unwrap_or("")
                    ));
                }
                None => {
                    return Err(format!(
                        "created {pod_name} while its predecessor with ordinal {j} is missing"
                    ));
                }
            }
        }
        return Ok(());
    }
    let condemned = ordinal < start || ordinal > end;
    if !condemned || is_failed(pod) || is_succeeded(pod) {
        return Ok(());
    }
    for j in start..=end {
        match by_ordinal.get(&j) {
            Some(p) if healthy(p, min_ready, now) => {}
            _ => {
                return Err(format!(
                    "deleted condemned {pod_name} while in-range ordinal {j} is not healthy"
                ));
            }
        }
    }
    if let Some((higher, _)) = by_ordinal
        .range(ordinal + 1..)
        .find(|(o, _)| **o < start || **o > end)
    {
        return Err(format!(
            "deleted condemned {pod_name} while a higher condemned pod (ordinal {higher}) remains"
        ));
    }
    Ok(())
}

/// Identity and storage of an owned pod.
// upstream: stateful_set_control_test.go assertBurstInvariants
pub fn assert_burst_invariants(set: &StatefulSet, pod: &Pod) -> Result<(), String> {
    let name = pod.metadata.name.as_deref().unwrap_or("");
    if !identity_matches(set, pod) {
        return Err(format!(
            "pod {name} does not match the identity specification of its StatefulSet"
        ));
    }
    if !storage_matches(set, pod) {
        return Err(format!(
            "pod {name} does not match the storage specification of its StatefulSet"
        ));
    }
    Ok(())
}

/// A rolling-update delete (gate off) takes the highest pod not at the update revision,
/// at or above the partition, after everything above it is updated and healthy.
// upstream: stateful_set_control_test.go assertUpdateInvariants (as a per-write check)
pub fn assert_update_invariants(
    replay: &Replay,
    set: &StatefulSet,
    pod: &Pod,
    now: Timestamp,
) -> Result<(), String> {
    let Some(ordinal) = get_ordinal(pod) else {
        return Ok(());
    };
    let (start, end) = (get_start_ordinal(set), get_end_ordinal(set));
    if ordinal < start
        || ordinal > end
        || is_failed(pod)
        || is_succeeded(pod)
        || set.metadata.deletion_timestamp.is_some()
    {
        return Ok(());
    }
    let name = pod.metadata.name.as_deref().unwrap_or("");
    if strategy_type(set) == "OnDelete" {
        return Err(format!(
            "deleted in-range pod {name} although the update strategy is OnDelete"
        ));
    }
    if ordinal < start + partition(set) {
        return Err(format!(
            "deleted {name} for update below the partition {}",
            partition(set)
        ));
    }
    let Some(update) = replay.update_revision(set) else {
        return Ok(());
    };
    if get_pod_revision(pod) == update {
        return Err(format!(
            "deleted {name} for update although it is at the update revision"
        ));
    }
    let min_ready = min_ready_seconds(set);
    for p in replay.pods_of(set) {
        let Some(o) = get_ordinal(p) else { continue };
        if o > ordinal && o <= end && (get_pod_revision(p) != update || !healthy(p, min_ready, now))
        {
            return Err(format!(
                "deleted {name} for update while higher pod {} is not updated and healthy",
                p.metadata.name.as_deref().unwrap_or("")
            ));
        }
    }
    Ok(())
}

/// The RET-01 matrix for one claim of a pod.
// upstream: stateful_set_control_test.go checkClaimInvariants
pub fn check_claim_invariants(
    set: &StatefulSet,
    pod: &Pod,
    claim: &PersistentVolumeClaim,
) -> Result<(), String> {
    let set_uid = set.metadata.uid.as_deref().unwrap_or("");
    let pod_uid = pod.metadata.uid.as_deref().unwrap_or("");
    let claim_name = claim.metadata.name.as_deref().unwrap_or("");
    let in_range =
        get_ordinal(pod).is_some_and(|o| o >= get_start_ordinal(set) && o <= get_end_ordinal(set));
    let (set_ref, pod_ref) = (has_owner_ref(claim, set_uid), has_owner_ref(claim, pod_uid));
    let (want_set, want_pod) = match retention_policy(set) {
        (RETAIN, RETAIN) => (false, false),
        (DELETE, RETAIN) => (true, false),
        (RETAIN, DELETE) => (false, !in_range),
        (DELETE, DELETE) => (in_range, !in_range),
        _ => (false, false),
    };
    if (set_ref, pod_ref) != (want_set, want_pod) {
        return Err(format!(
            "claim {claim_name}: set reference {set_ref} (want {want_set}), pod reference {pod_ref} (want {want_pod})"
        ));
    }
    Ok(())
}

/// ST-05: counts non-negative and bounded by replicas; available ≤ ready.
pub fn check_status_bounds(set: &StatefulSet) -> Result<(), String> {
    let Some(s) = set.status.as_ref() else {
        return Ok(());
    };
    let (replicas, ready, available) = (
        s.replicas,
        s.ready_replicas.unwrap_or(0),
        s.available_replicas.unwrap_or(0),
    );
    let (current, updated) = (
        s.current_replicas.unwrap_or(0),
        s.updated_replicas.unwrap_or(0),
    );
    if [replicas, ready, available, current, updated]
        .iter()
        .any(|n| *n < 0)
    {
        return Err(format!("negative count in {s:?}"));
    }
    if ready > replicas
        || available > replicas
        || current > replicas
        || updated > replicas
        || available > ready
    {
        return Err(format!(
            "counts out of bounds: replicas={replicas} ready={ready} available={available} current={current} updated={updated}"
        ));
    }
    Ok(())
}

/// Checks a converged cluster: every Running and Ready owned pod's claims follow the
/// retention matrix.
///
/// # Errors
/// The first broken claim.
pub fn check_converged_claims(replay: &Replay) -> Result<(), String> {
    for set in replay.sets.values() {
        if set.metadata.deletion_timestamp.is_some() {
            continue;
        }
        for pod in replay.pods_of(set) {
            if !is_running_and_ready(pod) || is_terminating(pod) {
                continue;
            }
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            for (_, name) in super::stateful_set_utils::claim_names(set, pod) {
                if let Some(stored) = replay.claims.get(&(ns.clone(), name)) {
                    check_claim_invariants(set, pod, stored)?;
                }
            }
        }
    }
    Ok(())
}

/// Whether an object is one the replay tracks.
pub fn tracked(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod | Kind::StatefulSet | Kind::PersistentVolumeClaim | Kind::ControllerRevision
    )
}
