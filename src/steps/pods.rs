//! Steps about pods: creation order, readiness, the exact pod set, identity (names,
//! labels, hostnames, owners), faults (readiness, failure, eviction) and time passing.

use super::incarnations::{first_creation, first_ready};
use super::params::{PodList, Seconds};
use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::names::POD_NAME_LABEL;
use crate::model::pod_state::is_running_and_ready;
use crate::targets::View;
use crate::timeline::Timeline;
use cucumber::{given, then, when};

impl StsWorld {
    /// What an earlier "I note …" step remembered under `key`. A check against a note
    /// nobody took fails here, instead of comparing with an empty string.
    pub(super) async fn noted(
        &mut self,
        key: &str,
        note_step: &str,
    ) -> Result<String, super::Failure> {
        match self.remembered.get(key) {
            Some(value) if !value.is_empty() => Ok(value.clone()),
            _ => Err(self
                .failure(format!(
                    "nothing was noted for {key}: add \"{note_step}\" before this step"
                ))
                .await),
        }
    }
}

fn exactly(view: &View, names: &[String]) -> bool {
    let mut have: Vec<&str> = view
        .pods
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    have.sort();
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    want.sort();
    have == want
}

fn all_ready(view: &View, names: &[String]) -> bool {
    names.iter().all(|n| view.is_pod_ready(n))
}

/// Whether `pods` first became Running and Ready one after another, in the order given:
/// each first Ready row strictly later in time than the previous pod's (pods that become
/// Ready at the same instant, as a Parallel controller's do, are not "in order").
fn ready_order(timeline: &Timeline, pods: &[String]) -> Result<(), String> {
    let mut previous: Option<(&str, std::time::Duration)> = None;
    for pod in pods {
        let Some(row) = first_ready(timeline, pod).map(|i| &timeline.rows[i]) else {
            return Err(format!("{pod} never became Running and Ready"));
        };
        if let Some((before, at)) = previous
            && row.at <= at
        {
            return Err(format!(
                "{pod} became Running and Ready at {:?}, not after {before} (at {at:?})",
                row.at
            ));
        }
        previous = Some((pod, row.at));
    }
    Ok(())
}

/// Whether `pods` were first created in the order given.
fn creation_order(timeline: &Timeline, pods: &[String]) -> Result<(), String> {
    let mut firsts: Vec<(usize, &String)> = Vec::new();
    for pod in pods {
        match first_creation(timeline, pod) {
            Some(i) => firsts.push((i, pod)),
            None => return Err(format!("{pod} was never created")),
        }
    }
    firsts.sort();
    let seen: Vec<&String> = firsts.into_iter().map(|(_, p)| p).collect();
    if seen.iter().copied().eq(pods.iter()) {
        Ok(())
    } else {
        Err(format!("expected creation order {pods:?}, saw {seen:?}"))
    }
}

/// Waits until all are Running and Ready, and checks they were first created, and first became Running and Ready, one after another in that order.
#[then(expr = "pods {pods} become Running and Ready in that order")]
async fn ready_in_order(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!("pods {} to be Running and Ready", pods.0.join(", "));
    w.eventually(&what, &|v| all_ready(v, &pods.0), DEFAULT_WAIT)
        .await?;
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let verdict = creation_order(&timeline, &pods.0).and_then(|()| ready_order(&timeline, &pods.0));
    w.checked(verdict).await
}

/// Waits until every named pod is Running and Ready.
#[then(expr = "pods {pods} become Running and Ready")]
#[given(expr = "pods {pods} are Running and Ready")]
async fn become_ready(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!("pods {} to be Running and Ready", pods.0.join(", "));
    w.eventually(&what, &|v| all_ready(v, &pods.0), DEFAULT_WAIT)
        .await
}

