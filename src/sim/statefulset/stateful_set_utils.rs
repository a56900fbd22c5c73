//! Pure helpers of the reference StatefulSet controller: ordinals, identity, storage,
//! claim ownership by retention policy, pod health, revisions and status completion.
//! Each mirrors the upstream function named in its `upstream:` note.

use crate::model::behaviour::Behaviour;
use crate::model::names::{
    self, CONTROLLER_REVISION_HASH_LABEL, POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_HASH_LABEL,
};
use crate::model::pod_record::PodView;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Retention policy value `Retain`.
pub const RETAIN: &str = "Retain";
/// Retention policy value `Delete`.
pub const DELETE: &str = "Delete";

/// Kind of the owner the controller writes into references.
pub const SET_API_VERSION: &str = "apps/v1";

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

fn uid(meta: &ObjectMeta) -> &str {
    meta.uid.as_deref().unwrap_or("")
}

/// `spec.replicas` (defaulted to 1 by the API).
pub fn replicas(set: &StatefulSet) -> i32 {
    set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// upstream: stateful_set_utils.go getStartOrdinal
pub fn get_start_ordinal(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.ordinals.as_ref())
        .and_then(|o| o.start)
        .unwrap_or(0)
}

/// upstream: stateful_set_utils.go getEndOrdinal
pub fn get_end_ordinal(set: &StatefulSet) -> i32 {
    get_start_ordinal(set) + replicas(set) - 1
}

/// The ordinal of a pod (None when its name does not parse).
// upstream: stateful_set_utils.go getOrdinal
pub fn get_ordinal(pod: &(impl PodView + ?Sized)) -> Option<i32> {
    names::ordinal_of(pod.name())
}

/// upstream: stateful_set_utils.go podInOrdinalRange
pub fn pod_in_ordinal_range(pod: &(impl PodView + ?Sized), set: &StatefulSet) -> bool {
    get_ordinal(pod).is_some_and(|o| o >= get_start_ordinal(set) && o <= get_end_ordinal(set))
}

/// upstream: stateful_set_utils.go isMemberOf
pub fn is_member_of(set: &StatefulSet, pod: &(impl PodView + ?Sized)) -> bool {
    names::parent_of(pod.name()) == Some(name(&set.metadata))
}

/// upstream: stateful_set_utils.go identityMatches
pub fn identity_matches(set: &StatefulSet, pod: &(impl PodView + ?Sized)) -> bool {
    let pod_name = pod.name();
    let Some((parent, ordinal)) = names::parent_and_ordinal(pod_name) else {
        return false;
    };
    // `pod.Name == getPodName(set, ordinal)` without formatting: the digits must be the
    // canonical decimal form (no leading zeros, ID-08's `web-007`).
    let digits = &pod_name[parent.len() + 1..];
    let canonical = digits == "0" || !digits.starts_with('0');
    let _ = ordinal;
    parent == name(&set.metadata)
        && canonical
        && pod.namespace() == set.metadata.namespace.as_deref()
        && pod.label(POD_NAME_LABEL) == Some(pod_name)
}

fn claim_templates(set: &StatefulSet) -> &[PersistentVolumeClaim] {
    set.spec
        .as_ref()
        .and_then(|s| s.volume_claim_templates.as_deref())
        .unwrap_or(&[])
}

/// upstream: stateful_set_utils.go storageMatches
pub fn storage_matches(set: &StatefulSet, pod: &(impl PodView + ?Sized)) -> bool {
    let Some(ordinal) = get_ordinal(pod) else {
        return false;
    };
    let set_name = name(&set.metadata);
    claim_templates(set).iter().all(|claim| {
        let template = name(&claim.metadata);
        pod.volume_claim(template).is_some_and(|claim_name| {
            // claim_name == "<template>-<set>-<ordinal>", compared piecewise.
            claim_name
                .strip_prefix(template)
                .and_then(|r| r.strip_prefix('-'))
                .and_then(|r| r.strip_prefix(set_name))
                .and_then(|r| r.strip_prefix('-'))
                .is_some_and(|r| r == ordinal.to_string())
        })
    })
}

