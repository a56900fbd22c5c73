//! What a StatefulSet promises its pods, written from the API definition and the
//! documentation alone: which ordinals it wants, the names, identity and volumes of its
//! pods, the claim names it gives them, its policies as the API defaults them, and which
//! ControllerRevision holds its current template. The harness judges the controller with
//! these (the invariants replay, the model test), never with the controller's own
//! upstream-mirroring helpers, so that a bug in a helper changes the judged but not the
//! judge.

use crate::model::names::POD_NAME_LABEL;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use std::ops::Range;

/// `metadata.name`, or `""`.
fn name(set: &StatefulSet) -> &str {
    set.metadata.name.as_deref().unwrap_or("")
}

/// The ordinal of pod `pod` if it is named `<set>-<ordinal>` with the ordinal in canonical
/// decimal form (`web-7`, not `web-07`) and within int32.
pub fn ordinal_in(set: &str, pod: &str) -> Option<i32> {
    let digits = pod.strip_prefix(set)?.strip_prefix('-')?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical { digits.parse().ok() } else { None }
}

/// The ordinals the set wants: `[spec.ordinals.start, start + spec.replicas)`, with
/// `start` 0 and `replicas` 1 when unset.
pub fn wanted_ordinals(set: &StatefulSet) -> Range<i32> {
    let spec = set.spec.as_ref();
    let start = spec
        .and_then(|s| s.ordinals.as_ref())
        .and_then(|o| o.start)
        .unwrap_or(0);
    let replicas = spec.and_then(|s| s.replicas).unwrap_or(1);
    start..start.saturating_add(replicas.max(0))
}

/// `spec.podManagementPolicy` is `Parallel` (the default is `OrderedReady`).
pub fn is_parallel(set: &StatefulSet) -> bool {
    set.spec
        .as_ref()
        .and_then(|s| s.pod_management_policy.as_deref())
        == Some("Parallel")
}

/// `spec.updateStrategy.type` is `OnDelete` (the default is `RollingUpdate`).
pub fn is_on_delete(set: &StatefulSet) -> bool {
    set.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.type_.as_deref())
        == Some("OnDelete")
}

/// `spec.updateStrategy.rollingUpdate.partition`, 0 when unset.
pub fn partition(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0)
}

/// `spec.minReadySeconds`, 0 when unset.
pub fn min_ready_seconds(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0)
}

/// Whether claims are deleted when the set is deleted, and when it is scaled down
/// (`spec.persistentVolumeClaimRetentionPolicy`, each side `Retain` unless `Delete`).
pub fn deletes_claims(set: &StatefulSet) -> (bool, bool) {
    let policy = set
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
    let delete = |side: Option<&String>| side.is_some_and(|s| s == "Delete");
    (
        delete(policy.and_then(|p| p.when_deleted.as_ref())),
        delete(policy.and_then(|p| p.when_scaled.as_ref())),
    )
}

/// The claims the set's `volumeClaimTemplates` give the pod with `ordinal`:
/// `(template name, <template>-<set>-<ordinal>)`.
pub fn wanted_claims(set: &StatefulSet, ordinal: i32) -> Vec<(String, String)> {
    set.spec
        .iter()
        .flat_map(|s| s.volume_claim_templates.iter().flatten())
        .map(|t| {
            let template = t.metadata.name.clone().unwrap_or_default();
            let claim = format!("{template}-{}-{ordinal}", name(set));
            (template, claim)
        })
        .collect()
}

/// The pod's stable identity: named `<set>-<ordinal>`, in the set's namespace, labelled
/// `statefulset.kubernetes.io/pod-name: <its name>`.
///
/// # Errors
/// What differs.
pub fn check_identity(set: &StatefulSet, pod: &Pod) -> Result<(), String> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or("");
    if ordinal_in(name(set), pod_name).is_none() {
        return Err(format!(
            "pod {pod_name} is not named {}-<ordinal>",
            name(set)
        ));
    }
    if pod.metadata.namespace != set.metadata.namespace {
        return Err(format!(
            "pod {pod_name} is in namespace {:?}, its set in {:?}",
            pod.metadata.namespace, set.metadata.namespace
        ));
    }
    let label = pod
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(POD_NAME_LABEL));
    if label.map(String::as_str) != Some(pod_name) {
        return Err(format!(
            "pod {pod_name} has the label {POD_NAME_LABEL}={label:?}"
        ));
    }
    Ok(())
}

/// The pod's stable storage: for every claim template, a volume of the template's name
/// mounting the claim `<template>-<set>-<ordinal>`.
///
/// # Errors
/// The first template whose volume is missing or mounts another claim.
pub fn check_storage(set: &StatefulSet, pod: &Pod) -> Result<(), String> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or("");
    let Some(ordinal) = ordinal_in(name(set), pod_name) else {
        return Err(format!(
            "pod {pod_name} is not named {}-<ordinal>",
            name(set)
        ));
    };
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_deref())
        .unwrap_or(&[]);
    for (template, claim) in wanted_claims(set, ordinal) {
        let mounted = volumes
            .iter()
            .find(|v| v.name == template)
            .and_then(|v| v.persistent_volume_claim.as_ref())
            .map(|c| c.claim_name.as_str());
        if mounted != Some(claim.as_str()) {
            return Err(format!(
                "pod {pod_name} mounts {mounted:?} as volume {template}, not the claim {claim}"
            ));
        }
    }
    Ok(())
}

