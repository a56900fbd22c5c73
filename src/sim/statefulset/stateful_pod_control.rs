//! Pod and claim writes of the StatefulSet controller, behind the object-manager seam
//! upstream has, so tests can inject failures and count writes.

use super::stateful_set_utils::{
    self as utils, ClaimOwners, claim_names, has_stale_pod_ref, has_unexpected_controller,
    identity_matches, is_claim_owner_up_to_date, new_claim, retention_policy, storage_matches,
    update_claim_owner_ref_for_set_and_pod, update_identity, update_storage,
};
use crate::model::api_error::ApiError;
use crate::model::object::Object;
use crate::model::pod_record::{PodRecord, PodView};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::jiff::Timestamp;
use std::sync::Arc;

/// A stored ControllerRevision, shared with the store as an informer's lister shares its
/// cache: a sync reads every revision of its set and keeps two, and copying them was a
/// tenth of an OrderedReady scale-up.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedRevision(Arc<Object>);

impl SharedRevision {
    /// The stored object, if it is a ControllerRevision.
    pub fn new(object: Arc<Object>) -> Option<SharedRevision> {
        matches!(*object, Object::ControllerRevision(_)).then_some(SharedRevision(object))
    }
}

impl From<ControllerRevision> for SharedRevision {
    fn from(revision: ControllerRevision) -> SharedRevision {
        SharedRevision(Arc::new(Object::from(revision)))
    }
}

impl std::ops::Deref for SharedRevision {
    type Target = ControllerRevision;

    fn deref(&self) -> &ControllerRevision {
        match &*self.0 {
            Object::ControllerRevision(revision) => revision,
            _ => unreachable!("SharedRevision::new admits ControllerRevisions only"),
        }
    }
}

/// Everything the controller reads and writes, as API calls.
// upstream: stateful_pod_control.go StatefulPodControlObjectManager (plus the history and
// status-updater interfaces, folded into one seam here)
pub trait ObjectManager {
    /// The current wall-clock instant (availability is time-dependent).
    fn now(&self) -> Timestamp;
    /// Whether every change a sync reads has already been marked in the controller's pod
    /// indexes: true in the simulation, where a write and its mark are one step, so debug
    /// builds compare the incremental index with a rebuild after every sync; false for a
    /// watch-fed cache, which may run ahead of the event handlers.
    fn marks_every_change(&self) -> bool {
        true
    }
    /// The stored pod itself, shared (the informer cache's copy, without a deep clone).
    fn pod_object(&self, namespace: &str, name: &str) -> Option<Arc<Object>>;
    /// GET a pod, owned, to modify it.
    fn get_pod(&self, namespace: &str, name: &str) -> Option<Pod> {
        match self.pod_object(namespace, name)?.as_ref() {
            Object::Pod(pod) => Some(Pod::clone(pod)),
            _ => None,
        }
    }
    /// POST a pod.
    fn create_pod(&mut self, pod: Pod) -> Result<(), ApiError>;
    /// PUT a pod.
    fn update_pod(&mut self, pod: Pod) -> Result<(), ApiError>;
    /// DELETE a pod (default grace period).
    fn delete_pod(&mut self, namespace: &str, name: &str) -> Result<(), ApiError>;
    /// A cached claim, for its deletion state and owner references, read in place
    /// (reads on the hot path must not copy).
    fn claim(&self, namespace: &str, name: &str) -> Option<&dyn ClaimOwners>;
    /// GET a claim, owned, to modify it.
    fn get_claim(&self, namespace: &str, name: &str) -> Option<PersistentVolumeClaim>;
    /// POST a claim.
    fn create_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError>;
    /// PUT a claim.
    fn update_claim(&mut self, claim: PersistentVolumeClaim) -> Result<(), ApiError>;
    /// GET the set, live (not from a cache): adoption re-checks it.
    fn get_set(&self, namespace: &str, name: &str) -> Option<StatefulSet>;
    /// PUT the set's `/status`.
    fn update_set_status(
        &mut self,
        set: &StatefulSet,
        status: StatefulSetStatus,
    ) -> Result<(), ApiError>;
    /// Revisions in the set's namespace matching its selector, owned by it or orphaned.
    fn list_revisions(&self, set: &StatefulSet) -> Vec<SharedRevision>;
    /// POST a revision.
    fn create_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError>;
    /// GET a revision.
    fn get_revision(&self, namespace: &str, name: &str) -> Option<ControllerRevision>;
    /// PUT a revision.
    fn update_revision(
        &mut self,
        revision: ControllerRevision,
    ) -> Result<ControllerRevision, ApiError>;
    /// DELETE a revision.
    fn delete_revision(&mut self, namespace: &str, name: &str) -> Result<(), ApiError>;
    /// Records an event on the set.
    fn record_event(&mut self, set: &StatefulSet, type_: &str, reason: &str, message: &str);
}

