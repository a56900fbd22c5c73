//! Steps added for the api and tutorial features: ControllerRevisions as objects, `/status`
//! writes that may fail, StatefulSets selected by label, events in order, fields of pods
//! and revisions, and the timeline orderings the tutorial shows.

use super::params::{PodList, Seconds};
use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::object::{Kind, Object};
use crate::targets::{Patch, TargetError, View};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, Ordering};

/// Names of the ControllerRevisions whose controller is the StatefulSet `set`, sorted.
fn owned_revisions(view: &View, set: &str) -> Vec<String> {
    let uid = view.set(set).and_then(|s| s.metadata.uid.clone());
    let mut names: Vec<String> = view
        .revisions
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| Some(&o.uid) == uid.as_ref() && o.controller == Some(true))
        })
        .filter_map(|r| r.metadata.name.clone())
        .collect();
    names.sort();
    names
}

/// Whether every `key=value` pair of `selector` (comma-separated) is among `labels`.
fn labels_match(
    labels: Option<&std::collections::BTreeMap<String, String>>,
    selector: &str,
) -> bool {
    selector
        .split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .all(|(k, v)| labels.and_then(|l| l.get(k)).is_some_and(|x| x == v))
}

/// Index of the first timeline row of `pod` that satisfies `f`.
fn first_row(
    timeline: &crate::timeline::Timeline,
    f: impl Fn(&crate::timeline::Row) -> bool,
) -> Option<usize> {
    timeline.rows.iter().position(f)
}

use super::incarnations::is_ready_row as row_ready;

impl StsWorld {
    /// Fails unless `object` (described by `what`) exists and its `path` reads as `value`.
    async fn field_reads(
        &mut self,
        what: &str,
        object: Option<&Value>,
        path: &str,
        value: &str,
    ) -> StepResult {
        let checked = super::fields::check_field(object, what, path, value);
        self.checked(checked).await
    }

    /// The stored object as JSON, if it exists.
    pub(super) async fn json_of(
        &mut self,
        kind: Kind,
        name: &str,
    ) -> Result<Option<Value>, super::Failure> {
        let r = self.target().get(kind, name).await;
        let object = self.fail_on(r).await?;
        Ok(object.map(|o| o.to_json()))
    }

    /// Remembers the error (or success) of a request a step expects might fail.
    fn remember<T>(&mut self, result: Result<T, TargetError>) {
        self.last_error = result.err();
    }
}

/// A field of a pod (dotted path, e.g. `spec.dnsPolicy`) has this value.
#[then(expr = "pod {string} has the field {string} set to {string}")]
async fn pod_field(w: &mut StsWorld, pod: String, path: String, value: String) -> StepResult {
    let json = w.json_of(Kind::Pod, &pod).await?;
    w.field_reads(&format!("pod {pod}"), json.as_ref(), &path, &value)
        .await
}

/// A field of a ControllerRevision (dotted path, e.g. `data.spec.template.spec.restartPolicy`) has this value.
#[then(expr = "revision {word} has the field {string} set to {string}")]
async fn revision_field(
    w: &mut StsWorld,
    short: String,
    path: String,
    value: String,
) -> StepResult {
    let full = w.revision_name(&short).await?;
    let json = w.json_of(Kind::ControllerRevision, &full).await?;
    w.field_reads(
        &format!("revision {short} ({full})"),
        json.as_ref(),
        &path,
        &value,
    )
    .await
}

/// The revision's data is the pod template alone: `{"spec":{"template":{…,"$patch":"replace"}}}`.
#[then(expr = "revision {word} stores only the pod template")]
async fn revision_data(w: &mut StsWorld, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let Some(json) = w.json_of(Kind::ControllerRevision, &full).await? else {
        return Err(w
            .failure(format!("revision {short} ({full}) does not exist"))
            .await);
    };
    let data = &json["data"];
    let only = |v: &Value, key: &str| {
        v.as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key(key))
    };
    if only(data, "spec")
        && only(&data["spec"], "template")
        && data["spec"]["template"]["$patch"] == "replace"
    {
        Ok(())
    } else {
        Err(w.failure(format!("expected revision {short} to hold only spec.template with $patch: replace, got {data}")).await)
    }
}

