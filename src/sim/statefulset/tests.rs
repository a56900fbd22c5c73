//! Unit tests of the reference controller, named after the guarantees they check; the
//! ten traps of the catalogue each have one (marked `trap N`).

use super::invariants::Replay;
use super::stateful_set_utils::get_pod_revision;
use crate::model::behaviour::Behaviour;
use crate::model::object::{Kind, Object};
use crate::sim::apiserver::{DeleteOptions, Propagation};
use crate::sim::fixtures::{nginx_service, web};
use crate::sim::store::ChangeType;
use crate::sim::{Cluster, ClusterConfig};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use serde_json::json;
use std::time::Duration;

const NS: &str = "default";

fn cluster() -> Cluster {
    Cluster::new(ClusterConfig::default())
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn create(c: &mut Cluster, set: StatefulSet) {
    c.create(Object::StatefulSet(Box::new(set)))
        .expect("create set");
    c.settle().expect("settle");
}

fn set(c: &Cluster) -> StatefulSet {
    match c.get_object(Kind::StatefulSet, NS, "web") {
        Some(Object::StatefulSet(s)) => *s,
        _ => panic!("no set"),
    }
}

fn pod(c: &Cluster, name: &str) -> Option<Pod> {
    match c.get_object(Kind::Pod, NS, name) {
        Some(Object::Pod(p)) => Some(*p),
        _ => None,
    }
}

fn claim(c: &Cluster, name: &str) -> Option<PersistentVolumeClaim> {
    match c.get_object(Kind::PersistentVolumeClaim, NS, name) {
        Some(Object::PersistentVolumeClaim(p)) => Some(*p),
        _ => None,
    }
}

fn pods(c: &Cluster) -> Vec<String> {
    c.store()
        .list(Kind::Pod, Some(NS))
        .map(|o| o.name().to_owned())
        .collect()
}

fn patch_set(c: &mut Cluster, patch: serde_json::Value) {
    let mut value = Object::StatefulSet(Box::new(set(c))).to_json();
    crate::model::patch::strategic_merge_patch(&mut value, &patch).expect("patch");
    let mut object = Object::from_json(Kind::StatefulSet, value).expect("decode");
    object.metadata_mut().resource_version = None;
    c.update(object).expect("update set");
    c.settle().expect("settle");
}

fn run(c: &mut Cluster, d: u64) {
    c.run_for(secs(d)).expect("run");
}

fn steady(c: &mut Cluster) {
    assert!(
        c.run_until_idle(secs(3600)).expect("run"),
        "cluster did not settle"
    );
}

/// Pod ADDED order and DELETED order from the log.
fn events(c: &Cluster, change: ChangeType) -> Vec<String> {
    c.store()
        .log()
        .filter(|ch| ch.change_type == change && ch.object.kind() == Kind::Pod)
        .map(|ch| ch.object.name().to_owned())
        .collect()
}

fn status(c: &Cluster) -> k8s_openapi::api::apps::v1::StatefulSetStatus {
    set(c).status.unwrap_or_default()
}

fn check_invariants(c: &Cluster) {
    let mut replay = Replay::new(
        c.clock().clone(),
        c.config().behaviour.max_unavailable_stateful_set,
    );
    replay.check(c.store().log()).expect("invariants hold");
}

fn image(c: &mut Cluster, image: &str) {
    patch_set(
        c,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}}),
    );
}

fn delete_pod(c: &mut Cluster, name: &str) {
    c.delete(Kind::Pod, NS, name, &DeleteOptions::default())
        .expect("delete");
    c.settle().expect("settle");
}

#[test]
fn ord_01_pods_are_created_one_at_a_time_in_ordinal_order() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    assert_eq!(pods(&c), vec!["web-0"], "only web-0 before it is ready");
    run(&mut c, 1);
    assert_eq!(
        pods(&c),
        vec!["web-0"],
        "web-1 waits for web-0 Running and Ready"
    );
    steady(&mut c);
    assert_eq!(
        events(&c, ChangeType::Added),
        vec!["web-0", "web-1", "web-2"]
    );
    assert_eq!(status(&c).ready_replicas, Some(3));
    check_invariants(&c);
}

#[test]
fn ord_02_an_unready_pod_halts_scale_up() {
    let mut c = cluster();
    create(&mut c, web(1, json!({})));
    steady(&mut c);
    c.set_pod_readiness(NS, "web-0", false);
    patch_set(&mut c, json!({"spec": {"replicas": 3}}));
    run(&mut c, 30);
    assert_eq!(pods(&c), vec!["web-0"]);
    c.set_pod_readiness(NS, "web-0", true);
    steady(&mut c);
    assert_eq!(pods(&c), vec!["web-0", "web-1", "web-2"]);
    check_invariants(&c);
}

