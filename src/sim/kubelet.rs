//! The scheduler and kubelet of the reference cluster: binding pods once their claims
//! exist, pod phases and conditions as a real kubelet reports them (Pending →
//! ContainerCreating → Running, Ready with lastTransitionTime), graceful termination, and
//! injectable faults (readiness, failure, eviction, images that never pull).
//!
//! It decides from each pod's record ([`crate::sim::pod_record`]) and writes status
//! through the store's `/status` path, which touches only the status: a pod is read
//! whole only to be bound, failed or terminated.
//!
//! Faults can be injected through [`Cluster`] methods or through pod annotations, which is
//! how tools outside the process (against `serve`) reach them:
//! * `stsconform.io/ready: "false"` — the readiness check fails while the annotation says so;
//! * `stsconform.io/fail: "true"` — the pod's containers exit with an error (phase Failed);
//!   `"evicted"` — the pod is evicted for node pressure (phase Failed, reason Evicted);
//! * images whose registry host ends in `.invalid` (RFC 2606) never pull, on any cluster.

use super::pod_record::{PodRecord, PodView};
use super::store::ChangeType;
use super::{Cluster, Work};
use crate::model::object::{Kind, Object};
use crate::sim::{FastHashMap, FastHashSet};
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::collections::BTreeSet;
use std::time::Duration;

/// Annotation that turns a pod's readiness off while it is "false".
pub const READY_ANNOTATION: &str = "stsconform.io/ready";
/// Annotation that makes a pod's containers fail ("true").
pub const FAIL_ANNOTATION: &str = "stsconform.io/fail";
/// The [`FAIL_ANNOTATION`] value that evicts the pod as node-pressure eviction does.
pub const EVICTED: &str = "evicted";
/// Reason and message of a node-pressure eviction.
const EVICTION: (&str, &str) = ("Evicted", "The node was low on resource: memory.");
/// The node every pod is bound to.
pub const NODE_NAME: &str = "sim-node-1";