/// The ControllerRevisions the StatefulSet controls are exactly these (`rev1` … or full names).
#[then(expr = "the revisions of {string} are {pods}")]
async fn revisions_are(w: &mut StsWorld, set: String, names: PodList) -> StepResult {
    let mut want = Vec::new();
    for n in &names.0 {
        want.push(w.revision_name(n).await?);
    }
    want.sort();
    let what = format!("the revisions of {set} to be {}", names.0.join(", "));
    w.now(&what, &|v| owned_revisions(v, &set) == want).await
}

/// The revision has exactly one owner reference: a controller reference to the StatefulSet (with its current uid).
#[then(expr = "revision {word} is controlled by the StatefulSet {string}")]
async fn revision_controlled(w: &mut StsWorld, short: String, set: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what = format!("revision {short} ({full}) controlled by StatefulSet {set}");
    w.eventually(
        &what,
        &|v| {
            v.is_sole_controller_ref_to_set(
                v.revision(&full)
                    .and_then(|r| r.metadata.owner_references.as_deref()),
                &set,
            )
        },
        DEFAULT_WAIT,
    )
    .await
}

/// The revision still exists and its only owner reference is the named foreign owner.
#[then(expr = "revision {word} keeps only its foreign owner {string}")]
async fn revision_foreign(w: &mut StsWorld, short: String, owner: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what = format!("revision {full} owned only by {owner}");
    w.now(&what, &|v| {
        v.revision(&full)
            .and_then(|r| r.metadata.owner_references.clone())
            .is_some_and(|r| r.len() == 1 && r[0].name == owner)
    })
    .await
}

/// A ControllerRevision of that name, labelled `key=value`, whose controller is the (existing) Service.
#[given(
    expr = "a ControllerRevision {string} labelled {string} controlled by the Service {string}"
)]
async fn foreign_revision(
    w: &mut StsWorld,
    name: String,
    label: String,
    service: String,
) -> StepResult {
    let (k, v) = label.split_once('=').unwrap_or(("app", label.as_str()));
    let view = w.view().await?;
    let Some(uid) = view
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(service.as_str()))
        .and_then(|s| s.metadata.uid.clone())
    else {
        return Err(w.failure(format!("there is no Service {service}")).await);
    };
    let rev = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": name, "labels": {k: v}, "ownerReferences": [{"apiVersion": "v1",
            "kind": "Service", "name": service, "uid": uid, "controller": true}]},
        "data": {"spec": {"template": {"$patch": "replace"}}}, "revision": 1});
    let object = Object::from_json(Kind::ControllerRevision, rev)
        .map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

/// An unowned ControllerRevision with different data (labelled `app=squatter`) now holds the revision's name.
#[when(expr = "a ControllerRevision with other data takes the name of revision {word}")]
async fn squat_revision(w: &mut StsWorld, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    if w.target()
        .get(Kind::ControllerRevision, &full)
        .await
        .ok()
        .flatten()
        .is_some()
    {
        let r = w
            .target()
            .delete(Kind::ControllerRevision, &full, None)
            .await;
        w.fail_on(r).await?;
    }
    let rev = json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": full, "labels": {"app": "squatter"}},
        "data": {"spec": {"template": {"$patch": "replace"}}}, "revision": 1});
    let object = Object::from_json(Kind::ControllerRevision, rev)
        .map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

/// Tries to replace the `data` of a ControllerRevision with `{"spec":{}}` (remembering the error).
#[when(expr = "I try to change the data of revision {word}")]
async fn change_revision_data(w: &mut StsWorld, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let patch = json!([{"op": "replace", "path": "/data", "value": {"spec": {}}}]);
    let r = w
        .target()
        .patch(Kind::ControllerRevision, &full, Patch::Json(patch), false)
        .await;
    w.remember(r);
    Ok(())
}

/// Tries to set `.revision` of a ControllerRevision (remembering the error).
#[when(expr = "I try to set the number of revision {word} to {int}")]
async fn set_revision_number(w: &mut StsWorld, short: String, number: i64) -> StepResult {
    let full = w.revision_name(&short).await?;
    let r = w
        .target()
        .patch(
            Kind::ControllerRevision,
            &full,
            Patch::Merge(json!({"revision": number})),
            false,
        )
        .await;
    w.remember(r);
    Ok(())
}

