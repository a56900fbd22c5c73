//! Steps added for the rollout features (ordering, parallel, availability, rolling update,
//! partitions, maxUnavailable, OnDelete, forced rollback): orders read from the pod
//! timeline, readiness gaps between pods, bounds on how many pods are down at once, pod
//! uids, time-bounded status checks and pods that complete (phase Succeeded).

use super::incarnations::{first_creation, is_ready_row, last_recreation};
use super::params::{PodList, Seconds};
use super::{StepResult, StsWorld};
use crate::model::object::Kind;
use crate::targets::{Patch, View};
use crate::timeline::Timeline;
use cucumber::{given, then, when};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// Since when `pod` had been continuously Running and Ready just before row `until`.
fn ready_since(timeline: &Timeline, pod: &str, until: usize) -> Option<Duration> {
    let mut since = None;
    for row in timeline.rows[..until].iter().filter(|r| r.pod == pod) {
        since = match (is_ready_row(row), since) {
            (true, None) => Some(row.at),
            (true, kept) => kept,
            (false, _) => None,
        };
    }
    since
}

/// The precision of the API's `Time` fields (condition transitions among them).
const API_TIME_PRECISION: Duration = Duration::from_secs(1);

/// Checks that row `index` (an event of `later`) comes at least `gap` after `earlier`
/// became (and stayed) Running and Ready.
async fn after_ready(
    w: &mut StsWorld,
    timeline: &Timeline,
    index: Option<usize>,
    what: &str,
    earlier: &str,
    gap: Duration,
) -> StepResult {
    let Some(index) = index else {
        return Err(w.failure(format!("{what} never happened")).await);
    };
    let at = timeline.rows[index].at;
    // On a cluster the rows carry the times the watch saw them, not the server's; and the
    // API keeps a pod's Ready lastTransitionTime in whole seconds, so a controller that
    // waits out minReadySeconds from it (as upstream's, comparing with the exact now) may
    // act up to a second before `gap` has passed since the pod really turned ready.
    let tolerance = w.target().timing_tolerance()
        + if w.target().exact_timing() {
            Duration::ZERO
        } else {
            API_TIME_PRECISION
        };
    match ready_since(timeline, earlier, index) {
        Some(since) if since + gap <= at + tolerance => Ok(()),
        Some(since) => Err(w
            .failure(format!(
                "{what} at {at:?}, only {:?} after {earlier} became Running and Ready (wanted {gap:?})",
                at - since
            ))
            .await),
        None => Err(w
            .failure(format!(
                "{what} at {at:?} while {earlier} was not Running and Ready"
            ))
            .await),
    }
}

async fn timeline(w: &mut StsWorld) -> Result<Timeline, super::Failure> {
    let r = w.target().timeline().await;
    w.fail_on(r).await
}

/// In-range pods of `set` (by `spec.ordinals.start` and `spec.replicas`) that are missing,
/// not Running and Ready, or terminating.
fn down(view: &View, set: &str) -> usize {
    let Some(spec) = view.set(set).and_then(|s| s.spec.as_ref()) else {
        return 0;
    };
    let start = spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0);
    let replicas = spec.replicas.unwrap_or(1);
    (start..start + replicas)
        .filter(|o| !view.is_pod_ready(&format!("{set}-{o}")))
        .count()
}

/// One status count of the set (`readyReplicas` …; an omitted count is 0, as the API
/// omits zero counts); `None` when the set or its status does not exist.
fn status_count(view: &View, set: &str, field: &str) -> Option<i64> {
    let set = view.set(set)?;
    set.status.as_ref()?;
    super::status::field(set, field)?.parse().ok()
}

impl StsWorld {
    /// The uids noted for `pods`, failing on the first pod whose uid nobody noted.
    async fn noted_uids(
        &mut self,
        pods: &PodList,
    ) -> Result<Vec<(String, String)>, super::Failure> {
        let mut out = Vec::new();
        for p in &pods.0 {
            let uid = self
                .noted(
                    p,
                    &format!("When I note the uids of pods {}", pods.0.join(", ")),
                )
                .await?;
            out.push((p.clone(), uid));
        }
        Ok(out)
    }
}

/// The pods were created again (after being deleted) in exactly this order, read from the pod timeline.
#[then(expr = "pods {pods} were recreated in that order")]
async fn recreated_in_order(w: &mut StsWorld, pods: PodList) -> StepResult {
    let timeline = timeline(w).await?;
    let mut deleted = std::collections::BTreeSet::new();
    let mut order = Vec::new();
    for row in &timeline.rows {
        if row.status == "(deleted)" {
            deleted.insert(row.pod.clone());
        } else if deleted.remove(&row.pod) && pods.0.contains(&row.pod) {
            order.push(row.pod.clone());
        }
    }
    if order == pods.0 {
        return Ok(());
    }
    let msg = format!("expected re-creations {:?}, saw {order:?}", pods.0);
    Err(w.failure(msg).await)
}