#[test]
fn ord_03_missing_lower_pod_is_recreated_while_a_higher_one_is_unhealthy() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    c.set_pod_readiness(NS, "web-2", false);
    c.settle().unwrap();
    delete_pod(&mut c, "web-0");
    steady(&mut c);
    assert!(
        pod(&c, "web-0").is_some(),
        "web-0 recreated despite unready web-2"
    );
    check_invariants(&c);
}

#[test]
fn ord_06_scale_down_deletes_the_highest_ordinal_first_one_at_a_time() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    patch_set(&mut c, json!({"spec": {"replicas": 0}}));
    let terminating: Vec<String> = pods(&c)
        .into_iter()
        .filter(|p| pod(&c, p).is_some_and(|p| p.metadata.deletion_timestamp.is_some()))
        .collect();
    assert_eq!(terminating, vec!["web-2"], "one deletion at a time");
    steady(&mut c);
    assert_eq!(
        events(&c, ChangeType::Deleted),
        vec!["web-2", "web-1", "web-0"]
    );
    // ORD-10: claims and revisions stay.
    assert!(claim(&c, "www-web-0").is_some());
    assert_eq!(
        c.store().list(Kind::ControllerRevision, Some(NS)).count(),
        1
    );
    assert_eq!(status(&c).replicas, 0);
    check_invariants(&c);
}

/// trap 2
#[test]
fn ord_07_two_unhealthy_condemned_pods_stall_scale_down() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    c.set_pod_readiness(NS, "web-1", false);
    c.set_pod_readiness(NS, "web-2", false);
    patch_set(&mut c, json!({"spec": {"replicas": 1}}));
    run(&mut c, 60);
    assert_eq!(
        pods(&c),
        vec!["web-0", "web-1", "web-2"],
        "the higher unhealthy pod is never deleted"
    );
    check_invariants(&c);
}

/// trap 2
#[test]
fn ord_07_the_first_unhealthy_condemned_pod_may_go() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    c.set_pod_readiness(NS, "web-2", false);
    patch_set(&mut c, json!({"spec": {"replicas": 2}}));
    steady(&mut c);
    assert_eq!(pods(&c), vec!["web-0", "web-1"]);
    check_invariants(&c);
}

/// trap 5
#[test]
fn ord_04_failed_and_succeeded_pods_are_deleted_then_recreated_once_gone() {
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    let uid = pod(&c, "web-0").unwrap().metadata.uid;
    assert!(c.fail_pod(NS, "web-0"));
    c.settle().unwrap();
    // A failed pod is not bound to grace: it goes at once, and the replacement follows.
    steady(&mut c);
    let replacement = pod(&c, "web-0").unwrap();
    assert_ne!(replacement.metadata.uid, uid, "same name, new uid");
    let log: Vec<(ChangeType, String)> = c
        .store()
        .log()
        .filter(|ch| ch.object.name() == "web-0" && ch.object.kind() == Kind::Pod)
        .map(|ch| {
            (
                ch.change_type,
                ch.object.metadata().uid.clone().unwrap_or_default(),
            )
        })
        .collect();
    let deleted = log
        .iter()
        .position(|(t, u)| *t == ChangeType::Deleted && Some(u) == uid.as_ref())
        .unwrap();
    let recreated = log
        .iter()
        .position(|(t, u)| *t == ChangeType::Added && Some(u) == replacement.metadata.uid.as_ref())
        .unwrap();
    assert!(
        deleted < recreated,
        "the replacement is created only after the old pod is gone"
    );
    // Succeeded is treated the same way.
    let mut succeeded = pod(&c, "web-1").unwrap();
    succeeded.status.as_mut().unwrap().phase = Some("Succeeded".into());
    succeeded.metadata.resource_version = None;
    c.update_status(Object::Pod(Box::new(succeeded))).unwrap();
    steady(&mut c);
    assert!(
        pod(&c, "web-1").is_some_and(|p| p.status.unwrap().phase.as_deref() == Some("Running"))
    );
    check_invariants(&c);
}

#[test]
fn par_01_parallel_creates_and_deletes_without_waiting() {
    let mut c = cluster();
    create(
        &mut c,
        web(3, json!({"spec": {"podManagementPolicy": "Parallel"}})),
    );
    assert_eq!(
        pods(&c),
        vec!["web-0", "web-1", "web-2"],
        "all created in one sync"
    );
    steady(&mut c);
    c.set_pod_readiness(NS, "web-0", false);
    patch_set(&mut c, json!({"spec": {"replicas": 0}}));
    let deleting = pods(&c)
        .iter()
        .filter(|p| pod(&c, p).is_some_and(|p| p.metadata.deletion_timestamp.is_some()))
        .count();
    assert_eq!(deleting, 3);
    steady(&mut c);
    assert!(pods(&c).is_empty());
    assert_eq!(status(&c).replicas, 0);
    check_invariants(&c);
}