/// Deletes a ControllerRevision.
#[when(expr = "I delete the revision {word}")]
async fn delete_revision(w: &mut StsWorld, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let r = w
        .target()
        .delete(Kind::ControllerRevision, &full, None)
        .await;
    w.fail_on(r).await
}

/// Tries a JSON merge patch on the `/status` subresource (remembering the error).
#[when(expr = "I try to patch the status of {string} with:")]
async fn try_patch_status(w: &mut StsWorld, step: &Step, set: String) -> StepResult {
    let patch = super::objects::yaml(super::objects::docstring(step)?)?;
    let r = w
        .target()
        .patch(Kind::StatefulSet, &set, Patch::Merge(patch), true)
        .await;
    w.remember(r);
    Ok(())
}

/// Adds a label to a pod (a metadata-only write the controller sees as a pod update).
#[when(expr = "I label pod {string} with {string}")]
async fn label_pod(w: &mut StsWorld, pod: String, label: String) -> StepResult {
    let (k, v) = label.split_once('=').unwrap_or((label.as_str(), ""));
    let patch = json!({"metadata": {"labels": {k: v}}});
    w.must_patch(Kind::Pod, &pod, Patch::Merge(patch)).await
}

/// The StatefulSets whose labels include every `key=value` of the selector are exactly these.
#[then(expr = "the StatefulSets labelled {string} are {pods}")]
async fn sets_labelled(w: &mut StsWorld, selector: String, names: PodList) -> StepResult {
    let mut want = names.0.clone();
    want.sort();
    let what = format!(
        "the StatefulSets labelled {selector} to be {}",
        want.join(", ")
    );
    w.now(&what, &|v| {
        let mut have: Vec<String> = v
            .sets
            .iter()
            .filter(|s| labels_match(s.metadata.labels.as_ref(), &selector))
            .filter_map(|s| s.metadata.name.clone())
            .collect();
        have.sort();
        have == want
    })
    .await
}

/// Deletes every StatefulSet whose labels include every `key=value` of the selector (a delete-collection by label).
#[when(expr = "I delete the StatefulSets labelled {string}")]
async fn delete_sets_labelled(w: &mut StsWorld, selector: String) -> StepResult {
    let view = w.view().await?;
    let names: Vec<String> = view
        .sets
        .iter()
        .filter(|s| labels_match(s.metadata.labels.as_ref(), &selector))
        .filter_map(|s| s.metadata.name.clone())
        .collect();
    for name in names {
        let r = w.target().delete(Kind::StatefulSet, &name, None).await;
        w.fail_on(r).await?;
    }
    Ok(())
}

/// The events about an object, oldest first, are exactly these lines (`<type> <reason> <message>`); a repeated event counts once.
#[then(expr = "the events recorded for {string} are:")]
async fn events_in_order(w: &mut StsWorld, step: &Step, involved: String) -> StepResult {
    let want: Vec<String> = super::objects::docstring(step)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let lines = |v: &View| -> Vec<String> {
        let mut events: Vec<_> = v
            .events
            .iter()
            .filter(|e| e.involved_object.name.as_deref() == Some(involved.as_str()))
            .collect();
        events.sort_by_key(|e| (e.first_timestamp.clone(), e.metadata.name.clone()));
        events
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    e.type_.as_deref().unwrap_or(""),
                    e.reason.as_deref().unwrap_or(""),
                    e.message.as_deref().unwrap_or("")
                )
            })
            .collect()
    };
    let what = format!("the events of {involved} to be {want:#?}");
    if let Err(e) = w
        .eventually(&what, &|v| lines(v) == want, DEFAULT_WAIT)
        .await
    {
        let view = w.view().await?;
        return Err(super::Failure(format!(
            "{e}\n\nevents seen: {:#?}",
            lines(&view)
        )));
    }
    Ok(())
}

