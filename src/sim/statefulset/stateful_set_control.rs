//! The sync algorithm of the reference StatefulSet controller: revisions, the replica
//! scan, condemned pods, the rolling-update loop (with and without maxUnavailable), status
//! and history truncation — structured like upstream's `stateful_set_control.go`.

use super::pod_index::{Counts, FactContext, Facts, PodIndex};
use super::stateful_pod_control::{
    ControlError, ObjectManager, SharedRevision, claims_match_retention_policy,
    create_missing_persistent_volume_claims, create_stateful_pod, delete_stateful_pod,
    pod_claim_is_stale, update_pod_claim_for_retention_policy, update_stateful_pod,
};
use super::stateful_set_utils::{
    self as utils, allows_burst, apply_revision, complete_rolling_update, equal_revision,
    get_end_ordinal, get_pod_revision, get_start_ordinal, get_stateful_set_max_unavailable,
    identity_matches, inconsistent_status, is_created, is_failed, is_pending,
    is_running_and_available, is_running_and_ready, is_succeeded, is_terminating, is_unavailable,
    min_ready_seconds, new_revision, new_versioned_stateful_set_pod, next_revision,
    storage_matches,
};
use crate::model::behaviour::Behaviour;
use crate::model::pod_record::{PodRecord, PodView};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::jiff::Timestamp;
use std::cell::OnceCell;
use std::collections::HashSet;

/// Upper bound of one slow-start batch.
// upstream: stateful_set_control.go MaxBatchSize
pub const MAX_BATCH_SIZE: usize = 500;

/// A failed sync: every error it met, in order (upstream aggregates them).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
pub struct SyncError(pub Vec<ControlError>);

impl From<ControlError> for SyncError {
    fn from(e: ControlError) -> Self {
        SyncError(vec![e])
    }
}

/// What one sync produced.
#[derive(Debug, Clone, Default)]
pub struct SyncResult {
    /// The status computed (and written when it changed), if the sync got that far.
    pub status: Option<StatefulSetStatus>,
    /// Errors; a failed sync is retried with backoff.
    pub error: Option<SyncError>,
}

fn name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

/// Sorts revisions by `.revision`, then creation time, then name.
// upstream: controller_history.go SortControllerRevisions
pub fn sort_controller_revisions(revisions: &mut [SharedRevision]) {
    revisions.sort_by(|a, b| {
        a.revision
            .cmp(&b.revision)
            .then_with(|| {
                let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
                let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
                ta.cmp(&tb)
            })
            .then_with(|| name(&a.metadata).cmp(name(&b.metadata)))
    });
}

/// A set's template and the revision patch computed from it (`getPatch`), kept between
/// syncs: a sync runs on every pod change, the template changes rarely, and serializing it
/// on every sync was a tenth of an OrderedReady scale-up.
#[derive(Debug, Default)]
pub struct PatchMemo(Option<(Option<PodTemplateSpec>, serde_json::Value)>);

impl PatchMemo {
    /// `getPatch(set)`, computed again only when the template differs from the last one's.
    pub fn patch(&mut self, set: &StatefulSet) -> &serde_json::Value {
        let template = set.spec.as_ref().map(|s| &s.template);
        if self.0.as_ref().is_some_and(|(t, _)| t.as_ref() != template) {
            self.0 = None;
        }
        &self
            .0
            .get_or_insert_with(|| (template.cloned(), utils::get_patch(set)))
            .1
    }
}

/// Runs one sync of `set` over the pods it claims.
// upstream: stateful_set_control.go UpdateStatefulSet
pub fn update_stateful_set<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pods: &mut PodIndex,
    patch: &mut PatchMemo,
    behaviour: &Behaviour,
) -> SyncResult {
    let mut revisions = m.list_revisions(set);
    sort_controller_revisions(&mut revisions);
    let (current, update, mut result) = perform_update(m, set, pods, &revisions, patch, behaviour);
    let live = pods.revisions();
    if let Err(e) = truncate_history(
        m,
        set,
        live,
        &revisions,
        current.as_deref(),
        update.as_deref(),
    ) {
        result
            .error
            .get_or_insert_with(|| SyncError(Vec::new()))
            .0
            .push(e);
    }
    result
}

type Revisions = (Option<SharedRevision>, Option<SharedRevision>, SyncResult);