/// The first creation of the first pod came only after the second had been Running and Ready (continuously) that long.
#[then(expr = "pod {string} is created only after {string} has been Ready for {seconds} second(s)")]
async fn created_after_ready(
    w: &mut StsWorld,
    later: String,
    earlier: String,
    gap: Seconds,
) -> StepResult {
    let timeline = timeline(w).await?;
    let index = first_creation(&timeline, &later);
    let what = format!("the creation of {later}");
    after_ready(w, &timeline, index, &what, &earlier, gap.0).await
}

/// The last re-creation of the first pod (after it was deleted) came only after the second had been Running and Ready (continuously) that long; fails if the first pod was never re-created.
#[then(
    expr = "pod {string} is re-created only after {string} has been Ready for {seconds} second(s)"
)]
async fn recreated_after_ready(
    w: &mut StsWorld,
    later: String,
    earlier: String,
    gap: Seconds,
) -> StepResult {
    let timeline = timeline(w).await?;
    let index = last_recreation(&timeline, &later);
    let what = format!("the re-creation of {later}");
    after_ready(w, &timeline, index, &what, &earlier, gap.0).await
}

/// The first pod's first deletion (Terminating) began only after the second had been Running and Ready that long.
#[then(expr = "pod {string} is deleted only after {string} has been Ready for {seconds} second(s)")]
async fn terminating_after_ready(
    w: &mut StsWorld,
    later: String,
    earlier: String,
    gap: Seconds,
) -> StepResult {
    let timeline = timeline(w).await?;
    let index = timeline
        .rows
        .iter()
        .position(|r| r.pod == later && (r.status == "Terminating" || r.status == "(deleted)"));
    let what = format!("the deletion of {later}");
    after_ready(w, &timeline, index, &what, &earlier, gap.0).await
}

/// For that long, at most N in-range pods of the set are down (missing, not Running and Ready, or terminating) at once.
#[then(expr = "at most {int} pod(s) of {string} is/are down at any time for {seconds} second(s)")]
async fn at_most_down(w: &mut StsWorld, n: usize, set: String, d: Seconds) -> StepResult {
    let what = format!("at most {n} pods of {set} down");
    w.holds(&what, &|v| down(v, &set) <= n, d.0).await
}

/// The most pods of `set` that were down at once anywhere in the timeline, and when: a pod
/// counts from its first Running-and-Ready row on, as down whenever its latest row is not
/// Running and Ready (not ready, terminating, deleted and not yet back). Rows of one
/// instant are read together, as a watch client sees them settle.
fn most_down(timeline: &Timeline, set: &str) -> (usize, Duration) {
    let mut state: BTreeMap<&str, (bool, bool)> = BTreeMap::new(); // (was ever ready, ready now)
    let mut worst = (0, Duration::ZERO);
    let rows = &timeline.rows;
    for (i, row) in rows.iter().enumerate() {
        if crate::model::oracle::ordinal_in(set, &row.pod).is_none() {
            continue;
        }
        let ready = is_ready_row(row);
        let entry = state.entry(row.pod.as_str()).or_insert((false, false));
        *entry = (entry.0 || ready, ready);
        let end_of_instant = rows.get(i + 1).is_none_or(|next| next.at != row.at);
        if end_of_instant {
            let down = state.values().filter(|(ever, now)| *ever && !*now).count();
            if down > worst.0 {
                worst = (down, row.at);
            }
        }
    }
    worst
}

/// Over the whole timeline, never more than N pods of the set that had been Running and Ready were down at once (not ready, terminating, or deleted and not yet back); pods still coming up for the first time do not count, a pod scaled away for good counts from its deletion on.
#[then(expr = "at most {int} pod(s) of {string} is/are unavailable at any time")]
async fn at_most_unavailable(w: &mut StsWorld, n: usize, set: String) -> StepResult {
    let timeline = timeline(w).await?;
    let (most, at) = most_down(&timeline, &set);
    if most <= n {
        Ok(())
    } else {
        Err(w
            .failure(format!(
                "expected at most {n} pods of {set} unavailable at once, {most} were at {at:?}"
            ))
            .await)
    }
}

/// Remembers the uids of the pods for later "keep/have new uids" steps.
#[when(expr = "I note the uids of pods {pods}")]
async fn note_uids(w: &mut StsWorld, pods: PodList) -> StepResult {
    let view = w.view().await?;
    for pod in pods.0 {
        match view.pod(&pod).and_then(|p| p.metadata.uid.clone()) {
            Some(uid) => {
                w.remembered.insert(pod, uid);
            }
            None => return Err(w.failure(format!("pod {pod} does not exist")).await),
        }
    }
    Ok(())
}