/// In the timeline, every listed pod appeared before any of them was Running and Ready (nobody waited for a predecessor).
#[then(expr = "pods {pods} were all created before any of them was Running and Ready")]
async fn created_together(w: &mut StsWorld, pods: PodList) -> StepResult {
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let mut last_created = None;
    for p in &pods.0 {
        match first_row(&timeline, |r| &r.pod == p) {
            Some(i) => last_created = last_created.max(Some(i)),
            None => return Err(w.failure(format!("{p} was never created")).await),
        }
    }
    let first_ready = first_row(&timeline, |r| pods.0.contains(&r.pod) && row_ready(r));
    match (last_created, first_ready) {
        (Some(c), Some(r)) if c < r => Ok(()),
        (_, None) => Err(w.failure("none of the pods became Running and Ready").await),
        _ => Err(w
            .failure(format!(
                "one of {} became Running and Ready before all of them were created",
                pods.0.join(", ")
            ))
            .await),
    }
}

/// In the timeline, pod `later` shows no Terminating row before pod `earlier` is deleted (gone from the API).
#[then(expr = "pod {string} does not start terminating before {string} is gone")]
async fn terminates_after(w: &mut StsWorld, later: String, earlier: String) -> StepResult {
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let terminating = first_row(&timeline, |r| r.pod == later && r.status == "Terminating");
    let gone = first_row(&timeline, |r| r.pod == earlier && r.status == "(deleted)");
    match (terminating, gone) {
        (Some(t), Some(g)) if g < t => Ok(()),
        (None, _) => Err(w
            .failure(format!("{later} never started terminating"))
            .await),
        _ => Err(w
            .failure(format!(
                "{later} started terminating before {earlier} was gone"
            ))
            .await),
    }
}

/// Remembers which PersistentVolume the claim is bound to.
#[when(expr = "I note the volume of claim {string}")]
async fn note_volume(w: &mut StsWorld, claim: String) -> StepResult {
    let view = w.view().await?;
    match view
        .claim(&claim)
        .and_then(|c| c.spec.as_ref()?.volume_name.clone())
    {
        Some(volume) if !volume.is_empty() => {
            w.remembered.insert(format!("volume of {claim}"), volume);
            Ok(())
        }
        _ => Err(w
            .failure(format!("claim {claim} is not bound to a volume"))
            .await),
    }
}

/// The claim is still bound to the PersistentVolume noted earlier.
#[then(expr = "claim {string} is still bound to the same volume")]
async fn same_volume(w: &mut StsWorld, claim: String) -> StepResult {
    let noted = w
        .noted(
            &format!("volume of {claim}"),
            &format!("When I note the volume of claim \"{claim}\""),
        )
        .await?;
    let what = format!("claim {claim} bound to volume {noted}");
    w.now(&what, &|v| {
        !noted.is_empty()
            && v.claim(&claim)
                .and_then(|c| c.spec.as_ref()?.volume_name.clone())
                .as_deref()
                == Some(noted.as_str())
    })
    .await
}

/// The Service exists.
#[then(expr = "the Service {string} still exists")]
async fn service_exists(w: &mut StsWorld, name: String) -> StepResult {
    let what = format!("Service {name} to exist");
    w.now(&what, &|v| {
        v.services
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some(name.as_str()))
    })
    .await
}

/// Remembers the StatefulSet's resourceVersion.
#[when(expr = "I note the resourceVersion of the StatefulSet {string}")]
async fn note_resource_version(w: &mut StsWorld, set: String) -> StepResult {
    let view = w.view().await?;
    match view
        .set(&set)
        .and_then(|s| s.metadata.resource_version.clone())
    {
        Some(rv) => {
            w.remembered.insert(format!("resourceVersion of {set}"), rv);
            Ok(())
        }
        None => Err(w.failure(format!("StatefulSet {set} does not exist")).await),
    }
}