// upstream: stateful_set_control.go performUpdate
fn perform_update<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pods: &mut PodIndex,
    revisions: &[SharedRevision],
    patch: &mut PatchMemo,
    behaviour: &Behaviour,
) -> Revisions {
    let found = get_stateful_set_revisions(m, set, revisions, patch);
    let (current, update, collision_count) = match found {
        Ok(r) => r,
        Err(e) => {
            return (
                None,
                None,
                SyncResult {
                    status: None,
                    error: Some(e.into()),
                },
            );
        }
    };
    let (status, error) =
        update_stateful_set_pods(m, set, &current, &update, collision_count, pods, behaviour);
    let mut result = SyncResult {
        status: None,
        error,
    };
    if let Some(mut status) = status {
        // Make sure to update the latest status even if there is an error.
        let status_error = update_stateful_set_status(m, set, &mut status, behaviour);
        if let (None, Err(e)) = (&result.error, status_error) {
            result.error = Some(e.into());
        }
        result.status = Some(status);
    }
    (Some(current), Some(update), result)
}

/// Finds or creates the current and update revisions (REV-02, REV-03, REV-04, UPD-12).
// upstream: stateful_set_control.go getStatefulSetRevisions
pub fn get_stateful_set_revisions<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    revisions: &[SharedRevision],
    patch: &mut PatchMemo,
) -> Result<(SharedRevision, SharedRevision, i32), ControlError> {
    let mut collision_count = set
        .status
        .as_ref()
        .and_then(|s| s.collision_count)
        .unwrap_or(0);
    // The candidate revision is built only to be created; EqualRevision compares data.
    let data = patch.patch(set);
    let equal: Vec<&SharedRevision> = revisions
        .iter()
        .filter(|r| r.data.as_ref().is_some_and(|d| d.0 == *data))
        .collect();
    let update = match (equal.last(), revisions.last()) {
        (Some(eq), Some(newest)) if equal_revision(newest, eq) => newest.clone(),
        (Some(eq), _) => {
            // Roll back by bumping the equal revision's number.
            let mut bumped = ControllerRevision::clone(eq);
            bumped.revision = next_revision(revisions);
            bumped.metadata.resource_version = None;
            m.update_revision(bumped)?.into()
        }
        (None, _) => {
            let revision = next_revision(revisions);
            let candidate = new_revision(set, revision, collision_count, data.clone());
            create_controller_revision(m, set, candidate, &mut collision_count)?.into()
        }
    };
    let current_name = set
        .status
        .as_ref()
        .and_then(|s| s.current_revision.as_deref())
        .unwrap_or("");
    let current = revisions
        .iter()
        .find(|r| name(&r.metadata) == current_name)
        .cloned()
        .unwrap_or_else(|| update.clone());
    Ok((current, update, collision_count))
}

