//! Reading a pod timeline by incarnation: a pod name can be created, deleted and created
//! again, so a timeline check must say which creation it means (the first, or the last
//! re-creation) instead of taking whichever row of that name comes first.

use crate::timeline::{Row, Timeline};

/// Whether a row shows the pod Running with every container ready (`2/2`, never `0/0`).
pub(crate) fn is_ready_row(row: &Row) -> bool {
    let mut parts = row.ready.split('/');
    let (ready, total) = (parts.next(), parts.next());
    row.status == "Running" && ready == total && ready.is_some_and(|n| n != "0")
}

/// Indexes of the rows where `pod` was created: its first row and each row that follows
/// one of its `(deleted)` rows.
pub(crate) fn creations(timeline: &Timeline, pod: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut gone = true;
    for (i, row) in timeline.rows.iter().enumerate() {
        if row.pod != pod {
            continue;
        }
        if gone {
            out.push(i);
        }
        gone = row.status == "(deleted)";
    }
    out
}

/// The row of the pod's first creation.
pub(crate) fn first_creation(timeline: &Timeline, pod: &str) -> Option<usize> {
    creations(timeline, pod).first().copied()
}

/// The row of the pod's last creation, provided it was a re-creation (after a deletion).
pub(crate) fn last_recreation(timeline: &Timeline, pod: &str) -> Option<usize> {
    creations(timeline, pod).get(1..)?.last().copied()
}

/// The first row showing `pod` Running and Ready (in any incarnation).
pub(crate) fn first_ready(timeline: &Timeline, pod: &str) -> Option<usize> {
    timeline
        .rows
        .iter()
        .position(|r| r.pod == pod && is_ready_row(r))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;

    /// A hand-made timeline from `(seconds, pod, ready, status)` rows.
    pub(crate) fn timeline(rows: &[(u64, &str, &str, &str)]) -> Timeline {
        Timeline {
            rows: rows
                .iter()
                .map(|(at, pod, ready, status)| Row {
                    at: Duration::from_secs(*at),
                    pod: (*pod).into(),
                    ready: (*ready).into(),
                    status: (*status).into(),
                    restarts: 0,
                    revision: "rev1".into(),
                })
                .collect(),
            revisions: Vec::new(),
        }
    }

    #[test]
    fn each_creation_after_a_deletion_is_a_new_incarnation() {
        let t = timeline(&[
            (0, "web-0", "0/1", "Pending"),
            (2, "web-0", "1/1", "Running"),
            (2, "web-1", "0/1", "Pending"),
            (5, "web-1", "0/1", "(deleted)"),
            (5, "web-1", "0/1", "Pending"),
            (9, "web-1", "0/1", "(deleted)"),
            (9, "web-1", "0/1", "Pending"),
        ]);
        assert_eq!(creations(&t, "web-1"), vec![2, 4, 6]);
        assert_eq!(first_creation(&t, "web-1"), Some(2));
        assert_eq!(last_recreation(&t, "web-1"), Some(6));
        assert_eq!(last_recreation(&t, "web-0"), None);
        assert_eq!(first_creation(&t, "web-9"), None);
    }

    #[test]
    fn a_pod_without_containers_ready_is_not_ready() {
        let t = timeline(&[
            (0, "web-0", "0/0", "Running"),
            (1, "web-0", "1/2", "Running"),
            (2, "web-0", "2/2", "Terminating"),
            (3, "web-0", "2/2", "Running"),
        ]);
        assert_eq!(first_ready(&t, "web-0"), Some(3));
    }
}
