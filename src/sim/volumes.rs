//! The volume provisioner: every new claim gets a PersistentVolume of the requested size
//! and is bound to it (Bound, `spec.volumeName`, capacity); a released volume is deleted,
//! as a `Delete` reclaim policy does.

use super::apiserver::DeleteOptions;
use super::store::{Change, ChangeType};
use super::{Cluster, Work};
use crate::model::object::{Kind, Object};
use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeSpec,
    PersistentVolumeStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub(crate) fn on_claim_change(cluster: &mut Cluster, change: &Change) {
    let claim = &change.object;
    match change.change_type {
        ChangeType::Deleted => {
            if let Object::PersistentVolumeClaim(pvc) = claim.as_ref()
                && let Some(volume) = pvc.spec.as_ref().and_then(|s| s.volume_name.clone())
            {
                let _ = cluster.delete(
                    Kind::PersistentVolume,
                    "",
                    &volume,
                    &DeleteOptions::default(),
                );
            }
        }
        // A bound or deleted claim has nothing left to bind: skipping it here spares a
        // work item and a copy of the claim.
        _ if is_settled(claim) => {}
        _ => cluster.enqueue(Work::Volume(
            claim.namespace().to_owned(),
            claim.name().to_owned(),
        )),
    }
}

/// Whether the claim is bound or being deleted: nothing for the provisioner to do.
fn is_settled(claim: &Object) -> bool {
    let Object::PersistentVolumeClaim(pvc) = claim else {
        return true;
    };
    let bound = pvc.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    bound || pvc.metadata.deletion_timestamp.is_some()
}

/// Binds one claim if it is still pending.
pub(crate) fn sync_claim(cluster: &mut Cluster, namespace: &str, name: &str) {
    let Some(claim) = cluster.get_object(Kind::PersistentVolumeClaim, namespace, name) else {
        return;
    };
    if is_settled(&claim) {
        return;
    }
    let Object::PersistentVolumeClaim(mut pvc) = claim else {
        return;
    };
    let uid = pvc.metadata.uid.clone().unwrap_or_default();
    let volume_name = format!("pvc-{uid}");
    let spec = pvc.spec.clone().unwrap_or_default();
    let capacity = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.clone())
        .map(|r| r.into_iter().filter(|(k, _)| k == "storage").collect());
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(volume_name.clone()),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: capacity.clone(),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: Some(name.into()),
                namespace: Some(namespace.into()),
                uid: Some(uid),
                ..Default::default()
            }),
            host_path: Some(HostPathVolumeSource {
                path: format!("/var/lib/stsconform/{volume_name}"),
                type_: None,
            }),
            persistent_volume_reclaim_policy: Some("Delete".into()),
            storage_class_name: Some("standard".into()),
            volume_mode: Some("Filesystem".into()),
            ..Default::default()
        }),
        status: Some(PersistentVolumeStatus {
            phase: Some("Bound".into()),
            ..Default::default()
        }),
    };
    if cluster
        .create(Object::PersistentVolume(Box::new(pv)))
        .is_err()
    {
        return;
    }
    let mut pvc_spec = spec;
    pvc_spec.volume_name = Some(volume_name);
    if pvc_spec.storage_class_name.is_none() {
        pvc_spec.storage_class_name = Some("standard".into());
    }
    pvc.spec = Some(pvc_spec);
    pvc.metadata.resource_version = None;
    let Ok(written) = cluster.update(Object::PersistentVolumeClaim(pvc)) else {
        return;
    };
    let Object::PersistentVolumeClaim(mut pvc) = written.object.as_ref().clone() else {
        return;
    };
    let status = pvc.status.get_or_insert_with(Default::default);
    status.phase = Some("Bound".into());
    status.access_modes = pvc.spec.as_ref().and_then(|s| s.access_modes.clone());
    status.capacity = capacity;
    let _ = cluster.update_status(Object::PersistentVolumeClaim(pvc));
}