// upstream: controller_history.go CreateControllerRevision
fn create_controller_revision<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    revision: ControllerRevision,
    collision_count: &mut i32,
) -> Result<ControllerRevision, ControlError> {
    let data = revision.data.clone().map(|d| d.0).unwrap_or_default();
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    loop {
        let hash = utils::hash_controller_revision(&data, Some(*collision_count));
        let mut clone = revision.clone();
        clone.metadata.name = Some(crate::model::names::controller_revision_name(
            name(&set.metadata),
            &hash,
        ));
        match m.create_revision(clone.clone()) {
            Ok(created) => return Ok(created),
            Err(e) if e.is_already_exists() => {
                let Some(existing) = m.get_revision(&namespace, name(&clone.metadata)) else {
                    return Err(e.into());
                };
                if existing.data == clone.data {
                    return Ok(existing);
                }
                *collision_count += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Deletes non-live revisions beyond `revisionHistoryLimit`, oldest first (REV-05).
// upstream: stateful_set_control.go truncateHistory
pub fn truncate_history<'a, M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod_revisions: impl Iterator<Item = &'a str>,
    revisions: &'a [SharedRevision],
    current: Option<&'a ControllerRevision>,
    update: Option<&'a ControllerRevision>,
) -> Result<(), ControlError> {
    let mut live: HashSet<&str> = pod_revisions.collect();
    live.extend(current.map(|r| name(&r.metadata)));
    live.extend(update.map(|r| name(&r.metadata)));
    let history: Vec<&SharedRevision> = revisions
        .iter()
        .filter(|r| !live.contains(name(&r.metadata)))
        .collect();
    let limit = set
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10);
    if limit < 0 || history.len() <= limit as usize {
        return Ok(());
    }
    let namespace = set.metadata.namespace.as_deref().unwrap_or("");
    for revision in &history[..history.len() - limit as usize] {
        m.delete_revision(namespace, name(&revision.metadata))?;
    }
    Ok(())
}

fn nonzero(n: i32) -> Option<i32> {
    (n != 0).then_some(n)
}

// upstream: stateful_set_control.go updateStatus (computeReplicaStatus over the index's totals)
fn update_status(status: &mut StatefulSetStatus, counts: &Counts, current: &str, update: &str) {
    status.replicas = counts.created;
    status.ready_replicas = nonzero(counts.ready);
    status.available_replicas = nonzero(counts.available);
    status.current_replicas = nonzero(counts.at_revision(current));
    status.updated_replicas = nonzero(counts.at_revision(update));
}

/// Where one step of a scan leaves the sync.
type Step = Result<bool, ControlError>;

/// Runs `f` over the indices of `0..n` that `candidates(from, to)` yields for `from..to`
/// (the others are known no-ops): in order, stopping at the first `true` or error, when
/// `monotonic`; otherwise in slow-start batches over `0..n` (1, 2, 4 … ≤ 500), stopping
/// after a batch with errors. Returns whether the caller should stop.
// upstream: stateful_set_control.go runForAll, slowStartBatch
fn run_for_all<I: Iterator<Item = usize>>(
    n: usize,
    monotonic: bool,
    candidates: impl Fn(usize, usize) -> I,
    mut f: impl FnMut(usize) -> Step,
) -> Result<bool, SyncError> {
    if monotonic {
        for i in candidates(0, n) {
            match f(i) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(false);
    }
    let (mut start, mut batch) = (0, 1.min(n));
    while batch > 0 {
        let errors: Vec<ControlError> = candidates(start, start + batch)
            .filter_map(|i| f(i).err())
            .collect();
        if !errors.is_empty() {
            return Err(SyncError(errors));
        }
        start += batch;
        batch = (2 * batch).min(n - start).min(MAX_BATCH_SIZE);
    }
    Ok(false)
}

/// Everything a scan step reads.
///
/// Upstream's `currentSet` and `updateSet` (`ApplyRevision`) differ from `set` only in the
/// template, which nothing but a new pod reads; they are built when the first pod is, and
/// the identity, storage and claim-retention checks and repairs read `set` (upstream passes
/// `updateSet` to some of them, to the same effect).
struct Scan<'s> {
    set: &'s StatefulSet,
    current: &'s ControllerRevision,
    update: &'s ControllerRevision,
    current_set: OnceCell<StatefulSet>,
    update_set: OnceCell<StatefulSet>,
    monotonic: bool,
    now: Timestamp,
    min_ready: i32,
}

impl Scan<'_> {
    fn namespace(&self) -> &str {
        self.set.metadata.namespace.as_deref().unwrap_or("")
    }

    fn current_set(&self) -> &StatefulSet {
        self.current_set
            .get_or_init(|| apply_revision(self.set, self.current))
    }

    fn update_set(&self) -> &StatefulSet {
        self.update_set
            .get_or_init(|| apply_revision(self.set, self.update))
    }
}

/// What the index records of one pod, from upstream's predicates.
fn facts_of<M: ObjectManager>(m: &M, scan: &Scan<'_>, update_name: &str, pod: &PodRecord) -> Facts {
    let ready = is_running_and_ready(pod);
    let available = is_running_and_available(pod, scan.min_ready, scan.now);
    let terminating = is_terminating(pod);
    let revision = get_pod_revision(pod);
    // The conditions under which processReplica returns "carry on" without writing.
    let quiet = ready
        && available
        && !terminating
        && identity_matches(scan.set, pod)
        && storage_matches(scan.set, pod)
        && claims_match_retention_policy(m, scan.set, pod);
    Facts {
        created: is_created(pod),
        ready,
        available,
        terminating,
        quiet,
        stale: revision != update_name && !terminating,
        revision: revision.to_owned(),
    }
}

/// The core of a sync: create, repair, delete and roll pods.
// upstream: stateful_set_control.go updateStatefulSet
fn update_stateful_set_pods<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    current: &ControllerRevision,
    update: &ControllerRevision,
    collision_count: i32,
    pods: &mut PodIndex,
    behaviour: &Behaviour,
) -> (Option<StatefulSetStatus>, Option<SyncError>) {
    let scan = Scan {
        set,
        current,
        update,
        current_set: OnceCell::new(),
        update_set: OnceCell::new(),
        monotonic: !allows_burst(set),
        now: m.now(),
        min_ready: min_ready_seconds(set),
    };
    let (current_name, update_name) = (name(&current.metadata), name(&update.metadata));
    let (start, end) = (get_start_ordinal(set), get_end_ordinal(set));
    let context = FactContext {
        uid: set.metadata.uid.clone().unwrap_or_default(),
        generation: set.metadata.generation.unwrap_or(0),
        update_revision: update_name.to_owned(),
        min_ready: scan.min_ready,
        start,
        end,
    };
    pods.refresh_facts(context.clone(), |pod| {
        facts_of(&*m, &scan, update_name, pod)
    });
    #[cfg(any(test, debug_assertions))]
    if m.marks_every_change() {
        let mut rebuilt = pods.clone();
        rebuilt.forget_facts();
        rebuilt.refresh_facts(context, |pod| facts_of(&*m, &scan, update_name, pod));
        assert!(pods.is_settled(), "facts left to recompute after a refresh");
        assert_eq!(
            *pods, rebuilt,
            "the incremental pod index diverged from a rebuild"
        );
    }
    let pods = &*pods;
    let mut status = StatefulSetStatus {
        observed_generation: set.metadata.generation,
        current_revision: Some(current_name.to_owned()),
        update_revision: Some(update_name.to_owned()),
        collision_count: Some(collision_count),
        ..Default::default()
    };
    update_status(&mut status, pods.counts(), current_name, update_name);

    let replica_count = utils::replicas(set).max(0) as usize;
    // A missing pod is only built when it is created (upstream builds every placeholder up
    // front; placeholders have no phase, so they count for nothing in status either way).
    let slot = |i: usize| pods.slot(start + i as i32);
    let condemned = pods.condemned(start, end);
    let placeholder = |i: usize| {
        new_versioned_stateful_set_pod(
            scan.current_set(),
            scan.update_set(),
            current_name,
            update_name,
            start + i as i32,
        )
    };

    // The first unavailable pod: in range first (a missing one counts), else the lowest condemned one.
    let set_name = name(&set.metadata);
    let first_unhealthy: Option<String> = pods
        .first_unavailable()
        .map(|o| match pods.slot(o) {
            Some(p) => p.name().to_owned(),
            None => crate::model::names::pod_name(set_name, o),
        })
        .or_else(|| {
            condemned
                .iter()
                .rev()
                .find(|p| is_unavailable(**p, scan.min_ready, scan.now))
                .map(|p| p.name().to_owned())
        });

    // If the StatefulSet is being deleted, don't do anything other than updating status (DEL-02).
    if set.metadata.deletion_timestamp.is_some() {
        return (Some(status), None);
    }
    // Every later return recounts over the slotted pods. Creates, deletes and repairs in
    // this sync do not change the pods it read, so one recount serves them all (upstream
    // recounts the same pods before each return).
    update_status(
        &mut status,
        &pods.slotted_counts(),
        current_name,
        update_name,
    );

    // First, process each living replica; exit on error or, monotonic, on anything blocking.
    // Slots whose pod is quiet would be a no-op, so only the blocked ones are visited.
    let blocked = |from: usize, to: usize| {
        pods.blocked(start + from as i32, start + to as i32 - 1)
            .map(move |o| (o - start) as usize)
    };
    let outcome = run_for_all(replica_count, scan.monotonic, blocked, |i| {
        process_replica(m, &scan, slot(i), &placeholder, i)
    });
    if !matches!(outcome, Ok(false)) {
        return (Some(status), outcome.err());
    }

    // Fix pod claims for condemned pods, if necessary.
    let outcome = run_for_all(
        condemned.len(),
        scan.monotonic,
        |a, b| a..b,
        |i| {
            if !claims_match_retention_policy(m, set, condemned[i]) {
                update_pod_claim_for_retention_policy(m, set, condemned[i])?;
            }
            Ok(false)
        },
    );
    if !matches!(outcome, Ok(false)) {
        return (Some(status), outcome.err());
    }

    // In monotonic mode all in-range replicas are now healthy: terminate condemned pods,
    // highest ordinal first. Scaling takes precedence over updates (ORD-08).
    let outcome = run_for_all(
        condemned.len(),
        scan.monotonic,
        |a, b| a..b,
        |i| process_condemned(m, &scan, first_unhealthy.as_deref(), &condemned, i),
    );
    if !matches!(outcome, Ok(false)) {
        return (Some(status), outcome.err());
    }

    // For OnDelete, pods are updated when they are deleted by someone else (OND-01).
    if utils::strategy_type(set) == "OnDelete" {
        return (Some(status), None);
    }

    if behaviour.max_unavailable_stateful_set {
        return update_after_invariant_established(
            m,
            &scan,
            pods,
            &placeholder,
            update_name,
            status,
        );
    }

    // Terminate the highest-ordinal pod not at the update revision; one per sync (UPD-02).
    // Walking down from the top, every slot above the highest missing, unavailable or
    // stale one passes, so the walk starts there.
    let update_min = utils::partition(set).max(0) as usize;
    let from = start.saturating_add(update_min.min(i32::MAX as usize) as i32);
    let Some(top) = pods.last_update_stop(from, end) else {
        return (Some(status), None);
    };
    for target in (update_min..=(top - start) as usize).rev() {
        let mut built = None;
        let pod = slot_or_placeholder(slot(target), &placeholder, target, &mut built);
        if get_pod_revision(pod) != update_name && !is_terminating(pod) {
            if let Err(e) = delete_stateful_pod(m, set, pod)
                && !e.is_not_found()
            {
                return (Some(status), Some(e.into()));
            }
            status.current_replicas = nonzero(status.current_replicas.unwrap_or(0) - 1);
            return (Some(status), None);
        }
        // Wait for unhealthy pods on update (UPD-07).
        if is_unavailable(pod, scan.min_ready, scan.now) {
            return (Some(status), None);
        }
    }
    (Some(status), None)
}

