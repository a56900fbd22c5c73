//! The volume provisioner: every new claim that names no volume gets a PersistentVolume
//! of the requested size and is bound to it (Bound, `spec.volumeName`, capacity); a
//! released volume is deleted, as a `Delete` reclaim policy does.

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
        // A claim that names its volume (bound, or being bound by this provisioner in the
        // sync that wrote it) or is being deleted has nothing left to bind: skipping it
        // here spares a work item and a read of a claim that may have gone cold.
        _ if is_settled(claim) || names_its_volume(claim) => {}
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

/// Whether the claim already names its volume: bound, or bound by the sync that wrote it.
/// A claim created naming a volume asks for that volume, and dynamic provisioning leaves
/// it alone (upstream provisions only claims without `spec.volumeName`).
fn names_its_volume(claim: &Object) -> bool {
    let Object::PersistentVolumeClaim(pvc) = claim else {
        return false;
    };
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_ref())
        .is_some()
}

/// Binds one claim if it is still pending.
pub(crate) fn sync_claim(cluster: &mut Cluster, namespace: &str, name: &str) {
    let Some(claim) = cluster.get_object(Kind::PersistentVolumeClaim, namespace, name) else {
        return;
    };
    if is_settled(&claim) || names_its_volume(&claim) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;
    use serde_json::json;

    fn claim(c: &mut Cluster, name: &str, volume_name: Option<&str>) -> Object {
        let mut spec = json!({
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}
        });
        if let Some(volume) = volume_name {
            spec["volumeName"] = json!(volume);
        }
        let object = Object::from_json(
            Kind::PersistentVolumeClaim,
            json!({
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": name, "namespace": "default"},
                "spec": spec
            }),
        )
        .unwrap();
        c.create(object).unwrap();
        c.settle().unwrap();
        c.get_object(Kind::PersistentVolumeClaim, "default", name)
            .unwrap()
    }

    fn phase(claim: &Object) -> Option<&str> {
        match claim {
            Object::PersistentVolumeClaim(pvc) => pvc.status.as_ref()?.phase.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn a_new_claim_is_bound_to_a_volume_provisioned_for_it() {
        let mut c = Cluster::new(ClusterConfig::default());
        let bound = claim(&mut c, "data", None);
        assert_eq!(phase(&bound), Some("Bound"));
        assert_eq!(c.store().count(Kind::PersistentVolume), 1);
    }

    #[test]
    fn a_claim_naming_its_volume_is_left_to_that_volume() {
        let mut c = Cluster::new(ClusterConfig::default());
        let pending = claim(&mut c, "data", Some("manual-pv"));
        assert_ne!(phase(&pending), Some("Bound"));
        let Object::PersistentVolumeClaim(pvc) = &pending else {
            panic!("not a claim");
        };
        assert_eq!(
            pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()),
            Some("manual-pv")
        );
        assert_eq!(c.store().count(Kind::PersistentVolume), 0);
    }
}