/// The Node object of the simulated node, as its kubelet registers it: Ready, with the
/// address pods report as `hostIP` and the kubelet version of the modelled release, so
/// `kubectl get nodes` and `describe` read like a one-node cluster.
pub fn node(minor: u32, now: Time) -> k8s_openapi::api::core::v1::Node {
    use k8s_openapi::api::core::v1::{
        Node, NodeAddress, NodeCondition, NodeStatus, NodeSystemInfo,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    let labels = [
        ("kubernetes.io/hostname", NODE_NAME),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let condition = |type_: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    Node {
        metadata: ObjectMeta {
            name: Some(NODE_NAME.into()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: None,
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: "10.0.0.1".into(),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: NODE_NAME.into(),
                },
            ]),
            conditions: Some(vec![
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "the stsconform reference kubelet is posting ready status (it runs no containers)",
                ),
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                operating_system: "linux".into(),
                kubelet_version: format!("v1.{minor}.0"),
                kube_proxy_version: String::new(),
                os_image: "stsconform reference cluster".into(),
                kernel_version: "none".into(),
                container_runtime_version: "stsconform://simulated".into(),
                machine_id: String::new(),
                system_uuid: String::new(),
                boot_id: String::new(),
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}

/// Kubelet timings.
#[derive(Debug, Clone)]
pub struct KubeletConfig {
    /// From binding to containers running.
    pub start_delay: Duration,
    /// From a graceful delete to containers stopped (capped by the grace period).
    pub stop_delay: Duration,
    /// From ErrImagePull to ImagePullBackOff.
    pub image_backoff: Duration,
}

impl Default for KubeletConfig {
    fn default() -> Self {
        KubeletConfig {
            start_delay: Duration::from_secs(2),
            stop_delay: Duration::from_secs(1),
            image_backoff: Duration::from_secs(1),
        }
    }
}

/// What the kubelet remembers about the pods it runs, by pod uid.
#[derive(Debug, Default)]
pub struct KubeletState {
    start_due: FastHashMap<String, Duration>,
    stop_due: FastHashMap<String, Duration>,
    stopped: FastHashSet<String>,
    /// Pods (namespace, name) whose readiness check fails, across incarnations.
    unready: BTreeSet<(String, String)>,
    /// Pods waiting for a claim: (namespace, claim) → pod names.
    waiting_for_claim: FastHashMap<(String, String), BTreeSet<String>>,
    next_ip: u32,
}

impl KubeletState {
    /// Whether the kubelet has stopped this pod's containers (it may go once finalizers allow).
    pub fn has_stopped(&self, pod: &Pod) -> bool {
        pod.metadata
            .uid
            .as_ref()
            .is_some_and(|uid| self.stopped.contains(uid))
    }

    /// Drops memory of a deleted pod.
    pub fn forget(&mut self, uid: &str) {
        self.start_due.remove(uid);
        self.stop_due.remove(uid);
        self.stopped.remove(uid);
    }
}

pub(crate) fn on_pod_change(cluster: &mut Cluster, change_type: ChangeType, pod: &PodRecord) {
    if change_type == ChangeType::Deleted {
        cluster.kubelet.forget(pod.uid());
    } else {
        cluster.enqueue(Work::Kubelet(
            pod.namespace().unwrap_or_default().to_owned(),
            pod.name().to_owned(),
        ));
    }
}

pub(crate) fn on_claim_change(cluster: &mut Cluster, claim: &Object) {
    let key = (claim.namespace().to_owned(), claim.name().to_owned());
    if let Some(pods) = cluster.kubelet.waiting_for_claim.remove(&key) {
        for pod in pods {
            cluster.enqueue(Work::Kubelet(key.0.clone(), pod));
        }
    }
}

/// Whether any container image is one that can never be pulled.
pub fn image_never_pulls(pod: &impl PodView) -> bool {
    (0..).map_while(|i| pod.container(i)).any(|(_, image)| {
        let image = image.unwrap_or("");
        let host = image.split('/').next().unwrap_or("");
        image.contains('/') && (host.ends_with(".invalid") || host.contains(".invalid:"))
    })
}

fn condition(type_: &str, status: bool, time: &Time, reason: Option<&str>) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: if status { "True" } else { "False" }.into(),
        last_transition_time: Some(time.clone()),
        reason: reason.map(Into::into),
        ..Default::default()
    }
}

fn set_condition(
    status: &mut PodStatus,
    type_: &str,
    value: bool,
    time: &Time,
    reason: Option<&str>,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let wanted = if value { "True" } else { "False" };
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) if c.status == wanted => {}
        Some(c) => *c = condition(type_, value, time, reason),
        None => conditions.push(condition(type_, value, time, reason)),
    }
}

fn container_statuses(
    pod: &impl PodView,
    state: ContainerState,
    ready: bool,
    started: bool,
) -> Vec<ContainerStatus> {
    (0..)
        .map_while(|i| pod.container(i))
        .map(|(name, image)| ContainerStatus {
            name: name.to_owned(),
            image: image.unwrap_or_default().to_owned(),
            image_id: String::new(),
            ready,
            started: Some(started),
            restart_count: 0,
            state: Some(state.clone()),
            ..Default::default()
        })
        .collect()
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message,
        }),
        ..Default::default()
    }
}

fn waiting_reason(status: &PodStatus) -> Option<&str> {
    status
        .container_statuses
        .as_ref()?
        .first()?
        .state
        .as_ref()?
        .waiting
        .as_ref()?
        .reason
        .as_deref()
}

fn is_ready(pod: &impl PodView) -> bool {
    pod.ready_condition().is_some_and(|c| c.ready)
}

fn write_status(cluster: &mut Cluster, mut pod: Pod, status: PodStatus) {
    pod.status = Some(status);
    pod.metadata.resource_version = None;
    let _ = cluster.update_status(Object::Pod(Box::new(pod)));
}

/// Writes the status of the pod version `pod` describes, leaving its metadata and spec
/// unread. A conflict cannot happen within one work item; a pod deleted meanwhile is gone.
fn write_pod_status(cluster: &mut Cluster, pod: &PodRecord, status: PodStatus) {
    let now = cluster.now();
    let _ = cluster.store.update_pod_status(
        pod.namespace().unwrap_or_default(),
        pod.name(),
        pod.resource_version(),
        status,
        now,
    );
}