// upstream: stateful_set_control.go processReplica
fn process_replica<M: ObjectManager>(
    m: &mut M,
    scan: &Scan<'_>,
    replica: Option<&PodRecord>,
    placeholder: &dyn Fn(usize) -> Pod,
    i: usize,
) -> Step {
    let set = scan.set;
    let Some(pod) = replica else {
        let pod = placeholder(i);
        // A claim still owned by an earlier pod of this name blocks creation this round (RET-04).
        if pod_claim_is_stale(m, set, &pod) {
            return Ok(true);
        }
        create_stateful_pod(m, set, pod)?;
        // If the set does not allow bursting, return immediately.
        return Ok(scan.monotonic);
    };
    // Delete and recreate pods which finished running; the replacement comes on a later
    // sync, once the old object is gone (ORD-04).
    if is_failed(pod) || is_succeeded(pod) {
        if pod.deletion_timestamp().is_none() {
            delete_stateful_pod(m, set, pod)?;
        }
        return Ok(true);
    }
    if !is_created(pod) {
        // A claim still owned by an earlier pod of this name blocks creation this round (RET-04).
        if pod_claim_is_stale(m, set, pod) {
            return Ok(true);
        }
        // Upstream posts the stored pod again (and meets AlreadyExists).
        if let Some(stored) = m.get_pod(scan.namespace(), pod.name()) {
            create_stateful_pod(m, set, stored)?;
        }
        // If the set does not allow bursting, return immediately.
        return Ok(scan.monotonic);
    }
    // A pending pod may be waiting for a claim someone deleted: recreate it (PVC-07).
    if is_pending(pod) {
        create_missing_persistent_volume_claims(m, set, pod)?;
    }
    // Wait for graceful deletion to finish before making progress (ORD-05).
    if is_terminating(pod) && scan.monotonic {
        return Ok(true);
    }
    // Every predecessor must be Running and Ready (ORD-02) …
    if !is_running_and_ready(pod) && scan.monotonic {
        return Ok(true);
    }
    // … and Available (AVL-02).
    if !is_running_and_available(pod, scan.min_ready, scan.now) && scan.monotonic {
        return Ok(true);
    }
    // Enforce the StatefulSet invariants (ID-07, RET-06).
    let retention_match = claims_match_retention_policy(m, set, pod);
    if identity_matches(set, pod) && storage_matches(set, pod) && retention_match {
        return Ok(false);
    }
    update_stateful_pod(m, set, pod)?;
    Ok(false)
}