/// Waits at most that long for every named pod to be Running and Ready.
#[then(expr = "within {seconds} second(s) pods {pods} are Running and Ready")]
async fn ready_within(w: &mut StsWorld, within: Seconds, pods: PodList) -> StepResult {
    let what = format!("pods {} to be Running and Ready", pods.0.join(", "));
    w.eventually(&what, &|v| all_ready(v, &pods.0), within.0)
        .await
}

/// Now: exactly these pods exist (terminating ones count).
#[then(expr = "the pods are {pods}")]
async fn pods_are(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!("exactly the pods {}", pods.0.join(", "));
    w.now(&what, &|v| exactly(v, &pods.0)).await
}

/// Now: no pod exists in the namespace.
#[then(expr = "there are no pods")]
async fn no_pods(w: &mut StsWorld) -> StepResult {
    w.now("no pods", &|v| v.pods.is_empty()).await
}

/// Waits until exactly these pods exist (terminating ones count).
#[then(expr = "eventually the pods are {pods}")]
async fn eventually_pods_are(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!("exactly the pods {}", pods.0.join(", "));
    w.eventually(&what, &|v| exactly(v, &pods.0), DEFAULT_WAIT)
        .await
}

/// Waits until no pod exists in the namespace.
#[then(expr = "eventually there are no pods")]
async fn eventually_no_pods(w: &mut StsWorld) -> StepResult {
    w.eventually("no pods", &|v| v.pods.is_empty(), DEFAULT_WAIT)
        .await
}

/// Waits until exactly these pods exist and all are Running and Ready.
#[then(expr = "eventually the pods are {pods}, all Running and Ready")]
async fn eventually_pods_ready(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!(
        "exactly the pods {}, all Running and Ready",
        pods.0.join(", ")
    );
    w.eventually(
        &what,
        &|v| exactly(v, &pods.0) && all_ready(v, &pods.0),
        DEFAULT_WAIT,
    )
    .await
}

/// For that long, exactly these pods exist (nothing created, nothing removed).
#[then(expr = "the pods stay {pods} for {seconds} second(s)")]
async fn pods_stay(w: &mut StsWorld, pods: PodList, duration: Seconds) -> StepResult {
    let what = format!("exactly the pods {}", pods.0.join(", "));
    w.holds(&what, &|v| exactly(v, &pods.0), duration.0).await
}

/// In the timeline, the first pod's first creation comes only after the second first shows Running with all containers ready.
#[then(expr = "pod {string} is not created before {string} is Running and Ready")]
async fn not_before(w: &mut StsWorld, later: String, earlier: String) -> StepResult {
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let created = first_creation(&timeline, &later);
    let ready = first_ready(&timeline, &earlier);
    match (created, ready) {
        (Some(c), Some(r)) if r < c => Ok(()),
        (None, _) => Err(w.failure(format!("{later} was never created")).await),
        _ => Err(w
            .failure(format!(
                "{later} appeared before {earlier} was Running and Ready"
            ))
            .await),
    }
}

/// In the timeline, these pods were deleted in exactly this order.
#[then(expr = "pods were deleted in the order {pods}")]
async fn deleted_in_order(w: &mut StsWorld, pods: PodList) -> StepResult {
    let r = w.target().timeline().await;
    let timeline = w.fail_on(r).await?;
    let deleted: Vec<String> = timeline
        .rows
        .iter()
        .filter(|r| r.status == "(deleted)" && pods.0.contains(&r.pod))
        .map(|r| r.pod.clone())
        .collect();
    if deleted != pods.0 {
        return Err(w
            .failure(format!(
                "expected deletions {:?}, saw {:?}",
                pods.0, deleted
            ))
            .await);
    }
    Ok(())
}