/// Advances one pod by one step of its lifecycle; idempotent.
pub(crate) fn sync_pod(cluster: &mut Cluster, namespace: &str, name: &str) {
    let Some(record) = cluster
        .store
        .version(Kind::Pod, namespace, name)
        .and_then(|v| v.pod_record().cloned())
    else {
        return;
    };
    if nothing_to_do(cluster, &*record) {
        return;
    }
    // The whole pod is read (and, if cold, decoded) only for writes beyond its status.
    let typed = |cluster: &Cluster| match cluster.store.get_owned(Kind::Pod, namespace, name) {
        Some(Object::Pod(pod)) => Some(*pod),
        _ => None,
    };
    let pod = &*record;
    let uid = pod.uid().to_owned();
    let now = cluster.now();
    let time = cluster.now_time();
    let scheduled = pod.node_name().is_some();

    if pod.deletion_timestamp().is_some() {
        if let Some(pod) = typed(cluster).filter(|_| scheduled) {
            terminate(cluster, pod, &uid, now, &time);
        }
        return;
    }
    if matches!(pod.phase(), "Failed" | "Succeeded") {
        return;
    }
    if !scheduled {
        if let Some(pod) = typed(cluster) {
            schedule(cluster, pod, &time);
        }
        return;
    }
    match pod.annotation(FAIL_ANNOTATION) {
        Some("true") => {
            if let Some(pod) = typed(cluster) {
                fail(cluster, pod, "Error", None);
            }
            return;
        }
        Some(EVICTED) => {
            if let Some(pod) = typed(cluster) {
                fail(cluster, pod, "ContainerStatusUnknown", Some(EVICTION));
            }
            return;
        }
        _ => {}
    }
    let Some(version) = cluster.store.version(Kind::Pod, namespace, name) else {
        return;
    };
    let mut status = version.pod_status().unwrap_or_default();
    if pod.phase() == "Pending" {
        match (
            cluster.kubelet.start_due.get(&uid).copied(),
            waiting_reason(&status),
        ) {
            (None, _) => {
                cluster
                    .kubelet
                    .start_due
                    .insert(uid.clone(), now + cluster.config.kubelet.start_delay);
                cluster.enqueue_after(
                    Work::Kubelet(namespace.into(), name.into()),
                    cluster.config.kubelet.start_delay,
                );
                status.host_ip = Some("10.0.0.1".into());
                status.start_time = Some(time.clone());
                set_condition(&mut status, "PodReadyToStartContainers", true, &time, None);
                set_condition(&mut status, "Initialized", true, &time, None);
                set_condition(
                    &mut status,
                    "Ready",
                    false,
                    &time,
                    Some("ContainersNotReady"),
                );
                set_condition(
                    &mut status,
                    "ContainersReady",
                    false,
                    &time,
                    Some("ContainersNotReady"),
                );
                status.container_statuses = Some(container_statuses(
                    pod,
                    waiting("ContainerCreating", None),
                    false,
                    false,
                ));
                write_pod_status(cluster, pod, status);
            }
            (Some(due), _) if due > now => {}
            (Some(_), reason) if image_never_pulls(pod) => {
                let next = match reason {
                    Some("ContainerCreating") => "ErrImagePull",
                    Some("ErrImagePull") => "ImagePullBackOff",
                    _ => "ErrImagePull",
                };
                if reason == Some("ImagePullBackOff") {
                    // Alternate back to ErrImagePull on the next pull attempt, as the kubelet does;
                    // in a deterministic run one cycle shows the pattern, so stop here.
                    return;
                }
                cluster
                    .kubelet
                    .start_due
                    .insert(uid.clone(), now + cluster.config.kubelet.image_backoff);
                cluster.enqueue_after(
                    Work::Kubelet(namespace.into(), name.into()),
                    cluster.config.kubelet.image_backoff,
                );
                let message = pod
                    .container(0)
                    .map(|(_, image)| format!("failed to pull image \"{}\"", image.unwrap_or("")));
                status.container_statuses = Some(container_statuses(
                    pod,
                    waiting(next, message),
                    false,
                    false,
                ));
                write_pod_status(cluster, pod, status);
            }
            (Some(_), _) => {
                let ready = readiness_ok(cluster, pod);
                status.phase = Some("Running".into());
                let ip = next_ip(cluster);
                status.pod_ip = Some(ip.clone());
                status.pod_ips = Some(vec![PodIP { ip }]);
                set_condition(
                    &mut status,
                    "ContainersReady",
                    ready,
                    &time,
                    (!ready).then_some("ContainersNotReady"),
                );
                set_condition(
                    &mut status,
                    "Ready",
                    ready,
                    &time,
                    (!ready).then_some("ContainersNotReady"),
                );
                let running = ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(time.clone()),
                    }),
                    ..Default::default()
                };
                status.container_statuses = Some(container_statuses(pod, running, ready, true));
                write_pod_status(cluster, pod, status);
            }
        }
        return;
    }
    // Running: follow the readiness check.
    let ready = readiness_ok(cluster, pod);
    if ready != is_ready(pod) {
        set_condition(
            &mut status,
            "ContainersReady",
            ready,
            &time,
            (!ready).then_some("ContainersNotReady"),
        );
        set_condition(
            &mut status,
            "Ready",
            ready,
            &time,
            (!ready).then_some("ContainersNotReady"),
        );
        for c in status.container_statuses.iter_mut().flatten() {
            c.ready = ready;
        }
        write_pod_status(cluster, pod, status);
    }
}