/// The claim each template gives a pod of this set, in template order: (template, claim
/// name). Most readers need only the name; [`new_claim`] builds the claim itself.
// upstream: stateful_set_utils.go getPersistentVolumeClaims, split in two (upstream returns
// a map; its iteration order is random, template order is one of the orders it can produce)
pub fn claim_names<'s>(
    set: &'s StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> Vec<(&'s PersistentVolumeClaim, String)> {
    let ordinal = get_ordinal(pod).unwrap_or(-1);
    claim_templates(set)
        .iter()
        .map(|template| {
            let claim_name =
                names::claim_name(name(&template.metadata), name(&set.metadata), ordinal);
            (template, claim_name)
        })
        .collect()
}

/// The claim `claim_name` made from `template`: the template, named and namespaced, with the
/// set's selector labels added.
pub fn new_claim(
    set: &StatefulSet,
    template: &PersistentVolumeClaim,
    claim_name: String,
) -> PersistentVolumeClaim {
    let mut claim = template.clone();
    claim.metadata.name = Some(claim_name);
    claim.metadata.namespace = set.metadata.namespace.clone();
    let match_labels = set
        .spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref());
    match (&mut claim.metadata.labels, match_labels) {
        (Some(labels), Some(selector)) => labels.extend(selector.clone()),
        (labels @ None, selector) => *labels = selector.cloned(),
        (Some(_), None) => {}
    }
    claim
}

/// upstream: stateful_set_utils.go updateStorage
pub fn update_storage(set: &StatefulSet, pod: &mut Pod) {
    let claims = claim_names(set, &*pod);
    let spec = pod.spec.get_or_insert_with(Default::default);
    let current = spec.volumes.take().unwrap_or_default();
    let is_template = |volume: &str| claims.iter().any(|(t, _)| name(&t.metadata) == volume);
    let mut volumes: Vec<Volume> = claims
        .iter()
        .map(|(template, claim_name)| Volume {
            name: name(&template.metadata).to_owned(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name.clone(),
                read_only: Some(false),
            }),
            ..Default::default()
        })
        .collect();
    volumes.extend(current.into_iter().filter(|v| !is_template(&v.name)));
    spec.volumes = (!volumes.is_empty()).then_some(volumes);
}

/// upstream: stateful_set_utils.go updateIdentity
pub fn update_identity(set: &StatefulSet, pod: &mut Pod) {
    let ordinal = get_ordinal(pod).unwrap_or(-1);
    let pod_name = names::pod_name(name(&set.metadata), ordinal);
    pod.metadata.name = Some(pod_name.clone());
    pod.metadata.namespace = set.metadata.namespace.clone();
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(POD_NAME_LABEL.into(), pod_name);
    // PodIndexLabel is GA and locked on since 1.32.
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
}

/// upstream: stateful_set_utils.go initIdentity
pub fn init_identity(set: &StatefulSet, pod: &mut Pod) {
    update_identity(set, pod);
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.hostname = pod.metadata.name.clone();
    spec.subdomain = set
        .spec
        .as_ref()
        .and_then(|s| s.service_name.clone())
        .filter(|s| !s.is_empty());
}

