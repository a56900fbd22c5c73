//! Steps about PersistentVolumeClaims: which exist, which pod uses which claim, binding,
//! owner references under the retention policy, and claim faults.

use super::params::PodList;
use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::object::Kind;
use crate::targets::{Patch, View};
use cucumber::{given, then, when};

fn claims_are(view: &View, names: &[String]) -> bool {
    let mut have: Vec<&str> = view
        .claims
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    have.sort();
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    want.sort();
    have == want
}

/// Now: exactly these claims exist.
#[then(expr = "the claims are {pods}")]
async fn the_claims_are(w: &mut StsWorld, claims: PodList) -> StepResult {
    let what = format!("exactly the claims {}", claims.0.join(", "));
    w.now(&what, &|v| claims_are(v, &claims.0)).await
}

/// Waits until exactly these claims exist.
#[then(expr = "eventually the claims are {pods}")]
async fn eventually_claims_are(w: &mut StsWorld, claims: PodList) -> StepResult {
    let what = format!("exactly the claims {}", claims.0.join(", "));
    w.eventually(&what, &|v| claims_are(v, &claims.0), DEFAULT_WAIT)
        .await
}

/// Waits until no claim exists in the namespace.
#[then(expr = "eventually there are no claims")]
async fn no_claims(w: &mut StsWorld) -> StepResult {
    w.eventually("no claims", &|v| v.claims.is_empty(), DEFAULT_WAIT)
        .await
}