fn set_name(set: &StatefulSet) -> &str {
    set.metadata.name.as_deref().unwrap_or("")
}

fn namespace(set: &StatefulSet) -> &str {
    set.metadata.namespace.as_deref().unwrap_or("")
}

fn title(verb: &str) -> String {
    let mut chars = verb.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// An error of the controller's pod control, with upstream's wording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// The API refused a write.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Creating or looking up claims failed.
    #[error("{0}")]
    Claims(String),
}

impl ControlError {
    /// Whether the underlying API error was a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ControlError::Api(e) if e.is_not_found())
    }
    /// Whether the underlying API error was AlreadyExists.
    pub fn is_already_exists(&self) -> bool {
        matches!(self, ControlError::Api(e) if e.is_already_exists())
    }
}

/// upstream: stateful_pod_control.go recordPodEvent
pub fn record_pod_event<M: ObjectManager>(
    m: &mut M,
    verb: &str,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
    err: Option<&ControlError>,
) {
    match err {
        None => {
            let message = format!(
                "{verb} Pod {} in StatefulSet {} successful",
                pod.name(),
                set_name(set)
            );
            m.record_event(
                set,
                "Normal",
                &format!("Successful{}", title(verb)),
                &message,
            );
        }
        Some(e) => {
            let message = format!(
                "{verb} Pod {} in StatefulSet {} failed error: {e}",
                pod.name(),
                set_name(set)
            );
            m.record_event(set, "Warning", &format!("Failed{}", title(verb)), &message);
        }
    }
}

/// upstream: stateful_pod_control.go recordClaimEvent
fn record_claim_event<M: ObjectManager>(
    m: &mut M,
    verb: &str,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
    claim: &str,
    err: Option<&ApiError>,
) {
    match err {
        None => {
            let message = format!(
                "{verb} Claim {claim} Pod {} in StatefulSet {} success",
                pod.name(),
                set_name(set)
            );
            m.record_event(
                set,
                "Normal",
                &format!("Successful{}", title(verb)),
                &message,
            );
        }
        Some(e) => {
            let message = format!(
                "{verb} Claim {claim} for Pod {} in StatefulSet {} failed error: {e}",
                pod.name(),
                set_name(set)
            );
            m.record_event(set, "Warning", &format!("Failed{}", title(verb)), &message);
        }
    }
}

/// upstream: stateful_pod_control.go createPersistentVolumeClaims
pub fn create_persistent_volume_claims<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> Result<(), ControlError> {
    let mut errors = Vec::new();
    for (template, claim_name) in claim_names(set, pod) {
        let existing = m.claim(namespace(set), &claim_name).map(|c| c.deleting());
        match existing {
            None => {
                let result = m.create_claim(new_claim(set, template, claim_name.clone()));
                if let Err(e) = &result {
                    errors.push(format!("failed to create PVC {claim_name}: {e}"));
                }
                if !result.as_ref().is_err_and(ApiError::is_already_exists) {
                    record_claim_event(m, "create", set, pod, &claim_name, result.as_ref().err());
                }
            }
            Some(true) => errors.push(format!("pvc {claim_name} is being deleted")),
            Some(false) => {}
        }
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(ControlError::Claims(errors.remove(0))),
        _ => Err(ControlError::Claims(format!("[{}]", errors.join(", ")))),
    }
}

/// upstream: stateful_pod_control.go CreateStatefulPod
pub fn create_stateful_pod<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod: Pod,
) -> Result<(), ControlError> {
    if let Err(e) = create_persistent_volume_claims(m, set, &pod) {
        record_pod_event(m, "create", set, &pod, Some(&e));
        return Err(e);
    }
    // What follows reads the pod as it was sent (no uid), as upstream reads its own pointer
    // after Create; a record of it costs far less than a second copy of the pod.
    let sent = PodRecord::of(&pod);
    let result = m.create_pod(pod).map_err(ControlError::from);
    if result.as_ref().is_err_and(ControlError::is_already_exists) {
        return result;
    }
    if let Err(e) = update_pod_claim_for_retention_policy(m, set, &sent) {
        record_pod_event(m, "update", set, &sent, Some(&e));
        return Err(e);
    }
    record_pod_event(m, "create", set, &sent, result.as_ref().err());
    result
}