/// Waits until all named pods are terminating at once (no one-at-a-time ordering).
#[then(expr = "pods {pods} are terminating at the same time")]
async fn terminating_together(w: &mut StsWorld, pods: PodList) -> StepResult {
    let what = format!("pods {} all terminating at once", pods.0.join(", "));
    w.eventually(
        &what,
        &|v| {
            pods.0.iter().all(|n| {
                v.pod(n)
                    .is_some_and(|p| p.metadata.deletion_timestamp.is_some())
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// For that long, never more than N pods have a deletionTimestamp at once.
#[then(expr = "at most {int} pod(s) is/are terminating at any time for {seconds} second(s)")]
async fn at_most_terminating(w: &mut StsWorld, n: usize, duration: Seconds) -> StepResult {
    let what = format!("at most {n} terminating pods");
    w.holds(
        &what,
        &|v| {
            v.pods
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_some())
                .count()
                <= n
        },
        duration.0,
    )
    .await
}

/// Makes the pod's readiness check fail (it stays Running, Ready=False), also for later pods of that name.
#[when(expr = "pod {string} fails its readiness check")]
#[given(expr = "pod {string} fails its readiness check")]
async fn unready(w: &mut StsWorld, pod: String) -> StepResult {
    let r = w.target().set_pod_readiness(&pod, false).await;
    w.fail_on(r).await
}

/// Lets the pod's readiness check pass again.
#[when(expr = "pod {string} passes its readiness check again")]
async fn ready_again(w: &mut StsWorld, pod: String) -> StepResult {
    let r = w.target().set_pod_readiness(&pod, true).await;
    w.fail_on(r).await
}

/// Makes the readiness checks of several pods fail.
#[when(expr = "pods {pods} fail their readiness checks")]
async fn unready_many(w: &mut StsWorld, pods: PodList) -> StepResult {
    let r = w.target().set_pods_readiness(&pods.0, false).await;
    w.fail_on(r).await
}

/// Lets the readiness checks of several pods pass again.
#[when(expr = "pods {pods} pass their readiness checks again")]
async fn ready_many(w: &mut StsWorld, pods: PodList) -> StepResult {
    let r = w.target().set_pods_readiness(&pods.0, true).await;
    w.fail_on(r).await
}

/// Waits until the pod is not Running and Ready.
#[then(expr = "pod {string} becomes not ready")]
async fn becomes_unready(w: &mut StsWorld, pod: String) -> StepResult {
    let what = format!("{pod} to be not ready");
    w.eventually(
        &what,
        &|v| v.pod(&pod).is_some_and(|p| !is_running_and_ready(p)),
        DEFAULT_WAIT,
    )
    .await
}

/// Makes the pod's containers exit with an error: phase Failed.
#[when(expr = "pod {string} fails")]
async fn fail(w: &mut StsWorld, pod: String) -> StepResult {
    let r = w.target().fail_pod(&pod).await;
    w.fail_on(r).await
}

/// Evicts the pod as node pressure does: phase Failed, reason Evicted.
#[when(expr = "pod {string} is evicted")]
async fn evict(w: &mut StsWorld, pod: String) -> StepResult {
    let r = w.target().evict_pod(&pod).await;
    w.fail_on(r).await
}

/// Lets that much time pass (virtual time on the reference cluster).
#[when(expr = "{seconds} second(s) pass")]
async fn time_passes(w: &mut StsWorld, d: Seconds) -> StepResult {
    w.holds("time passing", &|_| true, d.0).await
}

/// Remembers the pod's uid, for later "new uid" / "keeps its uid" checks.
#[when(expr = "I note the uid of pod {string}")]
async fn note_uid(w: &mut StsWorld, pod: String) -> StepResult {
    let view = w.view().await?;
    match view.pod(&pod).and_then(|p| p.metadata.uid.clone()) {
        Some(uid) => {
            w.remembered.insert(pod, uid);
            Ok(())
        }
        None => Err(w.failure(format!("pod {pod} does not exist")).await),
    }
}

/// Waits until a pod of that name exists with a uid other than the one noted.
#[then(expr = "pod {string} has a new uid")]
async fn new_uid(w: &mut StsWorld, pod: String) -> StepResult {
    let old = w
        .noted(&pod, &format!("When I note the uid of pod \"{pod}\""))
        .await?;
    let what = format!("pod {pod} to exist with a uid other than {old}");
    w.eventually(
        &what,
        &|v| {
            v.pod(&pod)
                .is_some_and(|p| p.metadata.uid.as_deref() != Some(old.as_str()))
        },
        DEFAULT_WAIT,
    )
    .await
}

/// For that long, the pod keeps the uid noted earlier (nobody replaced it).
#[then(expr = "pod {string} keeps its uid for {seconds} second(s)")]
async fn same_uid(w: &mut StsWorld, pod: String, d: Seconds) -> StepResult {
    let old = w
        .noted(&pod, &format!("When I note the uid of pod \"{pod}\""))
        .await?;
    let what = format!("pod {pod} to keep uid {old}");
    w.holds(
        &what,
        &|v| {
            v.pod(&pod)
                .is_some_and(|p| p.metadata.uid.as_deref() == Some(old.as_str()))
        },
        d.0,
    )
    .await
}

/// Now: the pod carries the label with that value.
#[then(expr = "pod {string} has the label {string} with value {string}")]
async fn has_label(w: &mut StsWorld, pod: String, key: String, value: String) -> StepResult {
    let what = format!("pod {pod} to have label {key}={value}");
    w.now(&what, &|v| {
        v.pod(&pod)
            .and_then(|p| p.metadata.labels.as_ref())
            .and_then(|l| l.get(&key))
            .is_some_and(|x| *x == value)
    })
    .await
}

/// Now: `spec.hostname` and `spec.subdomain` of the pod are as given.
#[then(expr = "pod {string} has the hostname {string} and the subdomain {string}")]
async fn has_hostname(
    w: &mut StsWorld,
    pod: String,
    hostname: String,
    subdomain: String,
) -> StepResult {
    let what = format!("pod {pod} with hostname {hostname} and subdomain {subdomain}");
    w.now(&what, &|v| {
        v.pod(&pod).and_then(|p| p.spec.as_ref()).is_some_and(|s| {
            s.hostname.as_deref() == Some(hostname.as_str())
                && s.subdomain.as_deref().unwrap_or("") == subdomain
        })
    })
    .await
}

/// Now: every pod of the set carries `statefulset.kubernetes.io/pod-name: <its name>` and `apps.kubernetes.io/pod-index: <its ordinal>`.
#[then(
    expr = "every pod of {string} carries its own name in the pod-name label and its ordinal in the pod-index label"
)]
async fn identity_labels(w: &mut StsWorld, set: String) -> StepResult {
    let what = format!("identity labels on every pod of {set}");
    w.now(&what, &|v| {
        let names = v.pod_names_of(&set);
        !names.is_empty()
            && names.iter().all(|n| {
                let labels = v
                    .pod(n)
                    .and_then(|p| p.metadata.labels.clone())
                    .unwrap_or_default();
                let ordinal = n.rsplit('-').next().unwrap_or("");
                labels.get(POD_NAME_LABEL) == Some(n)
                    && labels
                        .get(crate::model::names::POD_INDEX_LABEL)
                        .map(String::as_str)
                        == Some(ordinal)
            })
    })
    .await
}

/// Waits until the pod's only ownerReference is a controller reference to the set (apps/v1, uid, blockOwnerDeletion).
#[then(expr = "pod {string} is controlled by the StatefulSet {string}")]
async fn controlled_by(w: &mut StsWorld, pod: String, set: String) -> StepResult {
    let what = format!("pod {pod} with a controller reference to StatefulSet {set}");
    w.eventually(
        &what,
        &|v| {
            v.is_sole_controller_ref_to_set(
                v.pod(&pod)
                    .and_then(|p| p.metadata.owner_references.as_deref()),
                &set,
            )
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Waits until the pod exists without ownerReferences (orphaned or released).
#[then(expr = "pod {string} has no owner")]
async fn no_owner(w: &mut StsWorld, pod: String) -> StepResult {
    let what = format!("pod {pod} to exist without owner references");
    w.eventually(
        &what,
        &|v| {
            v.pod(&pod).is_some_and(|p| {
                p.metadata
                    .owner_references
                    .as_ref()
                    .is_none_or(Vec::is_empty)
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Waits until the pod's STATUS column (as `kubectl get pods` prints it) reads as given.
#[then(expr = "pod {string} has the status {string}")]
async fn pod_status(w: &mut StsWorld, pod: String, status: String) -> StepResult {
    let what = format!("pod {pod} showing STATUS {status}");
    w.eventually(
        &what,
        &|v| {
            v.pod(&pod)
                .is_some_and(|p| crate::timeline::printer::pod_status(p) == status)
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Sets the pod's `app` label to `released` (other labels stay), so an `app=…` selector stops matching it.
#[when(expr = "I remove the labels of pod {string}")]
async fn relabel(w: &mut StsWorld, pod: String) -> StepResult {
    let patch = serde_json::json!({"metadata": {"labels": {"app": "released"}}});
    w.must_patch(
        crate::model::object::Kind::Pod,
        &pod,
        crate::targets::Patch::Merge(patch),
    )
    .await
}

/// Sets one label (`key=value`) on a pod again.
#[when(expr = "I restore the label {string} of pod {string}")]
async fn restore_label(w: &mut StsWorld, label: String, pod: String) -> StepResult {
    let (k, v) = label.split_once('=').unwrap_or((label.as_str(), ""));
    let patch = serde_json::json!({"metadata": {"labels": {k: v}}});
    w.must_patch(
        crate::model::object::Kind::Pod,
        &pod,
        crate::targets::Patch::Merge(patch),
    )
    .await
}

/// Creates a bare pod (no owner) with one label `key=value`.
#[given(expr = "an orphan pod {string} labelled {string}")]
async fn orphan_pod(w: &mut StsWorld, name: String, label: String) -> StepResult {
    let (k, v) = label.split_once('=').unwrap_or(("app", label.as_str()));
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {k: v}},
        "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}]}});
    let object = crate::model::object::Object::from_json(crate::model::object::Kind::Pod, pod)
        .map_err(|e| super::Failure(e.to_string()))?;
    w.must_create(object).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::incarnations::tests::timeline;

    fn names(pods: &[&str]) -> Vec<String> {
        pods.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn pods_ready_at_the_same_instant_are_not_ready_in_order() {
        let parallel = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (0, "web-1", "0/1", "Pending"),
            (2, "web-0", "1/1", "Running"),
            (2, "web-1", "1/1", "Running"),
        ]);
        let pods = names(&["web-0", "web-1"]);
        assert!(creation_order(&parallel, &pods).is_ok());
        assert!(ready_order(&parallel, &pods).is_err());
    }

    #[test]
    fn a_later_pod_ready_first_is_out_of_order_even_if_created_in_order() {
        let t = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (0, "web-1", "0/1", "Pending"),
            (2, "web-1", "1/1", "Running"),
            (5, "web-0", "1/1", "Running"),
        ]);
        assert!(ready_order(&t, &names(&["web-0", "web-1"])).is_err());
        assert!(ready_order(&t, &names(&["web-1", "web-0"])).is_ok());
    }

    #[test]
    fn ordered_ready_pods_pass_and_a_re_creation_does_not_reorder_first_creations() {
        let t = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (2, "web-0", "1/1", "Running"),
            (2, "web-1", "0/1", "Pending"),
            (4, "web-1", "1/1", "Running"),
            (5, "web-0", "0/1", "(deleted)"),
            (5, "web-0", "0/1", "Pending"),
        ]);
        let pods = names(&["web-0", "web-1"]);
        assert!(creation_order(&t, &pods).is_ok());
        assert!(ready_order(&t, &pods).is_ok());
        assert!(creation_order(&t, &names(&["web-1", "web-0"])).is_err());
        assert!(ready_order(&t, &names(&["web-0", "web-2"])).is_err());
    }
}
