//! Steps about `.status` and the `/scale` subresource: counts, revisions (by short name),
//! observedGeneration, and waits on status values.

use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::targets::View;
use cucumber::gherkin::Step;
use cucumber::then;
use k8s_openapi::api::apps::v1::StatefulSet;

/// The status counts a step may name (an omitted count reads as 0, as the API omits zeros).
pub(super) const COUNTS: &[&str] = &[
    "replicas",
    "readyReplicas",
    "availableReplicas",
    "currentReplicas",
    "updatedReplicas",
    "observedGeneration",
    "collisionCount",
    "generation",
    "conditions",
];

/// Reads one status (or generation) field of a set as text; counts default to 0, an
/// unknown field or an unset revision is `None`.
pub(super) fn field(set: &StatefulSet, name: &str) -> Option<String> {
    let s = set.status.clone().unwrap_or_default();
    let n = |v: Option<i32>| Some(v.unwrap_or(0).to_string());
    match name {
        "replicas" => Some(s.replicas.to_string()),
        "readyReplicas" => n(s.ready_replicas),
        "availableReplicas" => n(s.available_replicas),
        "currentReplicas" => n(s.current_replicas),
        "updatedReplicas" => n(s.updated_replicas),
        "currentRevision" => s.current_revision,
        "updateRevision" => s.update_revision,
        "observedGeneration" => Some(s.observed_generation.unwrap_or(0).to_string()),
        "collisionCount" => Some(s.collision_count.unwrap_or(0).to_string()),
        "generation" => Some(set.metadata.generation.unwrap_or(0).to_string()),
        "conditions" => Some(s.conditions.map_or(0, |c| c.len()).to_string()),
        _ => None,
    }
}

impl StsWorld {
    /// The expected (field, value) pairs of a two-column table, short revision names resolved.
    async fn expected_status(
        &mut self,
        step: &Step,
    ) -> Result<Vec<(String, String)>, super::Failure> {
        let table = step.table.as_ref().ok_or_else(|| {
            super::Failure(format!(
                "the step \"{}\" needs a table | field | value |",
                step.value
            ))
        })?;
        let mut out = Vec::new();
        for row in &table.rows {
            let (Some(k), Some(v)) = (row.first(), row.get(1)) else {
                continue;
            };
            if k == "field" {
                continue;
            }
            let v = if k.ends_with("Revision") {
                self.revision_name(v).await?
            } else {
                v.clone()
            };
            out.push((k.clone(), v));
        }
        Ok(out)
    }
}

fn status_matches(view: &View, set: &str, expected: &[(String, String)]) -> bool {
    view.set(set).is_some_and(|s| {
        expected
            .iter()
            .all(|(k, v)| field(s, k).as_deref() == Some(v.as_str()))
    })
}

/// Now: every `| field | value |` row of the table matches the set's status (revisions by short name).
#[then(expr = "the status of {string} is:")]
async fn status_is(w: &mut StsWorld, step: &Step, set: String) -> StepResult {
    let expected = w.expected_status(step).await?;
    let what = format!("status of {set} to be {expected:?}");
    w.now(&what, &|v| status_matches(v, &set, &expected)).await
}

/// Waits until every `| field | value |` row of the table matches the set's status (revisions by short name).
#[then(expr = "eventually the status of {string} is:")]
async fn eventually_status_is(w: &mut StsWorld, step: &Step, set: String) -> StepResult {
    let expected = w.expected_status(step).await?;
    let what = format!("status of {set} to be {expected:?}");
    w.eventually(&what, &|v| status_matches(v, &set, &expected), DEFAULT_WAIT)
        .await
}

/// For that long, every row of the table keeps matching the status.
#[then(expr = "the status of {string} stays as follows for {seconds} second(s):")]
async fn status_stays(w: &mut StsWorld, step: &Step, set: String, d: super::Seconds) -> StepResult {
    let expected = w.expected_status(step).await?;
    let what = format!("status of {set} to stay {expected:?}");
    w.holds(&what, &|v| status_matches(v, &set, &expected), d.0)
        .await
}

