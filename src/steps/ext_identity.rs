//! Steps added for the identity features (see the module list in `steps/mod.rs`): pod
//! metadata and volumes, label repair, claim uids, event order, ownership that must hold
//! for a while, and objects the controller must leave alone (Services, revisions).

use super::params::{PodList, Seconds};
use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::object::Kind;
use crate::targets::{Patch, View};
use cucumber::{then, when};
use serde_json::json;

fn label_of(view: &View, pod: &str, key: &str) -> Option<String> {
    view.pod(pod)?.metadata.labels.as_ref()?.get(key).cloned()
}

fn claim_uid(view: &View, claim: &str) -> Option<String> {
    view.claim(claim)?.metadata.uid.clone()
}

fn controlled_only_by(view: &View, pod: &str, set: &str) -> bool {
    view.pod(pod).is_some_and(|p| {
        view.is_sole_controller_ref_to_set(p.metadata.owner_references.as_deref(), set)
    })
}

fn has_no_owner(view: &View, pod: &str) -> bool {
    view.pod(pod).is_some_and(|p| {
        p.metadata
            .owner_references
            .as_ref()
            .is_none_or(Vec::is_empty)
    })
}

/// Now: the pod carries the annotation with exactly that value.
#[then(expr = "pod {string} has the annotation {string} with value {string}")]
async fn has_annotation(w: &mut StsWorld, pod: String, key: String, value: String) -> StepResult {
    let what = format!("pod {pod} to have annotation {key}={value}");
    w.now(&what, &|v| {
        v.pod(&pod)
            .and_then(|p| p.metadata.annotations.as_ref())
            .and_then(|a| a.get(&key))
            .is_some_and(|x| *x == value)
    })
    .await
}

/// Now: the pod's `metadata.generateName` is exactly that value.
#[then(expr = "pod {string} has the generateName {string}")]
async fn has_generate_name(w: &mut StsWorld, pod: String, prefix: String) -> StepResult {
    let what = format!("pod {pod} with generateName {prefix:?}");
    w.now(&what, &|v| {
        v.pod(&pod)
            .is_some_and(|p| p.metadata.generate_name.as_deref() == Some(prefix.as_str()))
    })
    .await
}

/// Now: the names of the pod's volumes are exactly these (as a set; duplicates count).
#[then(expr = "pod {string} has the volumes {pods}")]
async fn has_volumes(w: &mut StsWorld, pod: String, volumes: PodList) -> StepResult {
    let mut want = volumes.0.clone();
    want.sort();
    let what = format!("pod {pod} with exactly the volumes {}", want.join(", "));
    w.now(&what, &|v| {
        let mut have: Vec<String> = v
            .pod(&pod)
            .and_then(|p| p.spec.as_ref())
            .and_then(|s| s.volumes.as_ref())
            .map(|vols| vols.iter().map(|vol| vol.name.clone()).collect())
            .unwrap_or_default();
        have.sort();
        have == want
    })
    .await
}

/// Removes one label from a pod (a merge patch setting it to null).
#[when(expr = "I remove the label {string} from pod {string}")]
async fn remove_label(w: &mut StsWorld, key: String, pod: String) -> StepResult {
    let patch = json!({"metadata": {"labels": {key: null}}});
    w.must_patch(Kind::Pod, &pod, Patch::Merge(patch)).await
}

/// Waits until the pod carries the label with exactly that value.
#[then(expr = "eventually pod {string} has the label {string} with value {string}")]
async fn eventually_label(w: &mut StsWorld, pod: String, key: String, value: String) -> StepResult {
    let what = format!("pod {pod} to have label {key}={value}");
    w.eventually(
        &what,
        &|v| label_of(v, &pod, &key).as_deref() == Some(value.as_str()),
        DEFAULT_WAIT,
    )
    .await
}

/// The pod exists without that label for the whole time.
#[then(expr = "pod {string} stays without the label {string} for {seconds} second(s)")]
async fn stays_without_label(w: &mut StsWorld, pod: String, key: String, d: Seconds) -> StepResult {
    let what = format!("pod {pod} to exist without label {key}");
    w.holds(
        &what,
        &|v| v.pod(&pod).is_some() && label_of(v, &pod, &key).is_none(),
        d.0,
    )
    .await
}

/// No pod exists in the namespace for the whole time.
#[then(expr = "no pod exists for {seconds} second(s)")]
async fn no_pods_for(w: &mut StsWorld, d: Seconds) -> StepResult {
    w.holds("no pods", &|v| v.pods.is_empty(), d.0).await
}

/// Remembers a claim's uid for "claim … has a new uid" / "keeps its uid".
#[when(expr = "I note the uid of claim {string}")]
async fn note_claim_uid(w: &mut StsWorld, claim: String) -> StepResult {
    let view = w.view().await?;
    match claim_uid(&view, &claim) {
        Some(uid) => {
            w.remembered.insert(format!("claim/{claim}"), uid);
            Ok(())
        }
        None => Err(w.failure(format!("claim {claim} does not exist")).await),
    }
}

/// Waits until a claim of that name exists with a uid other than the noted one.
#[then(expr = "claim {string} has a new uid")]
async fn claim_new_uid(w: &mut StsWorld, claim: String) -> StepResult {
    let old = w
        .noted(
            &format!("claim/{claim}"),
            &format!("When I note the uid of claim \"{claim}\""),
        )
        .await?;
    let what = format!("claim {claim} to exist with a uid other than {old}");
    w.eventually(
        &what,
        &|v| claim_uid(v, &claim).is_some_and(|u| u != old),
        DEFAULT_WAIT,
    )
    .await
}