// upstream: stateful_set_control.go processCondemned
fn process_condemned<M: ObjectManager>(
    m: &mut M,
    scan: &Scan<'_>,
    first_unhealthy: Option<&str>,
    condemned: &[&PodRecord],
    i: usize,
) -> Step {
    let pod = condemned[i];
    if is_terminating(pod) {
        // In monotonic mode, block and wait for terminating pods to go (ORD-05).
        return Ok(scan.monotonic);
    }
    let is_first_unhealthy = first_unhealthy == Some(pod.name());
    // In monotonic mode, only the first unhealthy pod may go while unhealthy (ORD-07).
    if !is_running_and_ready(pod) && scan.monotonic && !is_first_unhealthy {
        return Ok(true);
    }
    if !is_running_and_available(pod, scan.min_ready, scan.now)
        && scan.monotonic
        && !is_first_unhealthy
    {
        return Ok(true);
    }
    delete_stateful_pod(m, scan.set, pod)?;
    Ok(true)
}

/// The rolling-update loop with the MaxUnavailableStatefulSet gate on (MU-03, MU-04).
// upstream: stateful_set_control.go updateStatefulSetAfterInvariantEstablished (1.35 release code)
fn update_after_invariant_established<M: ObjectManager>(
    m: &mut M,
    scan: &Scan<'_>,
    pods: &PodIndex,
    placeholder: &dyn Fn(usize) -> Pod,
    update_name: &str,
    mut status: StatefulSetStatus,
) -> (Option<StatefulSetStatus>, Option<SyncError>) {
    let set = scan.set;
    let replica_count = utils::replicas(set);
    let (update_min, max_unavailable) = match set
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.as_ref())
    {
        Some(ru) => (
            ru.partition.unwrap_or(0).max(0),
            get_stateful_set_max_unavailable(ru.max_unavailable.as_ref(), replica_count),
        ),
        None => (0, 1),
    };
    let unavailable = pods.unavailable_count() as i32;
    if unavailable >= max_unavailable {
        return (Some(status), None);
    }
    let to_delete = max_unavailable - unavailable;
    let mut deleted = 0;
    let start = get_start_ordinal(set);
    // Only a missing or stale slot can be deleted; the others are passed over.
    let targets =
        pods.stale_or_missing_desc(start.saturating_add(update_min), get_end_ordinal(set));
    for ordinal in targets {
        if deleted >= to_delete {
            break;
        }
        let target = (ordinal - start) as usize;
        let mut built = None;
        let pod = slot_or_placeholder(pods.slot(ordinal), placeholder, target, &mut built);
        if get_pod_revision(pod) != update_name && !is_terminating(pod) {
            if let Err(e) = delete_stateful_pod(m, set, pod)
                && !e.is_not_found()
            {
                return (Some(status), Some(e.into()));
            }
            deleted += 1;
            status.current_replicas = nonzero(status.current_replicas.unwrap_or(0) - 1);
        }
    }
    (Some(status), None)
}

/// The pod in slot `i`, or the placeholder a create would use (kept alive in `built`).
fn slot_or_placeholder<'a>(
    replica: Option<&'a PodRecord>,
    placeholder: &dyn Fn(usize) -> Pod,
    i: usize,
    built: &'a mut Option<Pod>,
) -> &'a dyn PodView {
    match replica {
        Some(pod) => pod,
        None => built.insert(placeholder(i)),
    }
}

/// Completes a rollout when due and writes status only when it changed (ST-06, UPD-09).
// upstream: stateful_set_control.go updateStatefulSetStatus
fn update_stateful_set_status<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    status: &mut StatefulSetStatus,
    behaviour: &Behaviour,
) -> Result<(), ControlError> {
    complete_rolling_update(set, status, behaviour);
    if !inconsistent_status(set, status) {
        return Ok(());
    }
    m.update_set_status(set, status.clone()).map_err(Into::into)
}

/// Start and end ordinals of the set, for callers outside the controller.
pub fn ordinal_range(set: &StatefulSet) -> (i32, i32) {
    (get_start_ordinal(set), get_end_ordinal(set))
}