#[test]
fn upd_02_rolling_update_replaces_pods_in_reverse_ordinal_order() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    let before = status(&c).current_revision.unwrap();
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    steady(&mut c);
    let deleted = events(&c, ChangeType::Deleted);
    assert_eq!(deleted, vec!["web-2", "web-1", "web-0"]);
    let s = status(&c);
    assert_ne!(s.update_revision.as_deref(), Some(before.as_str()));
    assert_eq!(s.current_revision, s.update_revision, "UPD-09 completion");
    assert_eq!(s.current_replicas, Some(3));
    check_invariants(&c);
}

/// trap 1: with the defaulted `partition: 0`, a pod recreated mid-rollout gets the update
/// revision even where the rollout has not reached it yet (the tutorial says otherwise).
#[test]
fn upd_08_recreated_pod_gets_the_update_revision_with_a_defaulted_partition() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    c.set_pod_readiness(NS, "web-2", false);
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    // web-2 (unready) is deleted for update, recreated at the new revision and stays unready.
    run(&mut c, 10);
    let update = status(&c).update_revision.unwrap();
    delete_pod(&mut c, "web-0");
    run(&mut c, 10);
    let recreated = pod(&c, "web-0").unwrap();
    assert_eq!(get_pod_revision(&recreated), update);
    check_invariants(&c);
}

/// trap 1: `type: RollingUpdate` without a `rollingUpdate` block uses currentReplicas.
#[test]
fn upd_08_without_a_rolling_update_block_recreated_pods_keep_the_current_revision() {
    let mut c = cluster();
    create(
        &mut c,
        web(
            3,
            json!({"spec": {"updateStrategy": {"type": "RollingUpdate"}}}),
        ),
    );
    steady(&mut c);
    assert!(
        set(&c)
            .spec
            .unwrap()
            .update_strategy
            .unwrap()
            .rolling_update
            .is_none(),
        "DEF-03"
    );
    let current = status(&c).current_revision.unwrap();
    c.set_pod_readiness(NS, "web-2", false);
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    run(&mut c, 10);
    delete_pod(&mut c, "web-0");
    run(&mut c, 10);
    assert_eq!(get_pod_revision(&pod(&c, "web-0").unwrap()), current);
    check_invariants(&c);
}

