//! Steps about updates: template changes, partitions, strategies, which image and which
//! revision each pod runs, and ControllerRevisions (short names `rev1`, `rev2` … follow
//! creation order, as in the timeline).

use super::params::PodList;
use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::object::Kind;
use crate::targets::{Patch, View};
use cucumber::{then, when};
use serde_json::json;

fn image_of(view: &View, pod: &str) -> Option<String> {
    view.pod(pod)?
        .spec
        .as_ref()?
        .containers
        .first()?
        .image
        .clone()
}

impl StsWorld {
    /// The full revision name behind a short name (`rev2`); any other word is taken as a
    /// full name.
    pub async fn revision_name(&mut self, short: &str) -> Result<String, super::Failure> {
        let r = self.target().timeline().await;
        let timeline = self.fail_on(r).await?;
        if !short.starts_with("rev") {
            return Ok(short.to_owned());
        }
        match timeline.revisions.iter().find(|(_, s)| s == short) {
            Some((full, _)) => Ok(full.clone()),
            None => Err(self
                .failure(format!(
                    "no revision {short} has been seen in this scenario"
                ))
                .await),
        }
    }
}

/// Changes the image of the set's first container (a template change: a new revision).
#[when(expr = "I change the image of {string} to {string}")]
async fn change_image(w: &mut StsWorld, set: String, image: String) -> StepResult {
    let view = w.view().await?;
    let container = view
        .set(&set)
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.template.spec.as_ref())
        .and_then(|s| s.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "nginx".into());
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}});
    w.must_patch(Kind::StatefulSet, &set, Patch::Strategic(patch))
        .await
}

/// Sets `spec.updateStrategy.rollingUpdate.partition` (type RollingUpdate).
#[when(expr = "I set the partition of {string} to {int}")]
async fn set_partition(w: &mut StsWorld, set: String, partition: i32) -> StepResult {
    let patch = json!({"spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}}});
    w.must_patch(Kind::StatefulSet, &set, Patch::Strategic(patch))
        .await
}

/// Switches `spec.updateStrategy` to OnDelete (removing the rollingUpdate block).
#[when(expr = "I set the update strategy of {string} to OnDelete")]
async fn on_delete(w: &mut StsWorld, set: String) -> StepResult {
    let patch = json!({"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}}});
    w.must_patch(Kind::StatefulSet, &set, Patch::Merge(patch))
        .await
}

/// Now: the pod's first container runs that image.
#[then(expr = "pod {string} runs the image {string}")]
async fn runs_image(w: &mut StsWorld, pod: String, image: String) -> StepResult {
    let what = format!("pod {pod} running {image}");
    w.now(&what, &|v| {
        image_of(v, &pod).as_deref() == Some(image.as_str())
    })
    .await
}

/// Now: every named pod's first container runs that image.
#[then(expr = "pods {pods} run the image {string}")]
async fn pods_run_image(w: &mut StsWorld, pods: PodList, image: String) -> StepResult {
    let what = format!("pods {} running {image}", pods.0.join(", "));
    w.now(&what, &|v| {
        pods.0
            .iter()
            .all(|p| image_of(v, p).as_deref() == Some(image.as_str()))
    })
    .await
}

/// Waits until every named pod runs the image and is Running and Ready.
#[then(expr = "eventually pods {pods} run the image {string} and are Running and Ready")]
async fn eventually_image(w: &mut StsWorld, pods: PodList, image: String) -> StepResult {
    let what = format!("pods {} Running and Ready on {image}", pods.0.join(", "));
    w.eventually(
        &what,
        &|v| {
            pods.0
                .iter()
                .all(|p| image_of(v, p).as_deref() == Some(image.as_str()) && v.is_pod_ready(p))
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Now: every named pod carries that revision (short name `revN` or full name) in `controller-revision-hash`.
#[then(expr = "pods {pods} are at revision {word}")]
async fn pods_at_revision(w: &mut StsWorld, pods: PodList, short: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what = format!("pods {} at revision {short} ({full})", pods.0.join(", "));
    w.now(&what, &|v| {
        pods.0
            .iter()
            .all(|p| v.pod_revision(p) == Some(full.as_str()))
    })
    .await
}

/// Now: that many ControllerRevisions have a controller reference to a StatefulSet of that name.
#[then(expr = "the StatefulSet {string} has {int} revision(s)")]
async fn revision_count(w: &mut StsWorld, set: String, n: usize) -> StepResult {
    let what = format!("{n} ControllerRevisions of {set}");
    w.now(&what, &|v| {
        v.revisions
            .iter()
            .filter(|r| {
                r.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.controller == Some(true) && o.kind == "StatefulSet" && o.name == set)
            })
            .count()
            == n
    })
    .await
}

/// Now: the ControllerRevision's `.revision` is that number.
#[then(expr = "revision {word} has the number {int}")]
async fn revision_number(w: &mut StsWorld, short: String, number: i64) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what = format!("revision {short} ({full}) with .revision {number}");
    w.now(&what, &|v| {
        v.revision(&full).is_some_and(|r| r.revision == number)
    })
    .await
}

/// Now: the revision is named `<set>-<hash>`, labelled `controller.kubernetes.io/hash: <hash>` and controlled by the set.
#[then(expr = "revision {word} is named after {string} with a hash label")]
async fn revision_shape(w: &mut StsWorld, short: String, set: String) -> StepResult {
    let full = w.revision_name(&short).await?;
    let what =
        format!("revision {full} named {set}-<hash>, labelled with its hash and owned by {set}");
    w.now(&what, &|v| {
        let uid = v.set(&set).and_then(|s| s.metadata.uid.clone());
        v.revision(&full).is_some_and(|r| {
            let hash = r
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(crate::model::names::REVISION_HASH_LABEL))
                .cloned()
                .unwrap_or_default();
            full == format!("{set}-{hash}")
                && r.metadata.owner_references.iter().flatten().any(|o| {
                    Some(&o.uid) == uid.as_ref()
                        && o.controller == Some(true)
                        && o.block_owner_deletion == Some(true)
                })
        })
    })
    .await
}