/// Now: one status field (e.g. `readyReplicas`) has that value.
#[then(expr = "the status of {string} has {word} {int}")]
async fn status_field(w: &mut StsWorld, set: String, name: String, value: i64) -> StepResult {
    if !COUNTS.contains(&name.as_str()) {
        return Err(super::Failure(format!(
            "unknown status count {name:?}: use one of {}",
            COUNTS.join(", ")
        )));
    }
    let what = format!("{set} status {name} = {value}");
    let value = value.to_string();
    w.now(&what, &|v| {
        v.set(&set).and_then(|s| field(s, &name)).as_deref() == Some(value.as_str())
    })
    .await
}

/// Both revisions of the set's status, when the set exists and both are set.
fn revisions(view: &View, set: &str) -> Option<(String, String)> {
    let s = view.set(set)?;
    let current = field(s, "currentRevision").filter(|r| !r.is_empty())?;
    let update = field(s, "updateRevision").filter(|r| !r.is_empty())?;
    Some((current, update))
}

/// Now: both revisions are set and `status.currentRevision` differs from `status.updateRevision` (an update is staged or rolling).
#[then(expr = "currentRevision and updateRevision of {string} differ")]
async fn revisions_differ(w: &mut StsWorld, set: String) -> StepResult {
    w.now(
        "currentRevision and updateRevision set and different",
        &|v| revisions(v, &set).is_some_and(|(c, u)| c != u),
    )
    .await
}

/// Waits until the rollout completed: both revisions are set and `status.currentRevision == status.updateRevision`.
#[then(expr = "eventually currentRevision and updateRevision of {string} are equal")]
async fn revisions_equal(w: &mut StsWorld, set: String) -> StepResult {
    w.eventually(
        "currentRevision and updateRevision set and equal",
        &|v| revisions(v, &set).is_some_and(|(c, u)| c == u),
        DEFAULT_WAIT,
    )
    .await
}

/// Reads `/scale`: `spec.replicas`, `status.replicas` and `status.selector` are as given.
#[then(
    expr = "the scale of {string} reports {int} desired and {int} current replica(s) with selector {string}"
)]
async fn scale_is(
    w: &mut StsWorld,
    set: String,
    desired: i64,
    current: i64,
    selector: String,
) -> StepResult {
    let r = w.target().get_scale(&set).await;
    let scale = w.fail_on(r).await?;
    let ok = scale["spec"]["replicas"] == desired
        && scale["status"]["replicas"] == current
        && scale["status"]["selector"] == selector.as_str();
    if ok {
        Ok(())
    } else {
        Err(w
            .failure(format!(
                "expected scale {desired}/{current} {selector:?}, got {scale}"
            ))
            .await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::StatefulSetStatus;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn view(status: Option<StatefulSetStatus>) -> View {
        View {
            sets: vec![StatefulSet {
                metadata: ObjectMeta {
                    name: Some("web".into()),
                    ..ObjectMeta::default()
                },
                status,
                ..StatefulSet::default()
            }],
            ..View::default()
        }
    }

    fn status(current: Option<&str>, update: Option<&str>) -> Option<StatefulSetStatus> {
        Some(StatefulSetStatus {
            current_revision: current.map(Into::into),
            update_revision: update.map(Into::into),
            ..StatefulSetStatus::default()
        })
    }

    #[test]
    fn unset_revisions_are_neither_equal_nor_different() {
        for v in [
            view(None),
            view(status(None, None)),
            view(status(Some(""), Some(""))),
        ] {
            assert_eq!(revisions(&v, "web"), None);
        }
        assert_eq!(revisions(&view(status(Some("a"), None)), "web"), None);
        assert_eq!(revisions(&View::default(), "web"), None);
        assert_eq!(
            revisions(&view(status(Some("a"), Some("b"))), "web"),
            Some(("a".into(), "b".into()))
        );
    }

    #[test]
    fn an_unknown_field_has_no_value_and_an_omitted_count_is_zero() {
        let v = view(status(Some("a"), Some("a")));
        let set = v.set("web").expect("the set");
        assert_eq!(field(set, "readyReplica"), None);
        assert_eq!(field(set, "readyReplicas").as_deref(), Some("0"));
        assert!(COUNTS.contains(&"readyReplicas") && !COUNTS.contains(&"readyReplica"));
    }
}