/// Waits until every named claim is Bound to a volume.
#[then(expr = "claims {pods} are Bound")]
async fn bound(w: &mut StsWorld, claims: PodList) -> StepResult {
    let what = format!("claims {} Bound", claims.0.join(", "));
    w.eventually(
        &what,
        &|v| {
            claims.0.iter().all(|c| {
                v.claim(c)
                    .and_then(|c| c.status.as_ref())
                    .and_then(|s| s.phase.as_deref())
                    == Some("Bound")
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Now: the pod mounts the claim under that volume name.
#[then(expr = "pod {string} uses the claim {string} as volume {string}")]
async fn uses_claim(w: &mut StsWorld, pod: String, claim: String, volume: String) -> StepResult {
    let what = format!("pod {pod} mounting claim {claim} as volume {volume}");
    w.now(&what, &|v| {
        v.pod(&pod)
            .and_then(|p| p.spec.as_ref())
            .and_then(|s| s.volumes.as_ref())
            .is_some_and(|vols| {
                vols.iter().any(|vol| {
                    vol.name == volume
                        && vol
                            .persistent_volume_claim
                            .as_ref()
                            .is_some_and(|c| c.claim_name == claim)
                })
            })
    })
    .await
}

/// The claim's labels are exactly the comma-separated `key=value` list.
#[then(expr = "claim {string} has the labels {string}")]
async fn claim_labels(w: &mut StsWorld, claim: String, labels: String) -> StepResult {
    let want: std::collections::BTreeMap<String, String> = labels
        .split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let what = format!("claim {claim} with exactly the labels {labels}");
    w.now(&what, &|v| {
        v.claim(&claim)
            .and_then(|c| c.metadata.labels.clone())
            .unwrap_or_default()
            == want
    })
    .await
}

/// Whether the claim exists and its only owner reference is a controller reference
/// (blockOwnerDeletion) to the StatefulSet `set` as it exists now.
fn owned_by_set_only(view: &View, claim: &str, set: &str) -> bool {
    view.claim(claim).is_some_and(|c| {
        view.is_sole_controller_ref_to_set(c.metadata.owner_references.as_deref(), set)
    })
}

/// Whether the claim exists and its only owner reference is a controller reference
/// (v1 Pod, blockOwnerDeletion) to the pod `pod` as it exists now.
fn owned_by_pod_only(view: &View, claim: &str, pod: &str) -> bool {
    let Some(uid) = view.pod(pod).and_then(|p| p.metadata.uid.as_deref()) else {
        return false;
    };
    view.claim(claim)
        .and_then(|c| c.metadata.owner_references.as_deref())
        .is_some_and(|refs| {
            matches!(refs, [r] if r.api_version == "v1"
                && r.kind == "Pod"
                && r.name == pod
                && r.uid == uid
                && r.controller == Some(true)
                && r.block_owner_deletion == Some(true))
        })
}

/// Waits until the claim's only owner reference is a controller reference to the set (no reference to its pod, nor to anything else).
#[then(expr = "claim {string} is owned by the StatefulSet {string} only")]
async fn owned_by_set(w: &mut StsWorld, claim: String, set: String) -> StepResult {
    let what =
        format!("claim {claim} whose only owner reference is a controller reference to {set}");
    w.eventually(&what, &|v| owned_by_set_only(v, &claim, &set), DEFAULT_WAIT)
        .await
}

/// Waits until the claim's only owner reference is a controller reference to its pod (RET matrix).
#[then(expr = "claim {string} is owned by its pod only")]
async fn owned_by_pod(w: &mut StsWorld, claim: String) -> StepResult {
    let view = w.view().await?;
    let Some(pod) = view
        .pods
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .filter(|p| claim.ends_with(&format!("-{p}")))
        .max_by_key(String::len)
    else {
        return Err(w
            .failure(format!("no pod owns the claim {claim} by name"))
            .await);
    };
    let what =
        format!("claim {claim} whose only owner reference is a controller reference to pod {pod}");
    w.eventually(&what, &|v| owned_by_pod_only(v, &claim, &pod), DEFAULT_WAIT)
        .await
}

/// Waits until the claim has no ownerReferences.
#[then(expr = "claim {string} has no owner")]
async fn claim_no_owner(w: &mut StsWorld, claim: String) -> StepResult {
    let what = format!("claim {claim} without owner references");
    w.eventually(
        &what,
        &|v| {
            v.claim(&claim).is_some_and(|c| {
                c.metadata
                    .owner_references
                    .as_ref()
                    .is_none_or(Vec::is_empty)
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Waits until the claim's only owner reference is the named foreign owner.
#[then(expr = "claim {string} keeps only its foreign owner {string}")]
async fn foreign_owner(w: &mut StsWorld, claim: String, owner: String) -> StepResult {
    let what = format!("claim {claim} owned only by {owner}");
    w.eventually(
        &what,
        &|v| {
            v.claim(&claim)
                .and_then(|c| c.metadata.owner_references.clone())
                .is_some_and(|r| r.len() == 1 && r[0].name == owner)
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Creates a ConfigMap and a claim whose controller reference points at it (the owner
/// must exist: the garbage collector removes dependents of a missing owner).
#[given(expr = "a claim {string} controlled by a ConfigMap {string}")]
async fn foreign_claim(w: &mut StsWorld, claim: String, owner: String) -> StepResult {
    let config_map =
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner}});
    let config_map = crate::model::object::Object::from_json(Kind::ConfigMap, config_map)
        .map_err(|e| super::Failure(e.to_string()))?;
    let r = w.target().create(config_map).await;
    let (created, _) = w.fail_on(r).await?;
    let uid = created.metadata().uid.clone().unwrap_or_default();
    let pvc = serde_json::json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "labels": {"app": "nginx"}, "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap",
            "name": owner, "uid": uid, "controller": true}]},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
    let object = crate::model::object::Object::from_json(Kind::PersistentVolumeClaim, pvc)
        .map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

/// Deletes a PersistentVolumeClaim.
#[when(expr = "I delete the claim {string}")]
async fn delete_claim(w: &mut StsWorld, claim: String) -> StepResult {
    let r = w
        .target()
        .delete(Kind::PersistentVolumeClaim, &claim, None)
        .await;
    w.fail_on(r).await
}

/// Adds a finalizer to a claim, so deleting it leaves it terminating.
#[when(expr = "a finalizer holds the claim {string}")]
async fn hold_claim(w: &mut StsWorld, claim: String) -> StepResult {
    let patch = serde_json::json!({"metadata": {"finalizers": ["stsconform.io/hold"]}});
    w.must_patch(Kind::PersistentVolumeClaim, &claim, Patch::Merge(patch))
        .await
}

/// Removes all finalizers of the claim.
#[when(expr = "the finalizer on the claim {string} is removed")]
async fn release_claim(w: &mut StsWorld, claim: String) -> StepResult {
    let patch = serde_json::json!({"metadata": {"finalizers": null}});
    w.must_patch(Kind::PersistentVolumeClaim, &claim, Patch::Merge(patch))
        .await
}

/// Adds a finalizer to a pod, so it stays Terminating after its grace period.
#[when(expr = "a finalizer holds the pod {string}")]
async fn hold_pod(w: &mut StsWorld, pod: String) -> StepResult {
    let patch = serde_json::json!({"metadata": {"finalizers": ["stsconform.io/hold"]}});
    w.must_patch(Kind::Pod, &pod, Patch::Merge(patch)).await
}

/// Removes all finalizers of the pod.
#[when(expr = "the finalizer on the pod {string} is removed")]
async fn release_pod(w: &mut StsWorld, pod: String) -> StepResult {
    let patch = serde_json::json!({"metadata": {"finalizers": null}});
    w.must_patch(Kind::Pod, &pod, Patch::Merge(patch)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::StatefulSet;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    fn meta(name: &str, uid: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            uid: Some(uid.into()),
            ..ObjectMeta::default()
        }
    }

    fn controller(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
        OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: name.into(),
            uid: uid.into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    fn view(refs: Vec<OwnerReference>) -> View {
        let mut claim = PersistentVolumeClaim {
            metadata: meta("www-web-0", "c"),
            ..PersistentVolumeClaim::default()
        };
        claim.metadata.owner_references = Some(refs);
        View {
            sets: vec![StatefulSet {
                metadata: meta("web", "s"),
                ..StatefulSet::default()
            }],
            pods: vec![Pod {
                metadata: meta("web-0", "p"),
                ..Pod::default()
            }],
            claims: vec![claim],
            ..View::default()
        }
    }

    #[test]
    fn only_a_sole_controller_reference_to_the_set_is_owned_by_the_set_only() {
        let to_set = controller("apps/v1", "StatefulSet", "web", "s");
        assert!(owned_by_set_only(
            &view(vec![to_set.clone()]),
            "www-web-0",
            "web"
        ));
        let other = OwnerReference {
            controller: None,
            ..controller("v1", "ConfigMap", "cm", "x")
        };
        let not_controller = OwnerReference {
            controller: Some(false),
            ..to_set.clone()
        };
        let stale = controller("apps/v1", "StatefulSet", "web", "old");
        let to_pod = controller("v1", "Pod", "web-0", "p");
        for refs in [
            vec![to_set.clone(), other],
            vec![to_set.clone(), to_pod],
            vec![not_controller],
            vec![stale],
            vec![],
        ] {
            assert!(
                !owned_by_set_only(&view(refs.clone()), "www-web-0", "web"),
                "{refs:?}"
            );
        }
        assert!(!owned_by_set_only(&view(vec![to_set]), "www-web-9", "web"));
    }

    #[test]
    fn only_a_sole_controller_reference_to_the_pod_is_owned_by_the_pod_only() {
        let to_pod = controller("v1", "Pod", "web-0", "p");
        assert!(owned_by_pod_only(
            &view(vec![to_pod.clone()]),
            "www-web-0",
            "web-0"
        ));
        let to_set = controller("apps/v1", "StatefulSet", "web", "s");
        let unblocking = OwnerReference {
            block_owner_deletion: None,
            ..to_pod.clone()
        };
        for refs in [vec![to_pod.clone(), to_set], vec![unblocking], vec![]] {
            assert!(
                !owned_by_pod_only(&view(refs.clone()), "www-web-0", "web-0"),
                "{refs:?}"
            );
        }
        assert!(!owned_by_pod_only(
            &view(vec![to_pod]),
            "www-web-0",
            "web-1"
        ));
    }
}
