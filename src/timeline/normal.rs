//! The timing-free normal form of a pod timeline, for targets whose clock the harness
//! does not own. A real cluster (or `serve` at any speed) shows the same states in the
//! same order for each pod as the reference cluster, but at other times and interleaved
//! differently with other pods. The normal form keeps what a correct controller makes
//! deterministic and drops what it does not:
//!
//! * per pod, per incarnation (a new one starts after `(deleted)`), the sequence of
//!   distinct (READY, STATUS, REVISION) states, without times;
//! * restarts as "restarted" marks, not counts (a crash loop's count depends on timing);
//! * pods in name order, so the interleaving of pods is not part of the form.
//!
//! Cross-pod order (OrderedReady creating web-1 only after web-0 is Ready) is asserted by
//! the scenarios' own steps, which run on every target; the snapshot's job here is to
//! catch a pod going through states it should not.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One pod's timeline, without times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PodStates {
    /// Each incarnation's distinct states, in order.
    incarnations: Vec<Vec<String>>,
    /// Whether the current incarnation has ended with a deletion.
    ended: bool,
}

/// The normal form of a rendered timeline (the text the snapshots hold: a header row,
/// then `TIME NAME READY STATUS RESTARTS REVISION` rows).
pub fn normal_form(rendered: &str) -> String {
    let mut pods: BTreeMap<String, PodStates> = BTreeMap::new();
    for line in rendered.lines() {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let [time, pod, ready, status, restarts, revision] = cells.as_slice() else {
            continue;
        };
        if *time == "TIME" || !time.ends_with('s') {
            continue;
        }
        let states = pods.entry((*pod).to_owned()).or_default();
        if states.ended || states.incarnations.is_empty() {
            states.incarnations.push(Vec::new());
            states.ended = false;
        }
        let state = if *status == "(deleted)" {
            states.ended = true;
            "(deleted)".to_owned()
        } else {
            let restarted = if *restarts == "0" { "" } else { " restarted" };
            format!("{status} {ready} {revision}{restarted}")
        };
        if let Some(current) = states.incarnations.last_mut()
            && current.last() != Some(&state)
        {
            current.push(state);
        }
    }
    let mut out = String::new();
    for (pod, states) in &pods {
        for (n, incarnation) in states.incarnations.iter().enumerate() {
            let _ = writeln!(out, "{pod} #{}: {}", n + 1, incarnation.join(" -> "));
        }
    }
    out
}

/// Whether a cluster's timeline agrees with the reference's, both rendered: per pod, the
/// reference's incarnations and states must be where the cluster's begin. A cluster keeps
/// running after the last step, so its timeline may go on where the reference's stopped;
/// it may not differ before that.
pub fn agrees(reference: &str, cluster: &str) -> bool {
    let expected = normal_form(reference);
    let actual = normal_form(cluster);
    let lines = |s: &str| -> Vec<(String, String)> {
        s.lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    };
    let actual = lines(&actual);
    lines(&expected).iter().all(|(pod, states)| {
        actual
            .iter()
            .any(|(p, s)| p == pod && (s == states || s.starts_with(&format!("{states} -> "))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "\
TIME   NAME   READY  STATUS             RESTARTS  REVISION
0.0s   web-0  0/1    Pending            0         rev1
0.0s   web-0  0/1    ContainerCreating  0         rev1
2.0s   web-0  1/1    Running            0         rev1
2.0s   web-1  0/1    Pending            0         rev1
4.0s   web-1  1/1    Running            0         rev1
";

    #[test]
    fn times_and_interleaving_do_not_matter() {
        let other_speed = "\
TIME   NAME   READY  STATUS             RESTARTS  REVISION
0.1s   web-0  0/1    Pending            0         rev1
0.3s   web-0  0/1    ContainerCreating  0         rev1
0.3s   web-1  0/1    Pending            0         rev1
0.9s   web-0  1/1    Running            0         rev1
1.2s   web-1  1/1    Running            0         rev1
";
        assert_eq!(normal_form(REFERENCE), normal_form(other_speed));
    }

    #[test]
    fn a_state_a_pod_should_not_reach_is_caught() {
        let wrong = REFERENCE.replace(
            "4.0s   web-1  1/1    Running            0         rev1",
            "4.0s   web-1  1/1    Running            0         rev2",
        );
        assert_ne!(normal_form(REFERENCE), normal_form(&wrong));
    }

    #[test]
    fn deletions_start_new_incarnations() {
        let text = "\
TIME   NAME   READY  STATUS     RESTARTS  REVISION
0.0s   web-0  0/1    Pending    0         rev1
1.0s   web-0  0/1    (deleted)  0         rev1
1.0s   web-0  0/1    Pending    0         rev1
";
        assert_eq!(
            normal_form(text),
            "web-0 #1: Pending 0/1 rev1 -> (deleted)\nweb-0 #2: Pending 0/1 rev1\n"
        );
    }

    #[test]
    fn a_cluster_may_run_on_but_not_differ() {
        let longer = format!("{REFERENCE}5.0s   web-1  1/1    Terminating        0         rev1\n");
        assert!(agrees(REFERENCE, &longer));
        assert!(!agrees(&longer, REFERENCE), "a missing state passed");
        let other = REFERENCE.replace(
            "web-1  1/1    Running            0         rev1",
            "web-1  0/1    Error              0         rev1",
        );
        assert!(!agrees(REFERENCE, &other));
    }
}