/// The StatefulSet keeps the noted resourceVersion for that long: nobody, the controller included, writes it.
#[then(expr = "the StatefulSet {string} is not written to for {seconds} second(s)")]
async fn not_written(w: &mut StsWorld, set: String, d: Seconds) -> StepResult {
    let noted = w
        .noted(
            &format!("resourceVersion of {set}"),
            &format!("When I note the resourceVersion of the StatefulSet \"{set}\""),
        )
        .await?;
    let what = format!("StatefulSet {set} to stay at resourceVersion {noted}");
    w.holds(
        &what,
        &|v| {
            v.set(&set)
                .and_then(|s| s.metadata.resource_version.as_deref())
                == Some(noted.as_str())
        },
        d.0,
    )
    .await
}

/// For that long, at every observed instant, `status.replicas` counts no pod that does not exist yet: whenever it rises it is at most the number of the set's pods. A status still counting a pod that is gone (the next sync's business; on a cluster a status follows the deletion) does not fail; on a cluster, where the set and its pods arrive on separate watches, a pod may show up to the target's timing tolerance after the status that counts it.
#[then(
    expr = "for {seconds} second(s) status.replicas of {string} never exceeds the number of its pods"
)]
async fn status_lags(w: &mut StsWorld, d: Seconds, set: String) -> StepResult {
    let what = format!("status.replicas of {set} ≤ the number of its pods");
    let judge = StatusJudge::new(w.target().timing_tolerance());
    w.holds(&what, &|v| judge.holds(v, &set), d.0).await
}

/// Judges `status.replicas` against the pods over successive views.
struct StatusJudge {
    /// The last `status.replicas` seen ([`NEVER`] before the first).
    last: AtomicI64,
    /// Since when (target nanoseconds) it has counted more pods than exist, if it has.
    ahead_since: AtomicI64,
    tolerance: i64,
}

impl StatusJudge {
    fn new(tolerance: std::time::Duration) -> StatusJudge {
        StatusJudge {
            last: AtomicI64::new(NEVER),
            ahead_since: AtomicI64::new(NEVER),
            tolerance: i64::try_from(tolerance.as_nanos()).unwrap_or(i64::MAX),
        }
    }

    fn holds(&self, v: &View, set: &str) -> bool {
        let now = i64::try_from(v.at.as_nanos()).unwrap_or(i64::MAX);
        if status_counts_no_future_pod(v, set, &self.last) {
            self.ahead_since.store(NEVER, Ordering::SeqCst);
            return true;
        }
        let since = match self.ahead_since.load(Ordering::SeqCst) {
            NEVER => {
                self.ahead_since.store(now, Ordering::SeqCst);
                now
            }
            since => since,
        };
        now.saturating_sub(since) <= self.tolerance && self.tolerance > 0
    }
}

/// No `status.replicas` seen yet.
const NEVER: i64 = i64::MIN;

/// Whether `status.replicas` of `set` is within its pods or has not risen since `last`
/// (which it then becomes).
fn status_counts_no_future_pod(v: &View, set: &str, last: &AtomicI64) -> bool {
    let replicas = v
        .set(set)
        .and_then(|s| s.status.as_ref())
        .map_or(0, |s| s.replicas);
    let within = usize::try_from(replicas).unwrap_or(0) <= v.pod_names_of(set).len();
    if within {
        last.store(i64::from(replicas), Ordering::SeqCst);
        return true;
    }
    // Ahead of the pods: fine only when it has not risen since the last judged view. The
    // high mark stays until the pods catch up, so a rise is judged until they do.
    let before = last.load(Ordering::SeqCst);
    before != NEVER && i64::from(replicas) <= before
}

/// Tries to create the tutorial's StatefulSet under that name with that many replicas (remembering the error).
#[when(expr = "I try to create the StatefulSet {string} with {int} replica(s)")]
async fn try_create_set(w: &mut StsWorld, name: String, replicas: i32) -> StepResult {
    let object = super::objects::stateful_set(&name, replicas, &json!({}))?;
    w.try_create(object).await;
    Ok(())
}

