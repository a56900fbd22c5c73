//! Upstream's informer handlers: which set keys a change to a StatefulSet or a pod
//! queues — the pod's controlling set (and the one it had before), every set that may
//! adopt an orphan, and a second look after minReadySeconds when a pod turns ready.
// upstream: stateful_set.go addPod / updatePod / deletePod, enqueueStatefulSet

use super::caches::Change;
use super::clock::TargetClock;
use super::queue::{Key, Queue};
use crate::model::pod_record::PodView;
use crate::model::selector;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::runtime::reflector::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

fn key_of(namespace: Option<&str>, name: Option<&str>) -> Option<Key> {
    Some((namespace?.to_owned(), name?.to_owned()))
}

/// A set added, updated or deleted: queue it (a deleted one's backoff is forgotten).
pub fn on_set(queue: &Queue, change: Change<StatefulSet>) {
    match change {
        Change::Applied(set) => {
            if let Some(key) = key_of(
                set.metadata.namespace.as_deref(),
                set.metadata.name.as_deref(),
            ) {
                queue.add(key);
            }
        }
        Change::Deleted(set) => {
            if let Some(key) = key_of(
                set.metadata.namespace.as_deref(),
                set.metadata.name.as_deref(),
            ) {
                queue.forget(&key);
            }
        }
    }
}

/// What the handler remembers of each pod it saw: its controlling set and readiness,
/// which upstream's `updatePod` reads from the old object.
#[derive(Debug, Default)]
pub struct SeenPods(HashMap<Key, (Option<String>, bool)>);

/// The name of the StatefulSet controlling the pod, if one does.
fn controlling_set(refs: &[OwnerReference]) -> Option<&OwnerReference> {
    refs.iter()
        .find(|r| r.controller == Some(true))
        .filter(|r| r.kind == "StatefulSet" && r.api_version.starts_with("apps/"))
}

fn is_ready(pod: &Pod) -> bool {
    pod.ready_condition().is_some_and(|c| c.ready)
}

/// A pod added, updated or deleted.
pub fn on_pod(
    queue: &Arc<Queue>,
    sets: &Store<StatefulSet>,
    clock: TargetClock,
    seen: &mut SeenPods,
    change: Change<Pod>,
) {
    let (pod, deleted) = match change {
        Change::Applied(pod) => (pod, false),
        Change::Deleted(pod) => (pod, true),
    };
    let namespace = pod.namespace().unwrap_or_default().to_owned();
    let pod_key = (namespace.clone(), pod.name().to_owned());
    let has_controller = pod
        .owner_references()
        .iter()
        .any(|r| r.controller == Some(true));
    let owner = controlling_set(pod.owner_references());
    let ready = is_ready(&pod);
    let (old_owner, was_ready) = if deleted {
        seen.0.remove(&pod_key).unwrap_or_default()
    } else {
        seen.0
            .insert(pod_key, (owner.map(|r| r.name.clone()), ready))
            .unwrap_or_default()
    };
    // The set it belonged to before a controller reference changed hears of it too.
    if let Some(old) = old_owner.filter(|old| Some(old.as_str()) != owner.map(|r| r.name.as_str()))
    {
        queue.add((namespace.clone(), old));
    }
    if let Some(owner) = owner {
        let Some(set) = super::caches::Caches::get(sets, &namespace, &owner.name) else {
            return;
        };
        if set.metadata.uid.as_deref() != Some(owner.uid.as_str()) {
            return;
        }
        let key = (namespace, owner.name.clone());
        queue.add(key.clone());
        // A pod that just turned ready is looked at again once minReadySeconds passed.
        let min_ready = set
            .spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0);
        if !deleted && min_ready > 0 && ready && !was_ready {
            let wait = Duration::from_secs(u64::from(min_ready.unsigned_abs()) + 1);
            queue.add_after(key, clock.wall_duration(wait));
        }
        return;
    }
    if deleted || has_controller {
        return;
    }
    // An orphan: every set whose selector matches may want to adopt it.
    for set in sets.state() {
        if set.metadata.namespace.as_deref() != Some(namespace.as_str()) {
            continue;
        }
        let matches = set.spec.as_ref().is_some_and(|spec| {
            selector::label_query_from_selector(&spec.selector)
                .is_ok_and(|q| q.matches_with(|k| pod.label(k)))
        });
        if matches && let Some(name) = set.metadata.name.clone() {
            queue.add((namespace.clone(), name));
        }
    }
}