/// The claim keeps the noted uid (it is neither deleted nor replaced) for the whole time.
#[then(expr = "claim {string} keeps its uid for {seconds} second(s)")]
async fn claim_same_uid(w: &mut StsWorld, claim: String, d: Seconds) -> StepResult {
    let old = w
        .noted(
            &format!("claim/{claim}"),
            &format!("When I note the uid of claim \"{claim}\""),
        )
        .await?;
    let what = format!("claim {claim} to keep uid {old}");
    w.holds(&what, &|v| claim_uid(v, &claim) == Some(old.clone()), d.0)
        .await
}

/// Waits until the claim exists and is being deleted (has a deletionTimestamp).
#[then(expr = "claim {string} is terminating")]
async fn claim_terminating(w: &mut StsWorld, claim: String) -> StepResult {
    let what = format!("claim {claim} to be terminating");
    w.eventually(
        &what,
        &|v| {
            v.claim(&claim)
                .is_some_and(|c| c.metadata.deletion_timestamp.is_some())
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Now: on object `involved`, the first event whose message contains the first text came
/// no later than (and was recorded before) the first one containing the second.
#[then(expr = "on {string} the event {string} comes before the event {string}")]
async fn event_order(
    w: &mut StsWorld,
    involved: String,
    first: String,
    second: String,
) -> StepResult {
    let what = format!("on {involved}, an event {first:?} before an event {second:?}");
    w.now(&what, &|v| {
        let position = |text: &str| {
            v.events
                .iter()
                .enumerate()
                .filter(|(_, e)| e.involved_object.name.as_deref() == Some(involved.as_str()))
                .filter(|(_, e)| e.message.as_deref().is_some_and(|m| m.contains(text)))
                .map(|(i, e)| (e.first_timestamp.as_ref().map(|t| t.0), i))
                .min()
        };
        matches!((position(&first), position(&second)), (Some(a), Some(b)) if a < b)
    })
    .await
}

/// Waits until no ControllerRevision is left in the namespace.
#[then(expr = "eventually there are no ControllerRevisions")]
async fn no_revisions(w: &mut StsWorld) -> StepResult {
    w.eventually(
        "no ControllerRevisions",
        &|v| v.revisions.is_empty(),
        DEFAULT_WAIT,
    )
    .await
}

/// The Service exists, unchanged in uid, for the whole time.
#[then(expr = "the Service {string} stays in place for {seconds} second(s)")]
async fn service_stays(w: &mut StsWorld, name: String, d: Seconds) -> StepResult {
    let view = w.view().await?;
    let Some(uid) = view
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name.as_str()))
        .and_then(|s| s.metadata.uid.clone())
    else {
        return Err(w.failure(format!("Service {name} does not exist")).await);
    };
    let what = format!("Service {name} to stay with uid {uid}");
    w.holds(
        &what,
        &|v| {
            v.services.iter().any(|s| {
                s.metadata.name.as_deref() == Some(name.as_str())
                    && s.metadata.uid.as_deref() == Some(uid.as_str())
            })
        },
        d.0,
    )
    .await
}

/// No Service of that name exists for the whole time.
#[then(expr = "there is no Service {string} for {seconds} second(s)")]
async fn no_service(w: &mut StsWorld, name: String, d: Seconds) -> StepResult {
    let what = format!("no Service {name}");
    w.holds(
        &what,
        &|v| {
            !v.services
                .iter()
                .any(|s| s.metadata.name.as_deref() == Some(name.as_str()))
        },
        d.0,
    )
    .await
}

/// Clears a pod's owner references (a merge patch), making it an orphan.
#[when(expr = "I remove the owner references of pod {string}")]
async fn clear_owners(w: &mut StsWorld, pod: String) -> StepResult {
    let patch = json!({"metadata": {"ownerReferences": null}});
    w.must_patch(Kind::Pod, &pod, Patch::Merge(patch)).await
}

/// The pod exists with no owner reference for the whole time.
#[then(expr = "pod {string} stays without an owner for {seconds} second(s)")]
async fn stays_orphan(w: &mut StsWorld, pod: String, d: Seconds) -> StepResult {
    let what = format!("pod {pod} to exist without owner references");
    w.holds(&what, &|v| has_no_owner(v, &pod), d.0).await
}

/// Every named pod has exactly one owner reference, a controller reference to that set, for
/// the whole time.
#[then(expr = "pods {pods} stay controlled by the StatefulSet {string} for {seconds} second(s)")]
async fn stay_controlled(w: &mut StsWorld, pods: PodList, set: String, d: Seconds) -> StepResult {
    let what = format!("pods {} controlled only by {set}", pods.0.join(", "));
    w.holds(
        &what,
        &|v| pods.0.iter().all(|p| controlled_only_by(v, p, &set)),
        d.0,
    )
    .await
}

/// Waits until the StatefulSet exists with a deletionTimestamp (deletion in progress).
#[then(expr = "the StatefulSet {string} is being deleted")]
async fn set_deleting(w: &mut StsWorld, set: String) -> StepResult {
    let what = format!("StatefulSet {set} to exist with a deletionTimestamp");
    w.eventually(
        &what,
        &|v| {
            v.set(&set)
                .is_some_and(|s| s.metadata.deletion_timestamp.is_some())
        },
        DEFAULT_WAIT,
    )
    .await
}