/// The common no-op syncs, decided without copying the pod: a pod waiting for its start
/// timer, a finished pod, and a running pod whose readiness already matches its check.
fn nothing_to_do(cluster: &Cluster, pod: &impl PodView) -> bool {
    if pod.deletion_timestamp().is_some()
        || matches!(pod.annotation(FAIL_ANNOTATION), Some("true" | EVICTED))
    {
        return false;
    }
    let scheduled = pod.node_name().is_some();
    let uid = pod.uid();
    match pod.phase() {
        "Failed" | "Succeeded" => true,
        "Pending" if scheduled => cluster
            .kubelet
            .start_due
            .get(uid)
            .is_some_and(|due| *due > cluster.now()),
        "Running" => readiness_ok(cluster, pod) == is_ready(pod),
        _ => false,
    }
}

fn readiness_ok(cluster: &Cluster, pod: &impl PodView) -> bool {
    let key = (
        pod.namespace().unwrap_or_default().to_owned(),
        pod.name().to_owned(),
    );
    pod.annotation(READY_ANNOTATION) != Some("false") && !cluster.kubelet.unready.contains(&key)
}

fn next_ip(cluster: &mut Cluster) -> String {
    let n = cluster.kubelet.next_ip;
    cluster.kubelet.next_ip += 1;
    format!("10.244.{}.{}", n / 250, n % 250 + 2)
}

fn schedule(cluster: &mut Cluster, mut pod: Pod, time: &Time) {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let missing: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.clone())
        .filter(|claim| {
            cluster
                .store
                .version(Kind::PersistentVolumeClaim, &namespace, claim)
                .is_none_or(|c| c.deleting())
        })
        .collect();
    if let Some(claim) = missing.first() {
        for claim in &missing {
            cluster
                .kubelet
                .waiting_for_claim
                .entry((namespace.clone(), claim.clone()))
                .or_default()
                .insert(name.clone());
        }
        let mut status = pod.status.clone().unwrap_or_default();
        let message = format!("persistentvolumeclaim \"{claim}\" not found");
        let already =
            status.conditions.iter().flatten().any(|c| {
                c.type_ == "PodScheduled" && c.message.as_deref() == Some(message.as_str())
            });
        if !already {
            let mut c = condition("PodScheduled", false, time, Some("Unschedulable"));
            c.message = Some(message);
            let conditions = status.conditions.get_or_insert_with(Vec::new);
            conditions.retain(|c| c.type_ != "PodScheduled");
            conditions.push(c);
            write_status(cluster, pod, status);
        }
        return;
    }
    // The binding subresource sets spec.nodeName and the PodScheduled condition in one
    // write, as the API server's pod binding does (assignPod).
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some(NODE_NAME.into());
    }
    pod.metadata.resource_version = None;
    let conditions = pod
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "PodScheduled");
    conditions.push(condition("PodScheduled", true, time, None));
    let _ = cluster
        .store
        .update(Object::Pod(Box::new(pod)), cluster.now());
}