/// The revision exists and has no owner references.
#[then(expr = "revision {word} has no owner")]
async fn revision_no_owner(w: &mut StsWorld, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what = format!("revision {short} ({full}) without owner references");
    w.eventually(
        &what,
        &|v| {
            v.revision(&full).is_some_and(|r| {
                r.metadata
                    .owner_references
                    .as_ref()
                    .is_none_or(Vec::is_empty)
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// In the timeline, when pod `later` first shows Terminating, pod `earlier` (in its latest incarnation) is Running and Ready.
#[then(expr = "pod {string} does not start terminating before {string} is Running and Ready")]
async fn terminates_after_ready(w: &mut StsWorld, later: String, earlier: String) -> StepResult {
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let Some(t) = first_row(&timeline, |r| r.pod == later && r.status == "Terminating") else {
        return Err(w
            .failure(format!("{later} never started terminating"))
            .await);
    };
    let before = timeline.rows[..t].iter().rev().find(|r| r.pod == earlier);
    if before.is_some_and(row_ready) {
        Ok(())
    } else {
        Err(w
            .failure(format!(
                "{later} started terminating while {earlier} was not Running and Ready"
            ))
            .await)
    }
}

/// A StatefulSet with only the fields the API requires: name, serviceName `nginx`, selector `app=<name>` and a one-container template (everything else left to defaulting).
#[given(expr = "the StatefulSet {string} with only the required fields")]
#[when(expr = "I create the StatefulSet {string} with only the required fields")]
async fn minimal_set(w: &mut StsWorld, name: String) -> StepResult {
    let set = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {"serviceName": "nginx", "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}]}}}});
    let object =
        Object::from_json(Kind::StatefulSet, set).map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::StatefulSetStatus;
    use k8s_openapi::api::core::v1::Pod;
    use std::time::Duration;

    fn view(status_replicas: i32, pods: &[&str]) -> View {
        let mut set = crate::model::fixtures::web(3, json!({}));
        set.status = Some(StatefulSetStatus {
            replicas: status_replicas,
            ..StatefulSetStatus::default()
        });
        let pods = pods.iter().map(|name| {
            let mut pod = Pod::default();
            pod.metadata.name = Some((*name).to_owned());
            Object::Pod(Box::new(pod))
        });
        View::from_objects(std::iter::once(Object::StatefulSet(Box::new(set))).chain(pods))
    }

    #[test]
    fn a_status_counting_a_pod_before_it_exists_fails() {
        let last = AtomicI64::new(NEVER);
        assert!(status_counts_no_future_pod(
            &view(1, &["web-0"]),
            "web",
            &last
        ));
        assert!(!status_counts_no_future_pod(
            &view(2, &["web-0"]),
            "web",
            &last
        ));
        let first = AtomicI64::new(NEVER);
        assert!(!status_counts_no_future_pod(
            &view(3, &["web-0"]),
            "web",
            &first
        ));
    }

    #[test]
    fn on_a_cluster_the_pod_may_arrive_within_the_tolerance_after_the_status() {
        let judge = StatusJudge::new(Duration::from_millis(500));
        let at = |ms| Duration::from_millis(ms);
        assert!(judge.holds(&view(1, &["web-0"]).taken_at(at(0)), "web"));
        assert!(judge.holds(&view(2, &["web-0"]).taken_at(at(100)), "web"));
        assert!(judge.holds(&view(2, &["web-0", "web-1"]).taken_at(at(400)), "web"));
        assert!(judge.holds(&view(3, &["web-0", "web-1"]).taken_at(at(1000)), "web"));
        assert!(!judge.holds(&view(3, &["web-0", "web-1"]).taken_at(at(1600)), "web"));
        let exact = StatusJudge::new(Duration::ZERO);
        assert!(exact.holds(&view(1, &["web-0"]), "web"));
        assert!(!exact.holds(&view(2, &["web-0"]), "web"));
    }

    #[test]
    fn a_status_that_has_not_yet_seen_a_deletion_passes() {
        let last = AtomicI64::new(NEVER);
        assert!(status_counts_no_future_pod(
            &view(3, &["web-0", "web-1", "web-2"]),
            "web",
            &last
        ));
        assert!(status_counts_no_future_pod(
            &view(3, &["web-0", "web-1"]),
            "web",
            &last
        ));
        assert!(status_counts_no_future_pod(
            &view(2, &["web-0", "web-1"]),
            "web",
            &last
        ));
        assert!(!status_counts_no_future_pod(
            &view(3, &["web-0", "web-1"]),
            "web",
            &last
        ));
    }
}
