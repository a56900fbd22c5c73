//! What a pod's API object says about it, read from the API definition alone: phase, the
//! `Ready` condition, deletion, the revision label. The harness judges pods with these, on
//! every target, independently of the reference controller's upstream-mirroring helpers
//! (a bug there must not change the judge as well as the judged).

use crate::model::names::CONTROLLER_REVISION_HASH_LABEL;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// `status.phase`, or `""` when unset.
pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

/// The pod's `Ready` condition is `True` (core/v1 PodCondition).
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Phase `Running` and condition `Ready` true: what the documentation calls "Running and
/// Ready" (a terminating pod may still be both).
pub fn is_running_and_ready(pod: &Pod) -> bool {
    phase(pod) == "Running" && is_ready(pod)
}

/// Available at `now`: the `Ready` condition is `True` and has been for more than
/// `min_ready_seconds` (its `lastTransitionTime` plus that many seconds lies before `now`);
/// with `min_ready_seconds` 0, Ready alone is available (apps/v1 `minReadySeconds`).
pub fn is_available(pod: &Pod, min_ready_seconds: i32, now: Timestamp) -> bool {
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "Ready" && c.status == "True");
    match ready {
        None => false,
        Some(_) if min_ready_seconds <= 0 => true,
        Some(c) => c.last_transition_time.as_ref().is_some_and(|since| {
            since
                .0
                .checked_add(SignedDuration::from_secs(i64::from(min_ready_seconds)))
                .is_ok_and(|available_from| available_from < now)
        }),
    }
}

/// Whether the pod has a `deletionTimestamp` (it is terminating).
pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// The `controller-revision-hash` label, if set.
pub fn revision_of(pod: &Pod) -> Option<&str> {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(CONTROLLER_REVISION_HASH_LABEL))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodStatus};

    fn pod(phase: &str, ready: &str) -> Pod {
        Pod {
            status: Some(PodStatus {
                phase: Some(phase.into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: ready.into(),
                    ..PodCondition::default()
                }]),
                ..PodStatus::default()
            }),
            ..Pod::default()
        }
    }

    #[test]
    fn running_and_ready_needs_both_the_phase_and_the_condition() {
        assert!(is_running_and_ready(&pod("Running", "True")));
        assert!(!is_running_and_ready(&pod("Running", "False")));
        assert!(!is_running_and_ready(&pod("Pending", "True")));
        assert!(!is_running_and_ready(&Pod::default()));
    }

    #[test]
    fn available_means_ready_for_longer_than_min_ready_seconds() {
        let since: Timestamp = "2026-01-01T00:00:00Z".parse().expect("a timestamp");
        let mut p = pod("Running", "True");
        if let Some(c) = p.status.as_mut().and_then(|s| s.conditions.as_mut()) {
            c[0].last_transition_time =
                Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(since));
        }
        let at = |s: i64| {
            since
                .checked_add(SignedDuration::from_secs(s))
                .expect("in range")
        };
        assert!(is_available(&p, 0, at(0)));
        assert!(!is_available(&p, 10, at(10)));
        assert!(is_available(&p, 10, at(11)));
        assert!(!is_available(&pod("Running", "False"), 0, at(100)));
        assert!(
            !is_available(&pod("Running", "True"), 10, at(100)),
            "no transition time"
        );
    }

    #[test]
    fn a_pod_without_the_label_has_no_revision() {
        assert_eq!(revision_of(&Pod::default()), None);
    }
}