/// trap 1: the partition is an offset from `.spec.ordinals.start`.
#[test]
fn upd_04_partition_is_relative_to_the_start_ordinal() {
    let mut c = cluster();
    create(
        &mut c,
        web(
            4,
            json!({"spec": {"ordinals": {"start": 2}, "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}}),
        ),
    );
    steady(&mut c);
    assert_eq!(pods(&c), vec!["web-2", "web-3", "web-4", "web-5"], "ID-02");
    let old = status(&c).current_revision.unwrap();
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    steady(&mut c);
    let new = status(&c).update_revision.unwrap();
    let revs: Vec<String> = ["web-2", "web-3", "web-4", "web-5"]
        .iter()
        .map(|p| get_pod_revision(&pod(&c, p).unwrap()).to_owned())
        .collect();
    assert_eq!(revs, vec![old.clone(), old, new.clone(), new]);
    // UPD-10: a partitioned rollout never completes.
    assert_ne!(status(&c).current_revision, status(&c).update_revision);
    assert_eq!(status(&c).current_replicas, Some(2));
    assert_eq!(status(&c).updated_replicas, Some(2));
    check_invariants(&c);
}

/// trap 3
#[test]
fn st_02_status_replicas_counts_terminating_pods_and_upd_11_scale_to_zero_completes() {
    let mut c = cluster();
    create(
        &mut c,
        web(
            3,
            json!({"spec": {"updateStrategy": {"rollingUpdate": {"partition": 3}}}}),
        ),
    );
    steady(&mut c);
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    steady(&mut c);
    assert_ne!(
        status(&c).current_revision,
        status(&c).update_revision,
        "UPD-05 staged"
    );
    patch_set(&mut c, json!({"spec": {"replicas": 2}}));
    run(&mut c, 0);
    // web-2 is terminating: still counted in replicas and (while ready) readyReplicas.
    c.settle().unwrap();
    let s = status(&c);
    assert!(
        pod(&c, "web-2")
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    assert_eq!(s.replicas, 3, "terminating pods count");
    patch_set(&mut c, json!({"spec": {"replicas": 0}}));
    steady(&mut c);
    let s = status(&c);
    assert_eq!(
        s.current_revision, s.update_revision,
        "scale to zero completes the staged update"
    );
    patch_set(&mut c, json!({"spec": {"replicas": 1}}));
    steady(&mut c);
    assert_eq!(
        get_pod_revision(&pod(&c, "web-0").unwrap()),
        s.update_revision.unwrap(),
        "below the partition, yet new"
    );
    check_invariants(&c);
}

/// trap 3
#[test]
fn ond_03_on_delete_completes_only_from_1_36() {
    for (minor, completes) in [(35, false), (36, true)] {
        let config = ClusterConfig {
            behaviour: Behaviour {
                minor,
                ..Behaviour::default()
            },
            ..ClusterConfig::default()
        };
        let mut c = Cluster::new(config);
        create(
            &mut c,
            web(2, json!({"spec": {"updateStrategy": {"type": "OnDelete"}}})),
        );
        steady(&mut c);
        image(&mut c, "registry.k8s.io/nginx-slim:0.9");
        steady(&mut c);
        assert!(
            events(&c, ChangeType::Deleted).is_empty(),
            "OND-01: nothing rolls by itself"
        );
        delete_pod(&mut c, "web-1");
        steady(&mut c);
        delete_pod(&mut c, "web-0");
        steady(&mut c);
        let s = status(&c);
        assert_eq!(
            s.current_revision == s.update_revision,
            completes,
            "1.{minor}"
        );
        check_invariants(&c);
    }
}

/// trap 4
#[test]
fn upd_12_rollback_bumps_the_old_revision_instead_of_creating_one() {
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    let first = status(&c).current_revision.unwrap();
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    steady(&mut c);
    image(&mut c, "registry.k8s.io/nginx-slim:0.8");
    steady(&mut c);
    let revisions: Vec<(String, i64)> = c
        .store()
        .list(Kind::ControllerRevision, Some(NS))
        .filter_map(|o| match o.as_ref() {
            Object::ControllerRevision(r) => Some((r.metadata.name.clone().unwrap(), r.revision)),
            _ => None,
        })
        .collect();
    assert_eq!(revisions.len(), 2, "no third revision: {revisions:?}");
    assert!(
        revisions.contains(&(first.clone(), 3)),
        "old revision bumped to 3: {revisions:?}"
    );
    assert_eq!(status(&c).update_revision, Some(first));
    check_invariants(&c);
}

/// trap 4
#[test]
fn rev_05_history_is_truncated_but_live_revisions_stay() {
    let mut c = cluster();
    create(&mut c, web(1, json!({"spec": {"revisionHistoryLimit": 1}})));
    steady(&mut c);
    for tag in ["0.9", "1.0", "1.1", "1.2"] {
        image(&mut c, &format!("registry.k8s.io/nginx-slim:{tag}"));
        steady(&mut c);
    }
    // Live: current == update (1.2); one non-live kept.
    assert_eq!(
        c.store().list(Kind::ControllerRevision, Some(NS)).count(),
        2
    );
    let mut c = cluster();
    create(
        &mut c,
        web(1, json!({"spec": {"revisionHistoryLimit": -1}})),
    );
    steady(&mut c);
    for tag in ["0.9", "1.0", "1.1"] {
        image(&mut c, &format!("registry.k8s.io/nginx-slim:{tag}"));
        steady(&mut c);
    }
    assert_eq!(
        c.store().list(Kind::ControllerRevision, Some(NS)).count(),
        4,
        "negative keeps all"
    );
}

/// trap 6
#[test]
fn adp_01_02_orphans_are_adopted_only_when_named_after_the_set() {
    let mut c = cluster();
    for name in ["web-1", "other-0", "web-x"] {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": name, "labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}]}
        }))
        .unwrap();
        c.create(Object::Pod(Box::new(pod))).unwrap();
    }
    c.settle().unwrap();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    let set_uid = set(&c).metadata.uid.unwrap();
    let owner = |c: &Cluster, p: &str| {
        pod(c, p)
            .and_then(|p| p.metadata.owner_references)
            .and_then(|r| r.first().map(|r| r.uid.clone()))
    };
    assert_eq!(owner(&c, "web-1"), Some(set_uid.clone()), "adopted");
    assert_eq!(owner(&c, "other-0"), None, "wrong parent name");
    assert_eq!(owner(&c, "web-x"), None, "no ordinal");
    assert!(pod(&c, "web-0").is_some());
}

/// trap 6
#[test]
fn adp_04_a_pod_whose_labels_stop_matching_is_released_without_a_duplicate() {
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    let mut p = pod(&c, "web-1").unwrap();
    p.metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("app".into(), "other".into());
    p.metadata.resource_version = None;
    c.update(Object::Pod(Box::new(p))).unwrap();
    run(&mut c, 30);
    let p = pod(&c, "web-1").unwrap();
    assert!(p.metadata.owner_references.is_none(), "released");
    assert_eq!(pods(&c), vec!["web-0", "web-1"], "no duplicate web-1");
    let failed_creates = c
        .store()
        .list(Kind::Event, Some(NS))
        .filter(|e| matches!(e.as_ref(), Object::Event(e) if e.reason.as_deref() == Some("FailedCreate")))
        .count();
    assert_eq!(failed_creates, 0, "AlreadyExists records no event");
}