/// Whether the revision's data holds exactly the set's pod template: `data.spec.template`
/// (without its `$patch: replace` directive) equals `spec.template`.
pub fn holds_template(revision: &ControllerRevision, set: &StatefulSet) -> bool {
    let Some(mut stored) = revision
        .data
        .as_ref()
        .and_then(|d| d.0.get("spec"))
        .and_then(|s| s.get("template"))
        .cloned()
    else {
        return false;
    };
    if let Some(map) = stored.as_object_mut() {
        map.remove("$patch");
    }
    let template = set
        .spec
        .as_ref()
        .map(|s| serde_json::to_value(&s.template))
        .transpose()
        .ok()
        .flatten()
        .unwrap_or_else(|| serde_json::json!({}));
    stored == template
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaimVolumeSource, PodSpec, Volume};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use serde_json::json;

    fn set() -> StatefulSet {
        let mut set = fixtures::web(3, json!({"spec": {"ordinals": {"start": 2}}}));
        set.metadata.namespace = Some("ns".into());
        set
    }

    fn pod(name: &str, label: &str, claim: &str) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("ns".into()),
                labels: Some([(POD_NAME_LABEL.to_owned(), label.to_owned())].into()),
                ..ObjectMeta::default()
            },
            spec: Some(PodSpec {
                volumes: Some(vec![Volume {
                    name: "www".into(),
                    persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                        claim_name: claim.into(),
                        ..PersistentVolumeClaimVolumeSource::default()
                    }),
                    ..Volume::default()
                }]),
                ..PodSpec::default()
            }),
            ..Pod::default()
        }
    }

    #[test]
    fn ordinals_are_canonical_decimals_of_the_set_s_name() {
        assert_eq!(ordinal_in("web", "web-0"), Some(0));
        assert_eq!(ordinal_in("web", "web-12"), Some(12));
        for wrong in [
            "web-07",
            "web-",
            "web-x",
            "web0",
            "webs-1",
            "web--1",
            "web-99999999999",
        ] {
            assert_eq!(ordinal_in("web", wrong), None, "{wrong}");
        }
        assert_eq!(wanted_ordinals(&set()), 2..5);
    }

    #[test]
    fn identity_needs_the_name_the_namespace_and_the_pod_name_label() {
        let set = set();
        assert!(check_identity(&set, &pod("web-2", "web-2", "www-web-2")).is_ok());
        assert!(check_identity(&set, &pod("web-2", "web-3", "www-web-2")).is_err());
        assert!(check_identity(&set, &pod("web-02", "web-02", "www-web-2")).is_err());
        assert!(check_identity(&set, &pod("db-2", "db-2", "www-web-2")).is_err());
        let mut elsewhere = pod("web-2", "web-2", "www-web-2");
        elsewhere.metadata.namespace = Some("other".into());
        assert!(check_identity(&set, &elsewhere).is_err());
    }

    #[test]
    fn storage_needs_each_template_s_volume_on_the_pod_s_own_claim() {
        let set = set();
        assert_eq!(
            wanted_claims(&set, 2),
            vec![("www".to_owned(), "www-web-2".to_owned())]
        );
        assert!(check_storage(&set, &pod("web-2", "web-2", "www-web-2")).is_ok());
        assert!(check_storage(&set, &pod("web-2", "web-2", "www-web-3")).is_err());
        let mut bare = pod("web-2", "web-2", "www-web-2");
        bare.spec = None;
        assert!(check_storage(&set, &bare).is_err());
    }

    #[test]
    fn a_revision_holds_the_template_it_was_made_from_and_no_other() {
        let set = set();
        let template =
            serde_json::to_value(&set.spec.as_ref().expect("spec").template).expect("json");
        let mut data = json!({"spec": {"template": template}});
        data["spec"]["template"]["$patch"] = json!("replace");
        let revision = ControllerRevision {
            data: Some(k8s_openapi::apimachinery::pkg::runtime::RawExtension(data)),
            ..ControllerRevision::default()
        };
        assert!(holds_template(&revision, &set));
        let mut changed = set.clone();
        if let Some(c) = changed
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .and_then(|s| s.containers.first_mut())
        {
            c.image = Some("nginx:other".into());
        }
        assert!(!holds_template(&revision, &changed));
        assert!(!holds_template(&ControllerRevision::default(), &set));
    }

    #[test]
    fn policies_read_as_the_api_defaults_them() {
        let bare = StatefulSet::default();
        assert!(!is_parallel(&bare) && !is_on_delete(&bare));
        assert_eq!((partition(&bare), min_ready_seconds(&bare)), (0, 0));
        assert_eq!(deletes_claims(&bare), (false, false));
        assert_eq!(wanted_ordinals(&bare), 0..1);
    }
}
