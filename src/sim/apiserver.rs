//! The API server's verbs over the store: admission (defaulting and validation),
//! generation and status-subresource rules, graceful deletion, finalizers and
//! propagation policies. Users, controllers and `serve` all write through these.

use super::Cluster;
use super::store::{ObjectKey, StoreError};
use crate::model::api_error::group_of;
pub use crate::model::api_error::{ApiError, Propagation, qualified_resource};
use crate::model::defaults;
use crate::model::object::{Kind, Object};
use crate::model::validation::{self, FieldError};
use k8s_openapi::api::core::v1::{
    Namespace, NamespaceStatus, PersistentVolumeClaimStatus, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::sync::Arc;

/// Finalizer the garbage collector honours for orphaning deletes.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// Finalizer the garbage collector honours for foreground deletes.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { kind, name } => ApiError::NotFound {
                resource: qualified_resource(kind),
                name,
            },
            StoreError::AlreadyExists { kind, name } => ApiError::AlreadyExists {
                resource: qualified_resource(kind),
                name,
            },
            StoreError::Conflict { kind, name } => ApiError::Conflict(format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified_resource(kind)
            )),
            e @ StoreError::Expired { .. } => ApiError::Expired(e.to_string()),
        }
    }
}

fn invalid(kind: Kind, name: &str, causes: Vec<FieldError>) -> ApiError {
    ApiError::Invalid {
        kind,
        name: name.to_owned(),
        message: validation::invalid_message(kind.as_str(), group_of(kind), name, &causes),
        causes,
    }
}

/// Options of a delete.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// None: the kind's default (Background for everything stored here).
    pub propagation: Option<Propagation>,
    /// Overrides the pod's terminationGracePeriodSeconds.
    pub grace_period_seconds: Option<i64>,
    /// Delete only if the uid still matches.
    pub precondition_uid: Option<String>,
}

/// What a create or update returns besides the object: API warnings (VAL-08).
#[derive(Debug, Clone)]
pub struct Written {
    pub object: Arc<Object>,
    pub warnings: Vec<String>,
}

fn has_finalizers(meta: &ObjectMeta) -> bool {
    meta.finalizers.as_ref().is_some_and(|f| !f.is_empty())
}

