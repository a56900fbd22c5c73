//! The garbage collector: ownerReferences drive cascading deletes. Background deletes
//! remove dependents after their owner is gone; foreground deletes remove dependents
//! first and the owner last; orphaning deletes strip the owner's references and keep the
//! dependents (DEL-01, DEL-03, RET-02, RET-03).

use super::apiserver::{DeleteOptions, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, Propagation};
use super::store::{Change, ChangeType, ObjectKey};
use super::{Cluster, Work};
use crate::model::object::{Kind, Object};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

fn kind_of_owner(owner: &OwnerReference) -> Option<Kind> {
    Kind::from_type(&owner.api_version, &owner.kind)
}

pub(crate) fn on_change(cluster: &mut Cluster, change: &Change) {
    let object = &change.object;
    let meta = object.metadata();
    let uid = meta.uid.clone().unwrap_or_default();
    let deleting = meta.deletion_timestamp.is_some();
    match change.change_type {
        ChangeType::Deleted => {
            let dependents: Vec<ObjectKey> = cluster.store.dependents(&uid).cloned().collect();
            for key in dependents {
                cluster.enqueue(Work::Gc(key));
            }
            // An owner in foreground deletion waits for this dependent.
            for owner in meta.owner_references.iter().flatten() {
                if let Some(kind) = kind_of_owner(owner) {
                    let ns = if kind.namespaced() {
                        object.namespace()
                    } else {
                        ""
                    };
                    cluster.enqueue(Work::Gc(ObjectKey::new(kind, ns, &owner.name)));
                }
            }
        }
        ChangeType::Added
            if meta
                .owner_references
                .as_ref()
                .is_some_and(|o| !o.is_empty()) =>
        {
            cluster.enqueue(Work::Gc(ObjectKey::of(object)));
        }
        _ if deleting
            && meta
                .finalizers
                .iter()
                .flatten()
                .any(|f| f == ORPHAN_FINALIZER || f == FOREGROUND_FINALIZER) =>
        {
            cluster.enqueue(Work::Gc(ObjectKey::of(object)));
        }
        _ => {}
    }
}

/// Collects garbage for one object.
pub(crate) fn process(cluster: &mut Cluster, key: &ObjectKey) {
    let Some(object) = cluster.get_object(key.kind, &key.namespace, &key.name) else {
        return;
    };
    let meta = object.metadata();
    let uid = meta.uid.clone().unwrap_or_default();
    let finalizers: Vec<String> = meta.finalizers.clone().unwrap_or_default();
    if meta.deletion_timestamp.is_some() && finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
        orphan_dependents(cluster, &uid);
        remove_finalizer(cluster, object, ORPHAN_FINALIZER);
        return;
    }
    if meta.deletion_timestamp.is_some() && finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
        let dependents: Vec<ObjectKey> = cluster.store.dependents(&uid).cloned().collect();
        if dependents.is_empty() {
            remove_finalizer(cluster, object, FOREGROUND_FINALIZER);
            return;
        }
        for dep in dependents {
            let deleting = cluster
                .store
                .get(dep.kind, &dep.namespace, &dep.name)
                .is_some_and(|d| d.metadata().deletion_timestamp.is_some());
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
    let owners = meta.owner_references.clone().unwrap_or_default();
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
        if meta.deletion_timestamp.is_none() {
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
    let mut object = object;
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

fn remove_finalizer(cluster: &mut Cluster, mut object: Object, finalizer: &str) {
    if let Some(f) = object.metadata_mut().finalizers.as_mut() {
        f.retain(|x| x != finalizer);
        if f.is_empty() {
            object.metadata_mut().finalizers = None;
        }
    }
    object.metadata_mut().resource_version = None;
    let _ = cluster.update(object);
}