/// upstream: stateful_pod_control.go UpdateStatefulPod (one attempt; the caller's next sync
/// retries). The caller decided from the pod's record that something must change; the pod
/// itself is fetched here to be written.
pub fn update_stateful_pod<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    view: &(impl PodView + ?Sized),
) -> Result<(), ControlError> {
    let Some(mut pod) = m.get_pod(namespace(set), view.name()) else {
        return Err(ControlError::Api(ApiError::NotFound {
            resource: "pods".into(),
            name: view.name().into(),
        }));
    };
    let mut consistent = true;
    if !identity_matches(set, &pod) {
        update_identity(set, &mut pod);
        consistent = false;
    }
    if !storage_matches(set, &pod) {
        update_storage(set, &mut pod);
        consistent = false;
        if let Err(e) = create_persistent_volume_claims(m, set, &pod) {
            record_pod_event(m, "update", set, &pod, Some(&e));
            return Err(e);
        }
    }
    if !claims_match_retention_policy(m, set, &pod) {
        if let Err(e) = update_pod_claim_for_retention_policy(m, set, &pod) {
            record_pod_event(m, "update", set, &pod, Some(&e));
            return Err(e);
        }
        consistent = false;
    }
    if consistent {
        return Ok(());
    }
    let result = m.update_pod(pod.clone()).map_err(ControlError::from);
    record_pod_event(m, "update", set, &pod, result.as_ref().err());
    result
}

/// upstream: stateful_pod_control.go DeleteStatefulPod
pub fn delete_stateful_pod<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> Result<(), ControlError> {
    let result = m
        .delete_pod(namespace(set), pod.name())
        .map_err(ControlError::from);
    record_pod_event(m, "delete", set, pod, result.as_ref().err());
    result
}

/// upstream: stateful_pod_control.go ClaimsMatchRetentionPolicy
pub fn claims_match_retention_policy<M: ObjectManager>(
    m: &M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> bool {
    if utils::get_ordinal(pod).is_none() {
        return true;
    }
    claim_names(set, pod).iter().all(|(_, claim_name)| {
        m.claim(namespace(set), claim_name)
            .is_none_or(|claim| is_claim_owner_up_to_date(claim, set, pod))
    })
}

/// upstream: stateful_pod_control.go UpdatePodClaimForRetentionPolicy
pub fn update_pod_claim_for_retention_policy<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> Result<(), ControlError> {
    if utils::get_ordinal(pod).is_none() {
        return Ok(());
    }
    for (_, claim_name) in claim_names(set, pod) {
        let Some(claim) = m.claim(namespace(set), &claim_name) else {
            continue;
        };
        let (unexpected, up_to_date) = (
            has_unexpected_controller(claim, set, pod),
            is_claim_owner_up_to_date(claim, set, pod),
        );
        if unexpected {
            let message = format!(
                "PersistentVolumeClaim {claim_name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim"
            );
            m.record_event(set, "Warning", "ConflictingController", &message);
        }
        if !up_to_date && let Some(mut claim) = m.get_claim(namespace(set), &claim_name) {
            update_claim_owner_ref_for_set_and_pod(&mut claim, set, pod);
            claim.metadata.resource_version = None;
            m.update_claim(claim).map_err(|e| {
                ControlError::Claims(format!(
                    "could not update claim {claim_name} for delete policy ownerRefs: {e}"
                ))
            })?;
        }
    }
    Ok(())
}

/// Whether a claim of the pod-to-be still belongs to an older pod of that name (RET-04).
// upstream: stateful_pod_control.go PodClaimIsStale
pub fn pod_claim_is_stale<M: ObjectManager>(
    m: &M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> bool {
    if retention_policy(set).1 == utils::RETAIN {
        return false;
    }
    claim_names(set, pod).iter().any(|(_, claim_name)| {
        m.claim(namespace(set), claim_name)
            .is_some_and(|existing| has_stale_pod_ref(existing, pod))
    })
}

/// upstream: stateful_pod_control.go createMissingPersistentVolumeClaims
pub fn create_missing_persistent_volume_claims<M: ObjectManager>(
    m: &mut M,
    set: &StatefulSet,
    pod: &(impl PodView + ?Sized),
) -> Result<(), ControlError> {
    create_persistent_volume_claims(m, set, pod)?;
    // Set PVC policy as much as is possible at this point.
    update_pod_claim_for_retention_policy(m, set, pod).inspect_err(|e| {
        record_pod_event(m, "update", set, pod, Some(e));
    })
}