/// For that long, every named pod exists with the uid noted earlier (none is replaced).
#[then(expr = "pods {pods} keep their uids for {seconds} second(s)")]
async fn keep_uids(w: &mut StsWorld, pods: PodList, d: Seconds) -> StepResult {
    let noted = w.noted_uids(&pods).await?;
    let what = format!("pods {} to keep their uids", pods.0.join(", "));
    let same = |v: &View| {
        noted.iter().all(|(p, uid)| {
            v.pod(p)
                .is_some_and(|x| x.metadata.uid.as_deref() == Some(uid.as_str()))
        })
    };
    w.holds(&what, &same, d.0).await
}

/// Now: every named pod exists with a uid other than the one noted earlier (it was replaced).
#[then(expr = "pods {pods} have new uids")]
async fn new_uids(w: &mut StsWorld, pods: PodList) -> StepResult {
    let noted = w.noted_uids(&pods).await?;
    let what = format!("pods {} with new uids", pods.0.join(", "));
    w.now(&what, &|v| {
        noted.iter().all(|(p, uid)| {
            v.pod(p)
                .is_some_and(|x| x.metadata.uid.as_deref() != Some(uid.as_str()))
        })
    })
    .await
}

/// Waits at most that long for one status count of the set (`availableReplicas` …) to reach the value.
#[then(expr = "within {seconds} second(s) the status of {string} has {word} {int}")]
#[given(expr = "within {seconds} second(s) the status of {string} has {word} {int}")]
async fn status_within(
    w: &mut StsWorld,
    d: Seconds,
    set: String,
    field: String,
    value: i64,
) -> StepResult {
    if !super::status::COUNTS.contains(&field.as_str()) {
        return Err(super::Failure(format!(
            "unknown status count {field:?}: use one of {}",
            super::status::COUNTS.join(", ")
        )));
    }
    let what = format!("{set} status {field} = {value}");
    w.eventually(
        &what,
        &|v| status_count(v, &set, &field) == Some(value),
        d.0,
    )
    .await
}

/// The pod's containers exit 0 and it reaches phase Succeeded (as after a node shutdown).
#[when(expr = "pod {string} completes")]
async fn completes(w: &mut StsWorld, pod: String) -> StepResult {
    let view = w.view().await?;
    let containers: Vec<serde_json::Value> = view
        .pod(&pod)
        .and_then(|p| p.spec.as_ref())
        .map(|s| {
            s.containers
                .iter()
                .map(|c| {
                    json!({"name": c.name, "image": c.image, "imageID": "", "ready": false,
                    "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}})
                })
                .collect()
        })
        .unwrap_or_default();
    let status = json!({"status": {"phase": "Succeeded", "containerStatuses": containers,
        "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"},
                       {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"}]}});
    let r = w
        .target()
        .patch(Kind::Pod, &pod, Patch::Merge(status), true)
        .await;
    w.fail_on(r).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::incarnations::tests::timeline;

    #[test]
    fn three_pods_deleted_at_once_are_three_down() {
        let t = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (0, "web-1", "0/1", "Pending"),
            (0, "web-2", "0/1", "Pending"),
            (2, "web-0", "1/1", "Running"),
            (2, "web-1", "1/1", "Running"),
            (2, "web-2", "1/1", "Running"),
            (3, "web-2", "1/1", "Terminating"),
            (3, "web-1", "1/1", "Terminating"),
            (3, "web-0", "1/1", "Terminating"),
            (4, "web-2", "0/1", "(deleted)"),
            (4, "web-2", "0/1", "Pending"),
            (6, "web-2", "1/1", "Running"),
        ]);
        assert_eq!(most_down(&t, "web"), (3, Duration::from_secs(3)));
        assert_eq!(most_down(&t, "db"), (0, Duration::ZERO));
    }

    #[test]
    fn one_at_a_time_is_one_down_and_first_start_up_is_not_down() {
        let t = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (0, "web-1", "0/1", "Pending"),
            (2, "web-0", "1/1", "Running"),
            (2, "web-1", "1/1", "Running"),
            (3, "web-1", "1/1", "Terminating"),
            (4, "web-1", "0/1", "(deleted)"),
            (4, "web-1", "0/1", "Pending"),
            (6, "web-1", "1/1", "Running"),
            (6, "web-0", "1/1", "Terminating"),
            (7, "web-0", "0/1", "(deleted)"),
            (7, "web-0", "0/1", "Pending"),
            (9, "web-0", "1/1", "Running"),
        ]);
        assert_eq!(most_down(&t, "web"), (1, Duration::from_secs(3)));
    }
}