/// A controller reference to `set` (controller and blockOwnerDeletion true).
// upstream: metav1.NewControllerRef
pub fn new_controller_ref(set: &StatefulSet) -> OwnerReference {
    OwnerReference {
        api_version: SET_API_VERSION.into(),
        kind: "StatefulSet".into(),
        name: name(&set.metadata).into(),
        uid: uid(&set.metadata).into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn new_pod_controller_ref(pod: &(impl PodView + ?Sized)) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Pod".into(),
        name: pod.name().into(),
        uid: pod.uid().into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The pod for `ordinal` built from the set's template.
// upstream: stateful_set_utils.go newStatefulSetPod, controller_utils.go GetPodFromTemplate
pub fn new_stateful_set_pod(set: &StatefulSet, ordinal: i32) -> Pod {
    let template: PodTemplateSpec = set
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let template_meta = template.metadata.unwrap_or_default();
    let mut pod = Pod {
        metadata: ObjectMeta {
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            finalizers: template_meta.finalizers,
            generate_name: Some(format!("{}-", name(&set.metadata))),
            owner_references: Some(vec![new_controller_ref(set)]),
            name: Some(names::pod_name(name(&set.metadata), ordinal)),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    };
    init_identity(set, &mut pod);
    update_storage(set, &mut pod);
    pod
}

/// upstream: stateful_set_utils.go getPodRevision
pub fn get_pod_revision(pod: &(impl PodView + ?Sized)) -> &str {
    pod.label(CONTROLLER_REVISION_HASH_LABEL).unwrap_or("")
}

/// upstream: stateful_set_utils.go setPodRevision
pub fn set_pod_revision(pod: &mut Pod, revision: &str) {
    pod.metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(CONTROLLER_REVISION_HASH_LABEL.into(), revision.into());
}

fn rolling_update_partition(set: &StatefulSet) -> Option<Option<i32>> {
    let strategy = set.spec.as_ref()?.update_strategy.as_ref()?;
    strategy.rolling_update.as_ref().map(|ru| ru.partition)
}

/// The update strategy type (`RollingUpdate` when unset).
pub fn strategy_type(set: &StatefulSet) -> &str {
    set.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.type_.as_deref())
        .unwrap_or("RollingUpdate")
}

/// The partition (0 when there is no rollingUpdate block).
pub fn partition(set: &StatefulSet) -> i32 {
    rolling_update_partition(set).flatten().unwrap_or(0)
}

/// Picks the revision a new pod for `ordinal` is built from (UPD-03, UPD-04, UPD-08).
///
/// Mirrors upstream's operator precedence exactly: `(RollingUpdate && rollingUpdate == nil
/// && ordinal < start + status.currentReplicas) || (rollingUpdate != nil && ordinal < start +
/// partition)`.
// upstream: stateful_set_utils.go newVersionedStatefulSetPod
pub fn new_versioned_stateful_set_pod(
    current_set: &StatefulSet,
    update_set: &StatefulSet,
    current_revision: &str,
    update_revision: &str,
    ordinal: i32,
) -> Pod {
    let start = get_start_ordinal(current_set);
    let current_replicas = current_set
        .status
        .as_ref()
        .and_then(|s| s.current_replicas)
        .unwrap_or(0);
    let rolling_update = rolling_update_partition(current_set);
    let use_current = (strategy_type(current_set) == "RollingUpdate"
        && rolling_update.is_none()
        && ordinal < start + current_replicas)
        || rolling_update.is_some_and(|p| ordinal < start + p.unwrap_or(0));
    let (set, revision) = if use_current {
        (current_set, current_revision)
    } else {
        (update_set, update_revision)
    };
    let mut pod = new_stateful_set_pod(set, ordinal);
    set_pod_revision(&mut pod, revision);
    pod
}

/// upstream: stateful_set_utils.go getPersistentVolumeClaimRetentionPolicy (whenDeleted, whenScaled)
pub fn retention_policy(set: &StatefulSet) -> (&str, &str) {
    let policy = set
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
    (
        policy
            .and_then(|p| p.when_deleted.as_deref())
            .unwrap_or(RETAIN),
        policy
            .and_then(|p| p.when_scaled.as_deref())
            .unwrap_or(RETAIN),
    )
}

/// Whatever carries a claim's owner references: the claim, or the store's version of it,
/// read in place (the retention checks run for every pod a sync visits).
/// Object safe: a backend hands out `&dyn ClaimOwners` from its cache.
pub trait ClaimOwners {
    /// `metadata.ownerReferences`.
    fn owner_references(&self) -> &[OwnerReference];
    /// Whether `metadata.deletionTimestamp` is set.
    fn deleting(&self) -> bool;
}

impl ClaimOwners for PersistentVolumeClaim {
    fn owner_references(&self) -> &[OwnerReference] {
        self.metadata.owner_references.as_deref().unwrap_or(&[])
    }

    fn deleting(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
    }
}

fn owner_refs(claim: &(impl ClaimOwners + ?Sized)) -> &[OwnerReference] {
    claim.owner_references()
}

fn group_of(api_version: &str) -> &str {
    api_version.split_once('/').map_or("", |(g, _)| g)
}

/// Whether `reference` names an object of this kind and name (uid not compared).
// upstream: stateful_set_utils.go matchesRef
pub fn matches_ref(reference: &OwnerReference, owner_name: &str, group: &str, kind: &str) -> bool {
    group_of(&reference.api_version) == group
        && reference.kind == kind
        && reference.name == owner_name
}

fn matches_set(r: &OwnerReference, set: &StatefulSet) -> bool {
    matches_ref(r, name(&set.metadata), "apps", "StatefulSet")
}

fn matches_pod(r: &OwnerReference, pod: &(impl PodView + ?Sized)) -> bool {
    matches_ref(r, pod.name(), "", "Pod")
}

/// upstream: stateful_set_utils.go hasOwnerRef
pub fn has_owner_ref(claim: &(impl ClaimOwners + ?Sized), owner_uid: &str) -> bool {
    owner_refs(claim).iter().any(|r| r.uid == owner_uid)
}

fn has_stale_ref_to(
    claim: &(impl ClaimOwners + ?Sized),
    matches: impl Fn(&OwnerReference) -> bool,
    owner_uid: &str,
) -> bool {
    owner_refs(claim)
        .iter()
        .find(|r| matches(r))
        .is_some_and(|r| r.uid != owner_uid)
}

/// Whether the claim references an object of the pod's name with another uid (RET-04).
// upstream: stateful_set_utils.go hasStaleOwnerRef (for pods)
pub fn has_stale_pod_ref(
    claim: &(impl ClaimOwners + ?Sized),
    pod: &(impl PodView + ?Sized),
) -> bool {
    has_stale_ref_to(claim, |r| matches_pod(r, pod), pod.uid())
}

/// upstream: stateful_set_utils.go hasUnexpectedController
pub fn has_unexpected_controller(
    claim: &(impl ClaimOwners + ?Sized),
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> bool {
    if retention_policy(set) == (RETAIN, RETAIN) {
        return false;
    }
    for r in owner_refs(claim) {
        if matches_set(r, set) {
            if r.uid != uid(&set.metadata) {
                return true;
            }
            continue;
        }
        if matches_pod(r, pod) {
            if r.uid != pod.uid() {
                return true;
            }
            continue;
        }
        if r.controller == Some(true) {
            return true;
        }
    }
    false
}

/// upstream: stateful_set_utils.go hasNonControllerOwner
pub fn has_non_controller_owner(
    claim: &(impl ClaimOwners + ?Sized),
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> bool {
    owner_refs(claim)
        .iter()
        .any(|r| (r.uid == uid(&set.metadata) || r.uid == pod.uid()) && r.controller != Some(true))
}

/// Whether the claim's owner references follow the retention policy (RET-01, RET-05).
// upstream: stateful_set_utils.go isClaimOwnerUpToDate
pub fn is_claim_owner_up_to_date(
    claim: &(impl ClaimOwners + ?Sized),
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> bool {
    if has_stale_ref_to(claim, |r| matches_set(r, set), uid(&set.metadata))
        || has_stale_pod_ref(claim, pod)
    {
        return true;
    }
    let (set_uid, pod_uid) = (uid(&set.metadata), pod.uid());
    if has_unexpected_controller(claim, set, pod) {
        return !(has_owner_ref(claim, set_uid) || has_owner_ref(claim, pod_uid));
    }
    if has_non_controller_owner(claim, set, pod) {
        return false;
    }
    let scaled_down = !pod_in_ordinal_range(pod, set);
    match retention_policy(set) {
        (DELETE, RETAIN) => has_owner_ref(claim, set_uid) && !has_owner_ref(claim, pod_uid),
        (RETAIN, DELETE) => {
            !has_owner_ref(claim, set_uid) && scaled_down == has_owner_ref(claim, pod_uid)
        }
        (DELETE, DELETE) => {
            scaled_down != has_owner_ref(claim, set_uid)
                && scaled_down == has_owner_ref(claim, pod_uid)
        }
        // Retain/Retain, and any unknown policy (treated as Retain).
        _ => !has_owner_ref(claim, set_uid) && !has_owner_ref(claim, pod_uid),
    }
}

fn add_controller_ref(refs: &mut Vec<OwnerReference>, new: OwnerReference) {
    if let Some(existing) = refs.iter_mut().find(|r| r.uid == new.uid) {
        existing.controller = Some(true);
        existing.block_owner_deletion = Some(true);
        return;
    }
    refs.push(new);
}

/// Rewrites the claim's references to the set and pod to follow the retention policy.
// upstream: stateful_set_utils.go updateClaimOwnerRefForSetAndPod
pub fn update_claim_owner_ref_for_set_and_pod(
    claim: &mut PersistentVolumeClaim,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) {
    let unexpected = has_unexpected_controller(claim, set, pod);
    let mut refs: Vec<OwnerReference> = owner_refs(claim)
        .iter()
        .filter(|r| !matches_set(r, set) && !matches_pod(r, pod))
        .cloned()
        .collect();
    if !unexpected {
        let scaled_down = !pod_in_ordinal_range(pod, set);
        match retention_policy(set) {
            (DELETE, RETAIN) => add_controller_ref(&mut refs, new_controller_ref(set)),
            (RETAIN, DELETE) if scaled_down => {
                add_controller_ref(&mut refs, new_pod_controller_ref(pod))
            }
            (DELETE, DELETE) if scaled_down => {
                add_controller_ref(&mut refs, new_pod_controller_ref(pod))
            }
            (DELETE, DELETE) => add_controller_ref(&mut refs, new_controller_ref(set)),
            _ => {}
        }
    }
    claim.metadata.owner_references = (!refs.is_empty()).then_some(refs);
}

/// upstream: stateful_set_utils.go isCreated
pub fn is_created(pod: &(impl PodView + ?Sized)) -> bool {
    !pod.phase().is_empty()
}

/// upstream: stateful_set_utils.go isPending
pub fn is_pending(pod: &(impl PodView + ?Sized)) -> bool {
    pod.phase() == "Pending"
}

/// upstream: stateful_set_utils.go isFailed
pub fn is_failed(pod: &(impl PodView + ?Sized)) -> bool {
    pod.phase() == "Failed"
}

/// upstream: stateful_set_utils.go isSucceeded
pub fn is_succeeded(pod: &(impl PodView + ?Sized)) -> bool {
    pod.phase() == "Succeeded"
}

/// upstream: stateful_set_utils.go isTerminating
pub fn is_terminating(pod: &(impl PodView + ?Sized)) -> bool {
    pod.deletion_timestamp().is_some()
}

/// upstream: podutil.IsPodReady
pub fn is_pod_ready(pod: &(impl PodView + ?Sized)) -> bool {
    pod.ready_condition().is_some_and(|c| c.ready)
}

/// upstream: stateful_set_utils.go isRunningAndReady
pub fn is_running_and_ready(pod: &(impl PodView + ?Sized)) -> bool {
    pod.phase() == "Running" && is_pod_ready(pod)
}

/// Ready for longer than `min_ready_seconds` at `now` (AVL-01).
// upstream: podutil.IsPodAvailable
pub fn is_pod_available(
    pod: &(impl PodView + ?Sized),
    min_ready_seconds: i32,
    now: Timestamp,
) -> bool {
    let Some(c) = pod.ready_condition().filter(|c| c.ready) else {
        return false;
    };
    if min_ready_seconds <= 0 {
        return true;
    }
    c.last_transition_time.is_some_and(|t| {
        let since =
            t.0.saturating_add(k8s_openapi::jiff::SignedDuration::from_secs(i64::from(
                min_ready_seconds,
            )));
        since.is_ok_and(|since| since < now)
    })
}

/// upstream: stateful_set_utils.go isRunningAndAvailable
pub fn is_running_and_available(
    pod: &(impl PodView + ?Sized),
    min_ready_seconds: i32,
    now: Timestamp,
) -> bool {
    pod.phase() == "Running" && is_pod_available(pod, min_ready_seconds, now)
}

/// Not running and available, or terminating.
// upstream: stateful_set_utils.go isUnavailable
pub fn is_unavailable(
    pod: &(impl PodView + ?Sized),
    min_ready_seconds: i32,
    now: Timestamp,
) -> bool {
    !is_running_and_available(pod, min_ready_seconds, now) || is_terminating(pod)
}

/// `spec.minReadySeconds`.
pub fn min_ready_seconds(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0)
}

/// Whether the set allows bursting (Parallel).
// upstream: stateful_set_utils.go allowsBurst
pub fn allows_burst(set: &StatefulSet) -> bool {
    set.spec
        .as_ref()
        .and_then(|s| s.pod_management_policy.as_deref())
        == Some("Parallel")
}

/// The revision's data: `{"spec":{"template":{…,"$patch":"replace"}}}` (keys sorted).
// upstream: stateful_set_utils.go getPatch
pub fn get_patch(set: &StatefulSet) -> serde_json::Value {
    let template = match set.spec.as_ref() {
        Some(spec) => serde_json::to_value(&spec.template),
        None => serde_json::to_value(PodTemplateSpec::default()),
    };
    let mut template = template.unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut template {
        map.insert("$patch".into(), "replace".into());
    }
    serde_json::json!({ "spec": { "template": template } })
}

/// The set with its template taken from a revision.
// upstream: stateful_set_utils.go ApplyRevision
pub fn apply_revision(set: &StatefulSet, revision: &ControllerRevision) -> StatefulSet {
    let mut clone = set.clone();
    if let (Some(spec), Some(template)) = (clone.spec.as_mut(), revision_template(revision)) {
        spec.template = template;
    }
    clone
}

/// The template a revision's patch holds. Its `$patch` directive is no template field, so
/// decoding skips it as it skips any unknown field.
fn revision_template(revision: &ControllerRevision) -> Option<PodTemplateSpec> {
    let template = revision.data.as_ref()?.0.get("spec")?.get("template")?;
    PodTemplateSpec::deserialize(template).ok()
}

/// upstream: controller_history.go HashControllerRevision
pub fn hash_controller_revision(data: &serde_json::Value, collision_count: Option<i32>) -> String {
    let raw = serde_json::to_vec(data).unwrap_or_default();
    let probe = collision_count.map(|c| c.to_string()).unwrap_or_default();
    let sum = names::fnv1_32(&[&raw, probe.as_bytes()]);
    names::safe_encode_string(&sum.to_string())
}

/// A new (unsaved) revision of the set's template; `data` is the template's patch
/// ([`get_patch`]), which the caller has at hand.
// upstream: stateful_set_utils.go newRevision, controller_history.go NewControllerRevision
pub fn new_revision(
    set: &StatefulSet,
    revision: i64,
    collision_count: i32,
    data: serde_json::Value,
) -> ControllerRevision {
    let hash = hash_controller_revision(&data, Some(collision_count));
    let mut labels: BTreeMap<String, String> = set
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(REVISION_HASH_LABEL.into(), hash.clone());
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(names::controller_revision_name(name(&set.metadata), &hash)),
            namespace: set.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: Some(set.metadata.annotations.clone().unwrap_or_default()),
            owner_references: Some(vec![new_controller_ref(set)]),
            ..Default::default()
        },
        data: Some(RawExtension(data)),
        revision,
    }
}

/// upstream: stateful_set_utils.go nextRevision
pub fn next_revision(revisions: &[impl std::ops::Deref<Target = ControllerRevision>]) -> i64 {
    revisions.last().map_or(1, |r| r.revision + 1)
}

/// upstream: controller_history.go EqualRevision (data compared; hash labels are not decimal)
pub fn equal_revision(a: &ControllerRevision, b: &ControllerRevision) -> bool {
    a.data == b.data
}

/// Promotes the update revision when a rollout is complete (UPD-09, UPD-11, OND-03).
// upstream: stateful_set_utils.go completeRollingUpdate
pub fn complete_rolling_update(
    set: &StatefulSet,
    status: &mut StatefulSetStatus,
    behaviour: &Behaviour,
) {
    let strategy_ok = strategy_type(set) == "RollingUpdate" || behaviour.on_delete_completes();
    let updated = status.updated_replicas.unwrap_or(0);
    let ready = status.ready_replicas.unwrap_or(0);
    if strategy_ok
        && updated == ready
        && ready == status.replicas
        && status.replicas == replicas(set)
    {
        status.current_replicas = Some(updated);
        status.current_revision = status.update_revision.clone();
    }
}

/// Whether a computed status differs from the stored one in a way worth a write (ST-06).
// upstream: stateful_set_utils.go inconsistentStatus
pub fn inconsistent_status(set: &StatefulSet, status: &StatefulSetStatus) -> bool {
    let stored = set.status.clone().unwrap_or_default();
    status.observed_generation.unwrap_or(0) > stored.observed_generation.unwrap_or(0)
        || status.replicas != stored.replicas
        || status.current_replicas.unwrap_or(0) != stored.current_replicas.unwrap_or(0)
        || status.ready_replicas.unwrap_or(0) != stored.ready_replicas.unwrap_or(0)
        || status.updated_replicas.unwrap_or(0) != stored.updated_replicas.unwrap_or(0)
        || status.current_revision != stored.current_revision
        || status.available_replicas.unwrap_or(0) != stored.available_replicas.unwrap_or(0)
        || status.update_revision != stored.update_revision
}

/// The effective maxUnavailable: percent rounds down against replicas, floor 1 (MU-02).
// upstream: stateful_set_utils.go getStatefulSetMaxUnavailable
pub fn get_stateful_set_max_unavailable(
    max_unavailable: Option<&IntOrString>,
    replicas: i32,
) -> i32 {
    let value = match max_unavailable {
        None => 1,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
                Some(percent) => (percent * i64::from(replicas) / 100) as i32,
                None => s.parse().unwrap_or(1),
            }
        }
    };
    value.max(1)
}