/// trap 7
#[test]
fn ret_02_when_scaled_delete_removes_only_scaled_down_claims() {
    let mut c = cluster();
    create(
        &mut c,
        web(
            3,
            json!({"spec": {"persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"}}}),
        ),
    );
    steady(&mut c);
    patch_set(&mut c, json!({"spec": {"replicas": 1}}));
    steady(&mut c);
    assert!(claim(&c, "www-web-0").is_some());
    assert!(claim(&c, "www-web-1").is_none());
    assert!(claim(&c, "www-web-2").is_none());
    check_invariants(&c);
}

/// trap 7
#[test]
fn ret_01_owner_reference_matrix() {
    let cases = [
        ("Retain", "Retain", false, false),
        ("Delete", "Retain", true, false),
        ("Retain", "Delete", false, false),
        ("Delete", "Delete", true, false),
    ];
    for (when_deleted, when_scaled, set_ref, pod_ref) in cases {
        let mut c = cluster();
        create(
            &mut c,
            web(
                1,
                json!({"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": when_deleted, "whenScaled": when_scaled}}}),
            ),
        );
        steady(&mut c);
        let claim = claim(&c, "www-web-0").unwrap();
        let set_uid = set(&c).metadata.uid.unwrap();
        let pod_uid = pod(&c, "web-0").unwrap().metadata.uid.unwrap();
        let refs = claim.metadata.owner_references.unwrap_or_default();
        assert_eq!(
            refs.iter().any(|r| r.uid == set_uid),
            set_ref,
            "{when_deleted}/{when_scaled}"
        );
        assert_eq!(
            refs.iter().any(|r| r.uid == pod_uid),
            pod_ref,
            "{when_deleted}/{when_scaled}"
        );
        assert!(refs.iter().all(|r| r.controller == Some(true)));
    }
}

/// trap 7
#[test]
fn ret_05_a_claim_with_a_foreign_controller_is_left_alone() {
    let mut c = cluster();
    // The foreign controller exists: a claim whose owner is gone would be collected.
    let keeper: k8s_openapi::api::core::v1::ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "keeper", "namespace": NS}})).unwrap();
    let foreign = c
        .create(keeper.into())
        .unwrap()
        .object
        .metadata()
        .uid
        .clone()
        .unwrap();
    let pvc: PersistentVolumeClaim = serde_json::from_value(json!({
        "metadata": {"name": "www-web-0", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "keeper", "uid": foreign, "controller": true}]},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    }))
    .unwrap();
    c.create(Object::PersistentVolumeClaim(Box::new(pvc)))
        .unwrap();
    create(
        &mut c,
        web(
            1,
            json!({"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}}}),
        ),
    );
    steady(&mut c);
    let refs = claim(&c, "www-web-0")
        .unwrap()
        .metadata
        .owner_references
        .unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].uid, foreign);
    let conflict = c
        .store()
        .list(Kind::Event, Some(NS))
        .any(|e| matches!(e.as_ref(), Object::Event(e) if e.reason.as_deref() == Some("ConflictingController")));
    assert!(conflict);
}

/// trap 8
#[test]
fn mu_03_gate_on_deletes_a_batch_per_sync_and_mu_02_percent_rounds_down() {
    use super::stateful_set_utils::get_stateful_set_max_unavailable;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    assert_eq!(
        get_stateful_set_max_unavailable(Some(&IntOrString::String("50%".into())), 5),
        2
    );
    assert_eq!(
        get_stateful_set_max_unavailable(Some(&IntOrString::String("10%".into())), 5),
        1,
        "floor 1"
    );
    let config = ClusterConfig {
        behaviour: Behaviour {
            max_unavailable_stateful_set: true,
            ..Behaviour::default()
        },
        ..ClusterConfig::default()
    };
    let mut c = Cluster::new(config);
    create(
        &mut c,
        web(
            6,
            json!({"spec": {"podManagementPolicy": "Parallel", "updateStrategy": {"rollingUpdate": {"partition": 3, "maxUnavailable": 2}}}}),
        ),
    );
    steady(&mut c);
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    let terminating: Vec<String> = pods(&c)
        .into_iter()
        .filter(|p| pod(&c, p).is_some_and(|p| p.metadata.deletion_timestamp.is_some()))
        .collect();
    assert_eq!(terminating, vec!["web-4", "web-5"]);
    steady(&mut c);
    check_invariants(&c);
}