impl Cluster {
    /// Creates the namespace if it does not exist.
    ///
    /// # Errors
    /// Only store failures other than AlreadyExists.
    pub fn ensure_namespace(&mut self, name: &str) -> Result<(), ApiError> {
        if self.store.get(Kind::Namespace, "", name).is_some() {
            return Ok(());
        }
        let ns = Namespace {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                ..Default::default()
            },
            ..Default::default()
        };
        self.create(Object::Namespace(Box::new(ns))).map(|_| ())
    }

    /// POST: admits and stores a new object.
    ///
    /// # Errors
    /// Invalid objects (422 with causes), names already taken (409), a missing namespace (404).
    pub fn create(&mut self, mut object: Object) -> Result<Written, ApiError> {
        let kind = object.kind();
        if kind.namespaced() {
            let ns = object.namespace().to_owned();
            if ns.is_empty() {
                object.metadata_mut().namespace = Some("default".into());
            }
            let ns = object.namespace().to_owned();
            match self.store.get(Kind::Namespace, "", &ns) {
                None => {
                    return Err(ApiError::NotFound {
                        resource: "namespaces".into(),
                        name: ns,
                    });
                }
                Some(n) if n.metadata().deletion_timestamp.is_some() => {
                    return Err(ApiError::Forbidden(format!(
                        "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                        qualified_resource(kind),
                        object.name()
                    )));
                }
                Some(_) => {}
            }
        } else {
            object.metadata_mut().namespace = None;
        }
        self.assign_generated_name(&mut object);
        let name = object.name().to_owned();
        if name.is_empty() {
            return Err(invalid(
                kind,
                "",
                vec![FieldError::required(
                    "metadata.name",
                    "name or generateName is required",
                )],
            ));
        }
        {
            let meta = object.metadata_mut();
            meta.uid = None;
            meta.resource_version = None;
            meta.deletion_timestamp = None;
            meta.deletion_grace_period_seconds = None;
            meta.generation = None;
        }
        let mut warnings = Vec::new();
        let errors = match &mut object {
            Object::StatefulSet(set) => {
                set.status = None;
                set.metadata.generation = Some(1);
                defaults::drop_disabled_stateful_set_fields(set, None, &self.config.behaviour);
                defaults::default_stateful_set(set, &self.config.behaviour);
                warnings = validation::warnings_for_stateful_set(set);
                validation::validate_stateful_set(set, &self.config.behaviour)
            }
            Object::Pod(pod) => {
                defaults::default_pod(pod);
                pod.status = Some(PodStatus {
                    phase: Some("Pending".into()),
                    qos_class: Some("BestEffort".into()),
                    ..Default::default()
                });
                validation::validate_pod(pod)
            }
            Object::Service(svc) => {
                defaults::default_service(svc);
                validation::validate_object_meta_name(kind, &name)
            }
            Object::PersistentVolumeClaim(pvc) => {
                defaults::default_pvc(pvc);
                pvc.status = Some(PersistentVolumeClaimStatus {
                    phase: Some("Pending".into()),
                    ..Default::default()
                });
                validation::validate_object_meta_name(kind, &name)
            }
            Object::Namespace(ns) => {
                ns.status = Some(NamespaceStatus {
                    phase: Some("Active".into()),
                    ..Default::default()
                });
                validation::validate_object_meta_name(kind, &name)
            }
            _ => validation::validate_object_meta_name(kind, &name),
        };
        if !errors.is_empty() {
            return Err(invalid(kind, &name, errors));
        }
        let now = self.clock.now();
        let time = self.clock.time();
        let object = self.store.create(object, now, time)?;
        Ok(Written { object, warnings })
    }

    fn assign_generated_name(&mut self, object: &mut Object) {
        let meta = object.metadata_mut();
        if meta.name.as_deref().unwrap_or("").is_empty()
            && let Some(prefix) = meta.generate_name.clone()
        {
            let suffix = self.store.next_uid();
            let suffix: String = crate::model::names::safe_encode_string(&suffix)
                .chars()
                .take(5)
                .collect();
            object.metadata_mut().name = Some(format!("{prefix}{suffix}"));
        }
    }

    /// PUT on the main resource: status is kept from storage, spec changes bump
    /// `metadata.generation`, and the update is validated against the stored object.
    ///
    /// # Errors
    /// 404, 409 on a stale resourceVersion, 422 on invalid or forbidden changes.
    pub fn update(&mut self, mut object: Object) -> Result<Written, ApiError> {
        let kind = object.kind();
        if !kind.namespaced() {
            object.metadata_mut().namespace = None;
        }
        let name = object.name().to_owned();
        let ns = object.namespace().to_owned();
        let Some(current) = self.store.get(kind, &ns, &name) else {
            return Err(StoreError::NotFound { kind, name }.into());
        };
        // Fields only the server sets survive any client write.
        {
            let cur = current.metadata();
            let meta = object.metadata_mut();
            meta.deletion_timestamp = cur.deletion_timestamp.clone();
            meta.deletion_grace_period_seconds = cur.deletion_grace_period_seconds;
            meta.generation = cur.generation;
            // An update without uid or creationTimestamp (kubectl apply, PUT of a manifest)
            // means "unchanged"; a different uid is a client error the validation reports.
            if meta.uid.as_deref().unwrap_or("").is_empty() {
                meta.uid = cur.uid.clone();
            }
            if meta.creation_timestamp.is_none() {
                meta.creation_timestamp = cur.creation_timestamp.clone();
            }
        }
        let mut warnings = Vec::new();
        match (&mut object, current.as_ref()) {
            (Object::StatefulSet(set), Object::StatefulSet(old)) => {
                set.status = old.status.clone();
                defaults::drop_disabled_stateful_set_fields(set, Some(old), &self.config.behaviour);
                defaults::default_stateful_set(set, &self.config.behaviour);
                let errors =
                    validation::validate_stateful_set_update(set, old, &self.config.behaviour);
                if !errors.is_empty() {
                    return Err(invalid(kind, &name, errors));
                }
                warnings = validation::warnings_for_stateful_set(set);
                if set.spec != old.spec {
                    set.metadata.generation = Some(old.metadata.generation.unwrap_or(1) + 1);
                }
            }
            (Object::Pod(pod), Object::Pod(old)) => {
                pod.status = old.status.clone();
                defaults::default_pod(pod);
                let errors = validation::validate_pod(pod);
                if !errors.is_empty() {
                    return Err(invalid(kind, &name, errors));
                }
            }
            (Object::PersistentVolumeClaim(pvc), Object::PersistentVolumeClaim(old)) => {
                pvc.status = old.status.clone();
            }
            (Object::ControllerRevision(rev), Object::ControllerRevision(old)) => {
                // REV-07: revision data is immutable.
                let errors = validation::validate_controller_revision_update(rev, old);
                if !errors.is_empty() {
                    return Err(invalid(kind, &name, errors));
                }
            }
            _ => {}
        }
        self.finish_update(object, warnings)
    }

    /// PUT on `/status`: only status changes; the rest is kept from storage (ST-08).
    ///
    /// # Errors
    /// 404, 409 on a stale resourceVersion, 422 when the status is invalid.
    pub fn update_status(&mut self, object: Object) -> Result<Written, ApiError> {
        let kind = object.kind();
        let name = object.name().to_owned();
        let ns = object.namespace().to_owned();
        let Some(current) = self.store.get(kind, &ns, &name) else {
            return Err(StoreError::NotFound { kind, name }.into());
        };
        // Fast path for the kubelet's and provisioner's read-modify-write: when everything
        // but the status already equals storage, the incoming object is the merge.
        let mut object = object;
        let requested_rv = object.metadata().resource_version.clone();
        object.metadata_mut().resource_version = current.metadata().resource_version.clone();
        let unchanged_but_status = match (&object, current.as_ref()) {
            (Object::Pod(new), Object::Pod(old)) => {
                new.metadata == old.metadata && new.spec == old.spec
            }
            (Object::PersistentVolumeClaim(new), Object::PersistentVolumeClaim(old)) => {
                new.metadata == old.metadata && new.spec == old.spec
            }
            _ => false,
        };
        object.metadata_mut().resource_version = requested_rv;
        if unchanged_but_status {
            return self.finish_update(object, Vec::new());
        }
        let mut merged = Object::clone(&current);
        merged.metadata_mut().resource_version = object.metadata().resource_version.clone();
        match (&mut merged, object) {
            (Object::StatefulSet(stored), Object::StatefulSet(new)) => {
                let errors = validation::validate_stateful_set_status_update(&new, stored);
                if !errors.is_empty() {
                    return Err(invalid(kind, &name, errors));
                }
                stored.status = new.status;
            }
            (Object::Pod(stored), Object::Pod(new)) => stored.status = new.status,
            (Object::PersistentVolumeClaim(stored), Object::PersistentVolumeClaim(new)) => {
                stored.status = new.status
            }
            (Object::PersistentVolume(stored), Object::PersistentVolume(new)) => {
                stored.status = new.status
            }
            (Object::Namespace(stored), Object::Namespace(new)) => stored.status = new.status,
            (Object::Service(stored), Object::Service(new)) => stored.status = new.status,
            (_, other) => {
                return Err(ApiError::NotFound {
                    resource: format!("{}/status", qualified_resource(other.kind())),
                    name,
                });
            }
        }
        self.finish_update(merged, Vec::new())
    }

    fn finish_update(
        &mut self,
        object: Object,
        warnings: Vec<String>,
    ) -> Result<Written, ApiError> {
        // An object being deleted goes once its last finalizer is removed; pods additionally
        // wait for the kubelet (or an unscheduled pod goes at once).
        let meta = object.metadata();
        if meta.deletion_timestamp.is_some()
            && !has_finalizers(meta)
            && self.may_remove_now(&object)
        {
            let written = self.store.update(object, self.clock.now())?;
            let key = ObjectKey::of(&written);
            let gone = self
                .store
                .remove(key.kind, &key.namespace, &key.name, self.clock.now())?;
            return Ok(Written {
                object: gone,
                warnings,
            });
        }
        let object = self.store.update(object, self.clock.now())?;
        Ok(Written { object, warnings })
    }

    fn may_remove_now(&self, object: &Object) -> bool {
        match object {
            Object::Pod(pod) => {
                let unscheduled = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_none();
                let terminal = matches!(
                    pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Failed" | "Succeeded")
                );
                unscheduled
                    || terminal
                    || pod.metadata.deletion_grace_period_seconds == Some(0)
                    || self.kubelet.has_stopped(pod)
            }
            _ => true,
        }
    }

    /// DELETE: graceful for scheduled pods, immediate otherwise; finalizers and the
    /// propagation policy decide when the object really goes.
    ///
    /// Returns the object as it stands after the call (with a deletionTimestamp when the
    /// deletion is still in progress, or its last state when it is gone).
    ///
    /// # Errors
    /// 404, or 409 when the uid precondition fails.
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<Arc<Object>, ApiError> {
        let namespace = if kind.namespaced() { namespace } else { "" };
        if kind == Kind::Namespace {
            return super::namespaces::delete(self, name);
        }
        let Some(current) = self.store.get(kind, namespace, name) else {
            return Err(StoreError::NotFound {
                kind,
                name: name.to_owned(),
            }
            .into());
        };
        if let Some(uid) = &options.precondition_uid
            && current.metadata().uid.as_ref() != Some(uid)
        {
            return Err(ApiError::Conflict(format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                current.metadata().uid.as_deref().unwrap_or("")
            )));
        }
        let mut object = Object::clone(&current);
        let now_time = self.clock.time();
        let meta = object.metadata_mut();
        let mut changed = false;
        let finalizer = match options.propagation {
            Some(Propagation::Orphan) => Some(ORPHAN_FINALIZER),
            Some(Propagation::Foreground) => Some(FOREGROUND_FINALIZER),
            _ => None,
        };
        if let Some(f) = finalizer {
            let finalizers = meta.finalizers.get_or_insert_with(Vec::new);
            if !finalizers.iter().any(|x| x == f) {
                finalizers.push(f.to_owned());
                changed = true;
            }
        }
        // Grace period: only pods bound to a node terminate gracefully.
        let grace = match &object {
            Object::Pod(pod) => {
                let scheduled = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_some();
                let terminal = matches!(
                    pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Failed" | "Succeeded")
                );
                let requested = options.grace_period_seconds.unwrap_or_else(|| {
                    pod.spec
                        .as_ref()
                        .and_then(|s| s.termination_grace_period_seconds)
                        .unwrap_or(30)
                });
                if scheduled && !terminal {
                    requested.max(0)
                } else {
                    0
                }
            }
            _ => 0,
        };
        let meta = object.metadata_mut();
        let already_deleting = meta.deletion_timestamp.is_some();
        if !already_deleting {
            meta.deletion_timestamp = Some(now_time);
            meta.deletion_grace_period_seconds = Some(grace);
            changed = true;
        } else if grace == 0
            && meta.deletion_grace_period_seconds != Some(0)
            && options.grace_period_seconds == Some(0)
        {
            // A forced delete shortens an ongoing graceful one.
            meta.deletion_grace_period_seconds = Some(0);
            changed = true;
        }
        let must_wait = has_finalizers(meta)
            || (matches!(object, Object::Pod(_)) && grace > 0 && !self.may_remove_now(&object));
        if must_wait {
            if changed {
                return Ok(self.store.update(object, self.clock.now())?);
            }
            return Ok(current);
        }
        let now = self.clock.now();
        if changed {
            self.store.update(object, now)?;
        }
        Ok(self.store.remove(kind, namespace, name, now)?)
    }

    /// Records a pod's final removal by the kubelet (grace period over, containers stopped).
    pub(crate) fn remove_terminated_pod(&mut self, namespace: &str, name: &str) {
        let options = DeleteOptions {
            grace_period_seconds: Some(0),
            ..Default::default()
        };
        let _ = self.delete(Kind::Pod, namespace, name, &options);
    }

    /// A `Time` for now.
    pub(crate) fn now_time(&self) -> Time {
        self.clock.time()
    }
}
