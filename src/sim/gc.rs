//! The garbage collector: ownerReferences drive cascading deletes. Background deletes
//! remove dependents after their owner is gone; foreground deletes remove dependents
//! first and the owner last; orphaning deletes strip the owner's references and keep the
//! dependents (DEL-01, DEL-03, RET-02, RET-03).

use super::apiserver::{DeleteOptions, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, Propagation};
use super::pod_record::{PodRecord, PodView};
use super::store::{ChangeType, ObjectKey};
use super::{Cluster, Work};
use crate::model::object::{Kind, Object};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

fn kind_of_owner(owner: &OwnerReference) -> Option<Kind> {
    Kind::from_type(&owner.api_version, &owner.kind)
}

/// The metadata the collector decides on, borrowed from a typed object or a pod's record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta<'a> {
    pub uid: &'a str,
    pub deleting: bool,
    pub finalizers: &'a [String],
    pub owner_references: &'a [OwnerReference],
}

impl<'a> Meta<'a> {
    pub(crate) fn of_object(object: &'a Object) -> Meta<'a> {
        let meta = object.metadata();
        Meta {
            uid: meta.uid.as_deref().unwrap_or_default(),
            deleting: meta.deletion_timestamp.is_some(),
            finalizers: meta.finalizers.as_deref().unwrap_or_default(),
            owner_references: meta.owner_references.as_deref().unwrap_or_default(),
        }
    }

    pub(crate) fn of_pod(pod: &'a PodRecord) -> Meta<'a> {
        Meta {
            uid: pod.uid(),
            deleting: pod.deletion_timestamp().is_some(),
            finalizers: pod.finalizers(),
            owner_references: pod.owner_references(),
        }
    }
}

/// The informer handler: which objects the collector must look at after a change to `key`.
pub(crate) fn on_change(
    cluster: &mut Cluster,
    change_type: ChangeType,
    key: &ObjectKey,
    meta: Meta<'_>,
) {
    match change_type {
        ChangeType::Deleted => {
            let dependents: Vec<ObjectKey> = cluster.store.dependents(meta.uid).cloned().collect();
            for key in dependents {
                cluster.enqueue(Work::Gc(key));
            }
            // An owner in foreground deletion waits for this dependent.
            for owner in meta.owner_references {
                if let Some(kind) = kind_of_owner(owner) {
                    let ns = if kind.namespaced() {
                        key.namespace.as_str()
                    } else {
                        ""
                    };
                    cluster.enqueue(Work::Gc(ObjectKey::new(kind, ns, &owner.name)));
                }
            }
        }
        ChangeType::Added if !meta.owner_references.is_empty() => {
            cluster.enqueue(Work::Gc(key.clone()));
        }
        _ if meta.deleting
            && meta
                .finalizers
                .iter()
                .any(|f| f == ORPHAN_FINALIZER || f == FOREGROUND_FINALIZER) =>
        {
            cluster.enqueue(Work::Gc(key.clone()));
        }
        _ => {}
    }
}

/// Collects garbage for one object.
///
/// Decisions read a pod's record; the object itself is fetched only to write it.
pub(crate) fn process(cluster: &mut Cluster, key: &ObjectKey) {
    let Some(version) = cluster.store.version(key.kind, &key.namespace, &key.name) else {
        return;
    };
    let (record, object);
    let meta = match version.pod_record() {
        Some(pod) => {
            record = pod.clone();
            Meta::of_pod(&record)
        }
        None => {
            object = version.object();
            Meta::of_object(&object)
        }
    };
    let uid = meta.uid.to_owned();
    let has = |finalizer: &str| meta.finalizers.iter().any(|f| f == finalizer);
    if meta.deleting && has(ORPHAN_FINALIZER) {
        orphan_dependents(cluster, &uid);
        remove_finalizer(cluster, key, ORPHAN_FINALIZER);
        return;
    }
    if meta.deleting && has(FOREGROUND_FINALIZER) {
        let dependents: Vec<ObjectKey> = cluster.store.dependents(&uid).cloned().collect();
        if dependents.is_empty() {
            remove_finalizer(cluster, key, FOREGROUND_FINALIZER);
            return;
        }
        for dep in dependents {
            let deleting = cluster
                .store
                .version(dep.kind, &dep.namespace, &dep.name)
                .is_some_and(|d| d.deleting());
            if !deleting {
                let options = DeleteOptions {
                    propagation: Some(Propagation::Foreground),
                    ..Default::default()
                };
                let _ = cluster.delete(dep.kind, &dep.namespace, &dep.name, &options);
            }
        }
        return;
    }
    let owners = meta.owner_references.to_vec();
    let deleting = meta.deleting;
    if owners.is_empty() {
        return;
    }
    let absent: Vec<&OwnerReference> = owners
        .iter()
        .filter(|owner| {
            let Some(kind) = kind_of_owner(owner) else {
                return false;
            };
            let ns = if kind.namespaced() {
                key.namespace.as_str()
            } else {
                ""
            };
            cluster
                .store
                .get(kind, ns, &owner.name)
                .is_none_or(|o| o.metadata().uid.as_deref() != Some(owner.uid.as_str()))
        })
        .collect();
    if absent.is_empty() {
        return;
    }
    if absent.len() == owners.len() {
        if !deleting {
            let _ = cluster.delete(
                key.kind,
                &key.namespace,
                &key.name,
                &DeleteOptions::default(),
            );
        }
        return;
    }
    // Some owners live on: only the dangling references go.
    let absent_uids: Vec<String> = absent.iter().map(|o| o.uid.clone()).collect();
    let Some(mut object) = cluster.get_object(key.kind, &key.namespace, &key.name) else {
        return;
    };
    if let Some(refs) = object.metadata_mut().owner_references.as_mut() {
        refs.retain(|r| !absent_uids.contains(&r.uid));
    }
    object.metadata_mut().resource_version = None;
    let _ = cluster.update(object);
}

fn orphan_dependents(cluster: &mut Cluster, owner_uid: &str) {
    let dependents: Vec<ObjectKey> = cluster.store.dependents(owner_uid).cloned().collect();
    for dep in dependents {
        let Some(mut object) = cluster.get_object(dep.kind, &dep.namespace, &dep.name) else {
            continue;
        };
        if let Some(refs) = object.metadata_mut().owner_references.as_mut() {
            refs.retain(|r| r.uid != owner_uid);
            if refs.is_empty() {
                object.metadata_mut().owner_references = None;
            }
        }
        object.metadata_mut().resource_version = None;
        let _ = cluster.update(object);
    }
}

fn remove_finalizer(cluster: &mut Cluster, key: &ObjectKey, finalizer: &str) {
    let Some(mut object) = cluster.get_object(key.kind, &key.namespace, &key.name) else {
        return;
    };
    if let Some(f) = object.metadata_mut().finalizers.as_mut() {
        f.retain(|x| x != finalizer);
        if f.is_empty() {
            object.metadata_mut().finalizers = None;
        }
    }
    object.metadata_mut().resource_version = None;
    let _ = cluster.update(object);
}