/// trap 8: with the gate off the field is ignored (MU-06) and dropped on create (MU-01).
#[test]
fn mu_06_gate_off_rolls_one_at_a_time() {
    let mut c = cluster();
    create(
        &mut c,
        web(
            4,
            json!({"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 3}}}}),
        ),
    );
    steady(&mut c);
    let rolling = set(&c).spec.and_then(|s| s.update_strategy?.rolling_update);
    assert_eq!(
        rolling.and_then(|r| r.max_unavailable),
        None,
        "the gate is off: the API drops maxUnavailable on create"
    );
    image(&mut c, "registry.k8s.io/nginx-slim:0.9");
    let terminating = pods(&c)
        .iter()
        .filter(|p| pod(&c, p).is_some_and(|p| p.metadata.deletion_timestamp.is_some()))
        .count();
    assert_eq!(terminating, 1);
    check_invariants(&c);
}

/// trap 9
#[test]
fn fr_01_ordered_ready_keeps_a_broken_pod_after_a_revert() {
    let mut c = cluster();
    create(&mut c, web(3, json!({})));
    steady(&mut c);
    image(&mut c, "registry.invalid/nginx:broken");
    run(&mut c, 30);
    let broken = pod(&c, "web-2").unwrap();
    assert_eq!(
        crate::timeline::printer::pod_status(&broken),
        "ImagePullBackOff"
    );
    image(&mut c, "registry.k8s.io/nginx-slim:0.8");
    run(&mut c, 120);
    assert_eq!(
        pod(&c, "web-2").unwrap().metadata.uid,
        broken.metadata.uid,
        "not replaced by itself"
    );
    delete_pod(&mut c, "web-2");
    steady(&mut c);
    let s = status(&c);
    assert_eq!(s.ready_replicas, Some(3));
    assert_eq!(s.current_revision, s.update_revision);
    check_invariants(&c);
}

/// trap 9
#[test]
fn fr_03_parallel_recovers_by_itself_after_a_revert() {
    let mut c = cluster();
    create(
        &mut c,
        web(3, json!({"spec": {"podManagementPolicy": "Parallel"}})),
    );
    steady(&mut c);
    image(&mut c, "registry.invalid/nginx:broken");
    run(&mut c, 30);
    image(&mut c, "registry.k8s.io/nginx-slim:0.8");
    steady(&mut c);
    assert_eq!(status(&c).ready_replicas, Some(3));
    check_invariants(&c);
}

/// trap 10
#[test]
fn val_06_immutable_fields_and_def_03_asymmetric_defaults() {
    let mut c = cluster();
    create(&mut c, web(1, json!({})));
    let s = set(&c).spec.unwrap();
    assert_eq!(
        s.update_strategy.unwrap().rolling_update.unwrap().partition,
        Some(0)
    );
    assert_eq!(s.revision_history_limit, Some(10));
    assert_eq!(s.pod_management_policy.as_deref(), Some("OrderedReady"));
    let mut changed = set(&c);
    changed.spec.as_mut().unwrap().service_name = Some("other".into());
    changed.metadata.resource_version = None;
    let err = c
        .update(Object::StatefulSet(Box::new(changed)))
        .unwrap_err();
    assert_eq!(err.code(), 422);
    assert!(
        err.to_string()
            .contains("updates to statefulset spec for fields other than"),
        "{err}"
    );
}

#[test]
fn id_03_changing_the_start_ordinal_scales_out_before_in() {
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    patch_set(&mut c, json!({"spec": {"ordinals": {"start": 2}}}));
    steady(&mut c);
    assert_eq!(pods(&c), vec!["web-2", "web-3"]);
    let log: Vec<(ChangeType, String)> = c
        .store()
        .log()
        .filter(|ch| ch.object.kind() == Kind::Pod && ch.change_type != ChangeType::Modified)
        .map(|ch| (ch.change_type, ch.object.name().to_owned()))
        .collect();
    let pos = |t, n: &str| log.iter().position(|(a, b)| *a == t && b == n).unwrap();
    assert!(pos(ChangeType::Added, "web-3") < pos(ChangeType::Deleted, "web-1"));
    assert!(pos(ChangeType::Deleted, "web-1") < pos(ChangeType::Deleted, "web-0"));
    check_invariants(&c);
}

#[test]
fn del_01_background_delete_removes_pods_and_keeps_claims_del_03_orphan_keeps_pods() {
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    c.delete(
        Kind::StatefulSet,
        NS,
        "web",
        &DeleteOptions {
            propagation: Some(Propagation::Orphan),
            ..Default::default()
        },
    )
    .unwrap();
    steady(&mut c);
    assert_eq!(pods(&c), vec!["web-0", "web-1"]);
    assert!(
        pod(&c, "web-0")
            .unwrap()
            .metadata
            .owner_references
            .is_none()
    );
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    assert!(
        pod(&c, "web-0")
            .unwrap()
            .metadata
            .owner_references
            .is_some(),
        "re-adopted"
    );
    c.delete(Kind::StatefulSet, NS, "web", &DeleteOptions::default())
        .unwrap();
    c.settle().unwrap();
    let terminating = pods(&c)
        .iter()
        .filter(|p| pod(&c, p).is_some_and(|p| p.metadata.deletion_timestamp.is_some()))
        .count();
    assert_eq!(
        terminating, 2,
        "the garbage collector deletes all pods at once, in no order"
    );
    steady(&mut c);
    assert!(pods(&c).is_empty());
    assert!(claim(&c, "www-web-0").is_some(), "PVC-05");
}

#[test]
fn pvc_07_a_pending_pods_missing_claim_is_recreated() {
    let mut c = cluster();
    create(&mut c, web(1, json!({})));
    steady(&mut c);
    c.delete(
        Kind::PersistentVolumeClaim,
        NS,
        "www-web-0",
        &DeleteOptions::default(),
    )
    .unwrap();
    delete_pod(&mut c, "web-0");
    steady(&mut c);
    assert!(claim(&c, "www-web-0").is_some());
    assert!(
        pod(&c, "web-0").is_some_and(|p| p.status.unwrap().phase.as_deref() == Some("Running"))
    );
}

#[test]
fn avl_02_ordered_ready_waits_for_min_ready_seconds() {
    let mut c = cluster();
    create(&mut c, web(2, json!({"spec": {"minReadySeconds": 10}})));
    run(&mut c, 5);
    assert_eq!(pods(&c), vec!["web-0"]);
    assert_eq!(status(&c).available_replicas, None);
    steady(&mut c);
    assert_eq!(
        status(&c).available_replicas,
        Some(2),
        "AVL-03: status converges by itself"
    );
    check_invariants(&c);
}

#[test]
fn lbl_06_a_long_name_is_accepted_but_pods_cannot_be_created() {
    let mut c = cluster();
    let name = "a".repeat(60);
    let mut s = web(1, json!({}));
    s.metadata.name = Some(name.clone());
    c.create(Object::StatefulSet(Box::new(s)))
        .expect("accepted by validation");
    run(&mut c, 10);
    assert_eq!(c.store().list(Kind::Pod, Some(NS)).count(), 0);
    let failed = c.store().list(Kind::Event, Some(NS)).any(
        |e| matches!(e.as_ref(), Object::Event(e) if e.reason.as_deref() == Some("FailedCreate")),
    );
    assert!(failed);
}

#[test]
fn evt_01_events_use_upstream_reasons_and_messages() {
    let mut c = cluster();
    create(&mut c, web(1, json!({})));
    steady(&mut c);
    let messages: Vec<String> = c
        .store()
        .list(Kind::Event, Some(NS))
        .filter_map(|e| match e.as_ref() {
            Object::Event(e) => Some(format!(
                "{} {}",
                e.reason.clone().unwrap(),
                e.message.clone().unwrap()
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages,
        vec![
            "SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success",
            "SuccessfulCreate create Pod web-0 in StatefulSet web successful",
        ]
    );
}

#[test]
fn dns_01_records_follow_readiness() {
    use crate::sim::endpoints::{QueryType, Record};
    let mut c = cluster();
    c.create(Object::Service(Box::new(nginx_service())))
        .unwrap();
    create(&mut c, web(2, json!({})));
    steady(&mut c);
    let a = c.resolve("web-0.nginx.default.svc.cluster.local", QueryType::A);
    assert_eq!(a.len(), 1);
    let srv = c.resolve("_web._tcp.nginx.default.svc.cluster.local", QueryType::Srv);
    assert_eq!(srv.len(), 2);
    assert!(
        matches!(&srv[0], Record::Srv { target, port: 80, .. } if target == "web-0.nginx.default.svc.cluster.local")
    );
    c.set_pod_readiness(NS, "web-1", false);
    c.settle().unwrap();
    assert_eq!(
        c.resolve("_web._tcp.nginx.default.svc.cluster.local", QueryType::Srv)
            .len(),
        1
    );
    assert!(
        c.resolve("web-1.nginx.default.svc.cluster.local", QueryType::A)
            .is_empty()
    );
}

/// The change log of a scale-up, a rolling update, a scale-up and a cascading delete.
fn change_log_of_a_lifecycle(config: ClusterConfig) -> String {
    {
        let mut c = Cluster::new(config);
        c.create(Object::Service(Box::new(nginx_service())))
            .unwrap();
        create(&mut c, web(3, json!({})));
        steady(&mut c);
        image(&mut c, "registry.k8s.io/nginx-slim:0.9");
        patch_set(&mut c, json!({"spec": {"replicas": 5}}));
        steady(&mut c);
        c.delete(Kind::StatefulSet, NS, "web", &DeleteOptions::default())
            .unwrap();
        steady(&mut c);
        c.store()
            .log()
            .map(|ch| {
                format!(
                    "{} {:?} {:?} {:?} {}\n",
                    ch.resource_version,
                    ch.at,
                    ch.change_type,
                    ch.actor,
                    serde_json::to_string(&ch.object.to_json()).unwrap()
                )
            })
            .collect::<String>()
    }
}

#[test]
fn determinism_the_same_scenario_yields_byte_identical_change_logs() {
    let run_once = || change_log_of_a_lifecycle(ClusterConfig::default());
    let (a, b) = (run_once(), run_once());
    assert!(a.len() > 10_000);
    assert_eq!(a, b);
}

#[test]
fn settled_volumes_and_claims_held_cold_change_nothing_anyone_sees() {
    let typed = change_log_of_a_lifecycle(ClusterConfig {
        hot_objects: usize::MAX,
        ..ClusterConfig::default()
    });
    let cold = change_log_of_a_lifecycle(ClusterConfig {
        hot_objects: 0,
        ..ClusterConfig::default()
    });
    assert!(typed.contains("PersistentVolume\""));
    assert!(typed.contains("\"kind\":\"PersistentVolumeClaim\""));
    assert!(typed.contains("\"phase\":\"Bound\""));
    assert_eq!(typed, cold);
}

/// The converged-claims check fails on a Running and Ready pod whose claim is missing,
/// and passes once the claim is back (issue 17: it used to skip missing claims).
#[test]
fn pvc_02_a_ready_pod_without_its_claim_fails_the_converged_check() {
    let mut c = cluster();
    let before = c.store().resource_version();
    create(&mut c, web(1, json!({})));
    steady(&mut c);
    let mut replay = Replay::new(c.clock().clone(), false);
    replay
        .check(c.store().changes_since(before).expect("the whole log"))
        .expect("no violation");
    super::invariants::check_converged_claims(&replay).expect("the claim is there");
    let claim = replay
        .claims
        .remove(&(NS.to_owned(), "www-web-0".to_owned()))
        .expect("claim www-web-0");
    let err = super::invariants::check_converged_claims(&replay).unwrap_err();
    assert!(err.contains("without its claim www-web-0"), "{err}");
    replay
        .claims
        .insert((NS.to_owned(), "www-web-0".to_owned()), claim);
    assert!(super::invariants::check_converged_claims(&replay).is_ok());
}

/// A first sync that creates web-0 and web-1 at once under OrderedReady breaks
/// assertMonotonicInvariants when the replay starts before the set exists (as the model
/// test's now does); started after the set's creation, the replay cannot tell whose pods
/// they are and lets the burst pass.
#[test]
fn ord_01_a_burst_in_the_first_sync_is_caught_by_a_replay_from_before_the_set() {
    use crate::sim::store::{Actor, Change};
    use std::sync::Arc;
    let mut c = cluster();
    create(&mut c, web(2, json!({})));
    let stored = set(&c);
    let pod = |name: &str| {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {
                "name": name, "namespace": NS,
                "labels": {"app": "nginx", "statefulset.kubernetes.io/pod-name": name},
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                    "uid": stored.metadata.uid, "controller": true, "blockOwnerDeletion": true,
                }],
            },
            "spec": {
                "hostname": name, "subdomain": "nginx", "containers": [{"name": "nginx"}],
                "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": format!("www-{name}")}}],
            },
        }))
        .expect("pod");
        Object::Pod(Box::new(pod))
    };
    let change = |rv: u64, actor: Actor, object: Object| Change {
        resource_version: rv,
        at: Duration::ZERO,
        change_type: ChangeType::Added,
        actor,
        object: Arc::new(object),
    };
    let log = vec![
        change(
            1,
            Actor::User,
            Object::StatefulSet(Box::new(stored.clone())),
        ),
        change(2, Actor::StatefulSetController, pod("web-0")),
        change(3, Actor::StatefulSetController, pod("web-1")),
    ];
    let err = Replay::new(c.clock().clone(), false)
        .check(log.clone())
        .unwrap_err();
    assert_eq!(err.invariant, "assertMonotonicInvariants", "{err}");
    assert_eq!(err.resource_version, 3, "{err}");
    assert!(
        Replay::new(c.clock().clone(), false)
            .check(log.into_iter().skip(1))
            .is_ok(),
        "without the set's creation the burst is not judged"
    );
}