fn terminate(cluster: &mut Cluster, pod: Pod, uid: &str, now: Duration, time: &Time) {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    if cluster.kubelet.stopped.contains(uid) {
        return;
    }
    let grace = Duration::from_secs(
        pod.metadata
            .deletion_grace_period_seconds
            .unwrap_or(0)
            .max(0) as u64,
    );
    let delay = grace.min(cluster.config.kubelet.stop_delay);
    let due = *cluster
        .kubelet
        .stop_due
        .entry(uid.to_owned())
        .or_insert(now + delay);
    if due > now {
        cluster.enqueue_after(Work::Kubelet(namespace, name), due - now);
        return;
    }
    cluster.kubelet.stopped.insert(uid.to_owned());
    if matches!(pod.phase(), "Running") {
        let mut status = pod.status.clone().unwrap_or_default();
        set_condition(
            &mut status,
            "ContainersReady",
            false,
            time,
            Some("ContainersNotReady"),
        );
        set_condition(
            &mut status,
            "Ready",
            false,
            time,
            Some("ContainersNotReady"),
        );
        let stopped = ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 0,
                reason: Some("Completed".into()),
                finished_at: Some(time.clone()),
                ..Default::default()
            }),
            ..Default::default()
        };
        status.container_statuses = Some(container_statuses(&pod, stopped, false, false));
        write_status(cluster, pod, status);
    }
    cluster.remove_terminated_pod(&namespace, &name);
}

fn fail(cluster: &mut Cluster, pod: Pod, reason: &str, pod_reason: Option<(&str, &str)>) {
    let time = cluster.now_time();
    let mut status = pod.status.clone().unwrap_or_default();
    status.phase = Some("Failed".into());
    if let Some((r, m)) = pod_reason {
        status.reason = Some(r.into());
        status.message = Some(m.into());
    }
    set_condition(
        &mut status,
        "ContainersReady",
        false,
        &time,
        Some("PodFailed"),
    );
    set_condition(&mut status, "Ready", false, &time, Some("PodFailed"));
    let terminated = ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: 1,
            reason: Some(reason.into()),
            finished_at: Some(time.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    status.container_statuses = Some(container_statuses(&pod, terminated, false, false));
    write_status(cluster, pod, status);
}

/// Fault injection on the reference kubelet.
impl Cluster {
    /// Makes the readiness check of pod `name` fail (`ready = false`) or pass again, for this
    /// and any later pod of that name.
    pub fn set_pod_readiness(&mut self, namespace: &str, name: &str, ready: bool) {
        let key = (namespace.to_owned(), name.to_owned());
        if ready {
            self.kubelet.unready.remove(&key);
        } else {
            self.kubelet.unready.insert(key);
        }
        self.enqueue(Work::Kubelet(namespace.into(), name.into()));
    }

    /// Makes the current pod `name` fail: its containers exit with an error, phase Failed.
    ///
    /// Returns false when there is no such running pod.
    pub fn fail_pod(&mut self, namespace: &str, name: &str) -> bool {
        match self.get_object(Kind::Pod, namespace, name) {
            Some(Object::Pod(pod)) if pod.metadata.deletion_timestamp.is_none() => {
                fail(self, *pod, "Error", None);
                true
            }
            _ => false,
        }
    }

    /// Evicts the current pod `name` as node-pressure eviction does: phase Failed, reason Evicted.
    ///
    /// Returns false when there is no such pod.
    pub fn evict_pod(&mut self, namespace: &str, name: &str) -> bool {
        match self.get_object(Kind::Pod, namespace, name) {
            Some(Object::Pod(pod)) if pod.metadata.deletion_timestamp.is_none() => {
                fail(self, *pod, "ContainerStatusUnknown", Some(EVICTION));
                true
            }
            _ => false,
        }
    }
}
