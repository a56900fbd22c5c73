//! API-server defaulting (apps/v1 and core/v1 `SetDefaults_*`), applied in place (DEF-01..06, RET-07, MU-02).

use crate::model::behaviour::Behaviour;
use k8s_openapi::api::apps::v1::{
    RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetSpec, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    ClientIPConfig, Container, ContainerPort, EnvVar, EphemeralContainer, HTTPGetAction, Lifecycle,
    LifecycleHandler, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimStatus, Pod, PodSecurityContext, PodSpec, Probe, ResourceRequirements,
    Service, ServiceSpec, SessionAffinityConfig, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `v1.DefaultTerminationGracePeriodSeconds`.
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `v1.DefaultSchedulerName`.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `v1.TerminationMessagePathDefault`.
pub const DEFAULT_TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// Default `revisionHistoryLimit` of a StatefulSet (DEF-04).
pub const DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;
/// Default file mode (0644) of secret, configMap, downwardAPI and projected volumes.
const DEFAULT_VOLUME_MODE_BITS: i32 = 0o644;

fn set_if_none<T>(slot: &mut Option<T>, value: impl FnOnce() -> T) {
    if slot.is_none() {
        *slot = Some(value());
    }
}

fn set_if_empty(slot: &mut Option<String>, value: &str) {
    if slot.as_deref().is_none_or(str::is_empty) {
        *slot = Some(value.to_string());
    }
}

/// Defaults a StatefulSet as the apiserver does on create and update
/// (apps/v1 `SetDefaults_StatefulSet` plus the generated defaulters for its template and
/// claim templates).
///
/// * `replicas` → 1 (DEF-01); `podManagementPolicy` → `OrderedReady` (DEF-02);
/// * `updateStrategy` with an empty type → `RollingUpdate` with `rollingUpdate: {partition: 0}`;
///   an explicit `RollingUpdate` without `rollingUpdate` keeps it absent; a present
///   `rollingUpdate` of a RollingUpdate strategy gets `partition: 0` and, only when the
///   `MaxUnavailableStatefulSet` gate is on, `maxUnavailable: 1` (DEF-03, MU-02);
/// * `revisionHistoryLimit` → 10 (DEF-04);
/// * `persistentVolumeClaimRetentionPolicy` → Retain/Retain, a missing side → Retain (DEF-05, RET-07);
/// * no defaults for `ordinals`, `serviceName`, `minReadySeconds` (DEF-06);
/// * core defaults for `spec.template.spec` ([`default_pod_spec`]) and each
///   `volumeClaimTemplates` entry ([`default_pvc`]).
pub fn default_stateful_set(set: &mut StatefulSet, behaviour: &Behaviour) {
    let spec = set.spec.get_or_insert_with(StatefulSetSpec::default);
    set_if_empty(&mut spec.pod_management_policy, "OrderedReady");

    let strategy = spec
        .update_strategy
        .get_or_insert_with(StatefulSetUpdateStrategy::default);
    if strategy.type_.as_deref().is_none_or(str::is_empty) {
        strategy.type_ = Some("RollingUpdate".to_string());
        set_if_none(
            &mut strategy.rolling_update,
            RollingUpdateStatefulSetStrategy::default,
        );
    }
    if strategy.type_.as_deref() == Some("RollingUpdate")
        && let Some(rolling) = strategy.rolling_update.as_mut()
    {
        set_if_none(&mut rolling.partition, || 0);
        if behaviour.max_unavailable_stateful_set {
            set_if_none(&mut rolling.max_unavailable, || IntOrString::Int(1));
        }
    }

    let policy = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    set_if_empty(&mut policy.when_deleted, "Retain");
    set_if_empty(&mut policy.when_scaled, "Retain");

    set_if_none(&mut spec.replicas, || 1);
    set_if_none(&mut spec.revision_history_limit, || {
        DEFAULT_REVISION_HISTORY_LIMIT
    });

    default_pod_spec(spec.template.spec.get_or_insert_with(PodSpec::default));
    for claim in spec.volume_claim_templates.iter_mut().flatten() {
        default_pvc(claim);
    }
}

/// Drops fields of disabled features before create/update, as the StatefulSet strategy's
/// `dropStatefulSetDisabledFields`: with `MaxUnavailableStatefulSet` off,
/// `rollingUpdate.maxUnavailable` is cleared unless the stored object (`old`) already uses it
/// (MU-06).
pub fn drop_disabled_stateful_set_fields(
    new: &mut StatefulSet,
    old: Option<&StatefulSet>,
    behaviour: &Behaviour,
) {
    if behaviour.max_unavailable_stateful_set {
        return;
    }
    let in_use = old
        .and_then(|o| o.spec.as_ref())
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.as_ref())
        .is_some_and(|r| r.max_unavailable.is_some());
    if in_use {
        return;
    }
    if let Some(rolling) = new
        .spec
        .as_mut()
        .and_then(|s| s.update_strategy.as_mut())
        .and_then(|u| u.rolling_update.as_mut())
    {
        rolling.max_unavailable = None;
    }
}

/// core/v1 `SetDefaults_PodSpec` and the per-container, per-volume and per-probe defaults
/// that the generated defaulters apply to every pod spec (pods and pod templates):
///
/// `dnsPolicy: ClusterFirst`, `restartPolicy: Always`, `securityContext: {}`,
/// `terminationGracePeriodSeconds: 30`, `schedulerName: default-scheduler`; for every
/// (init, ephemeral) container `terminationMessagePath`, `terminationMessagePolicy: File`,
/// `imagePullPolicy` (Always for `:latest` or no tag, else IfNotPresent), port protocol TCP,
/// probe timings and HTTP probe path/scheme, `fieldRef.apiVersion: v1`; volume default modes.
///
/// `enableServiceLinks` is *not* set here: upstream sets it only on Pods ([`default_pod`]),
/// so it does not appear in StatefulSet templates or revision data.
pub fn default_pod_spec(spec: &mut PodSpec) {
    set_if_empty(&mut spec.dns_policy, "ClusterFirst");
    set_if_empty(&mut spec.restart_policy, "Always");
    set_if_none(&mut spec.security_context, PodSecurityContext::default);
    set_if_none(&mut spec.termination_grace_period_seconds, || {
        DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
    });
    set_if_empty(&mut spec.scheduler_name, DEFAULT_SCHEDULER_NAME);

    for c in spec.containers.iter_mut() {
        default_container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        default_container(c);
    }
    for c in spec.ephemeral_containers.iter_mut().flatten() {
        default_ephemeral_container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        default_volume(v);
    }
}

/// Defaults a Pod as the apiserver does on create: [`default_pod_spec`], then core/v1
/// `SetDefaults_Pod` (`enableServiceLinks: true`; container `resources.requests` filled
/// from `limits` where missing). The status is left alone.
pub fn default_pod(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    default_pod_spec(spec);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        if let Some(resources) = c.resources.as_mut() {
            requests_from_limits(resources);
        }
    }
    set_if_none(&mut spec.enable_service_links, || true);
}

fn requests_from_limits(resources: &mut ResourceRequirements) {
    let Some(limits) = resources.limits.as_ref() else {
        return;
    };
    let requests = resources.requests.get_or_insert_with(Default::default);
    for (k, v) in limits {
        requests.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// core/v1 `SetDefaults_Service`: `type: ClusterIP`, `sessionAffinity: None` (its config
/// dropped) or the ClientIP timeout 10800, port `protocol: TCP`, `targetPort` = `port` when
/// absent or zero, `externalTrafficPolicy: Cluster` for externally reachable types,
/// `internalTrafficPolicy: Cluster` for ClusterIP/NodePort/LoadBalancer, and
/// `allocateLoadBalancerNodePorts: true` for LoadBalancer.
pub fn default_service(svc: &mut Service) {
    let spec = svc.spec.get_or_insert_with(ServiceSpec::default);
    set_if_empty(&mut spec.session_affinity, "None");
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let cfg = spec
                .session_affinity_config
                .get_or_insert_with(SessionAffinityConfig::default);
            let ip = cfg.client_ip.get_or_insert_with(ClientIPConfig::default);
            set_if_none(&mut ip.timeout_seconds, || 10800);
        }
        _ => {}
    }
    set_if_empty(&mut spec.type_, "ClusterIP");
    for port in spec.ports.iter_mut().flatten() {
        set_if_empty(&mut port.protocol, "TCP");
        let unset = match &port.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            Some(IntOrString::Int(_)) => false,
        };
        if unset {
            port.target_port = Some(IntOrString::Int(port.port));
        }
    }
    let ty = spec.type_.clone().unwrap_or_default();
    let externally_accessible = ty == "LoadBalancer"
        || ty == "NodePort"
        || (ty == "ClusterIP"
            && spec
                .external_ips
                .as_ref()
                .is_some_and(|ips| !ips.is_empty()));
    if externally_accessible {
        set_if_empty(&mut spec.external_traffic_policy, "Cluster");
    }
    if matches!(ty.as_str(), "ClusterIP" | "NodePort" | "LoadBalancer") {
        set_if_none(&mut spec.internal_traffic_policy, || "Cluster".to_string());
    }
    if ty == "LoadBalancer" {
        set_if_none(&mut spec.allocate_load_balancer_node_ports, || true);
    }
}

/// core/v1 `SetDefaults_PersistentVolumeClaim` and `SetDefaults_PersistentVolumeClaimSpec`:
/// `spec.volumeMode: Filesystem` and `status.phase: Pending` when unset (which is why
/// `volumeClaimTemplates` entries read back with `status: {phase: Pending}`).
pub fn default_pvc(pvc: &mut PersistentVolumeClaim) {
    let spec = pvc
        .spec
        .get_or_insert_with(PersistentVolumeClaimSpec::default);
    set_if_empty(&mut spec.volume_mode, "Filesystem");
    let status = pvc
        .status
        .get_or_insert_with(PersistentVolumeClaimStatus::default);
    set_if_empty(&mut status.phase, "Pending");
}

/// The `imagePullPolicy` the apiserver picks for `image`: `Always` when the reference has
/// the tag `latest` or neither tag nor digest, otherwise `IfNotPresent` (also for an
/// unparsable reference, as upstream ignores the parse error).
pub fn default_image_pull_policy(image: &str) -> &'static str {
    match image_tag(image) {
        Some(tag) if tag == "latest" => "Always",
        _ => "IfNotPresent",
    }
}

/// The tag `parsers.ParseImageName` reports: the explicit tag, `latest` when there is
/// neither tag nor digest, `""` when there is only a digest, `None` when unparsable.
fn image_tag(image: &str) -> Option<String> {
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    if !plausible_repository(name) {
        return None;
    }
    if let Some(t) = tag {
        let b = t.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= 128
            && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
        if !ok {
            return None;
        }
    }
    if digest.is_some_and(|d| !d.contains(':')) {
        return None;
    }
    Some(match (tag, digest) {
        (Some(t), _) => t.to_string(),
        (None, Some(_)) => String::new(),
        (None, None) => "latest".to_string(),
    })
}

/// A loose check of a docker repository name: non-empty, path components lower case.
fn plausible_repository(name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let mut parts = name.split('/').peekable();
    let first = parts.next().unwrap_or_default();
    let has_more = parts.peek().is_some();
    let first_is_domain =
        has_more && (first.contains('.') || first.contains(':') || first == "localhost");
    let path_ok = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
            })
    };
    let first_ok = if first_is_domain {
        !first.is_empty()
            && first
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']'))
    } else {
        path_ok(first)
    };
    first_ok && parts.all(path_ok)
}

fn default_container(c: &mut Container) {
    if c.image_pull_policy.as_deref().is_none_or(str::is_empty) {
        let image = c.image.clone().unwrap_or_default();
        c.image_pull_policy = Some(default_image_pull_policy(&image).to_string());
    }
    set_if_empty(
        &mut c.termination_message_path,
        DEFAULT_TERMINATION_MESSAGE_PATH,
    );
    set_if_empty(&mut c.termination_message_policy, "File");
    default_ports(c.ports.iter_mut().flatten());
    default_env(c.env.iter_mut().flatten());
    for p in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        default_probe(p);
    }
    if let Some(l) = c.lifecycle.as_mut() {
        default_lifecycle(l);
    }
}

fn default_ephemeral_container(c: &mut EphemeralContainer) {
    if c.image_pull_policy.as_deref().is_none_or(str::is_empty) {
        let image = c.image.clone().unwrap_or_default();
        c.image_pull_policy = Some(default_image_pull_policy(&image).to_string());
    }
    set_if_empty(
        &mut c.termination_message_path,
        DEFAULT_TERMINATION_MESSAGE_PATH,
    );
    set_if_empty(&mut c.termination_message_policy, "File");
    default_ports(c.ports.iter_mut().flatten());
    default_env(c.env.iter_mut().flatten());
    for p in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        default_probe(p);
    }
    if let Some(l) = c.lifecycle.as_mut() {
        default_lifecycle(l);
    }
}

fn default_ports<'a>(ports: impl Iterator<Item = &'a mut ContainerPort>) {
    for p in ports {
        set_if_empty(&mut p.protocol, "TCP");
    }
}

fn default_env<'a>(env: impl Iterator<Item = &'a mut EnvVar>) {
    for e in env {
        if let Some(field_ref) = e.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            set_if_empty(&mut field_ref.api_version, "v1");
        }
    }
}

/// core/v1 `SetDefaults_Probe` (zero counts as unset: the Go fields are plain int32) and
/// `SetDefaults_HTTPGetAction`.
fn default_probe(p: &mut Probe) {
    for (field, value) in [
        (&mut p.timeout_seconds, 1),
        (&mut p.period_seconds, 10),
        (&mut p.success_threshold, 1),
        (&mut p.failure_threshold, 3),
    ] {
        if field.is_none_or(|v| v == 0) {
            *field = Some(value);
        }
    }
    if let Some(h) = p.http_get.as_mut() {
        default_http_get(h);
    }
}

fn default_http_get(h: &mut HTTPGetAction) {
    set_if_empty(&mut h.path, "/");
    set_if_empty(&mut h.scheme, "HTTP");
}

fn default_lifecycle(l: &mut Lifecycle) {
    for h in [&mut l.post_start, &mut l.pre_stop].into_iter().flatten() {
        default_lifecycle_handler(h);
    }
}

fn default_lifecycle_handler(h: &mut LifecycleHandler) {
    if let Some(g) = h.http_get.as_mut() {
        default_http_get(g);
    }
}

/// core/v1 `SetDefaults_Volume` (no source → `emptyDir: {}`) and the volume-source defaults
/// that matter for the shapes a harness uses.
fn default_volume(v: &mut Volume) {
    // Every field but `name` is a volume source; a volume with none set equals a bare one.
    let has_source = *v
        != Volume {
            name: v.name.clone(),
            ..Default::default()
        };
    if !has_source {
        v.empty_dir = Some(Default::default());
    }
    if let Some(s) = v.secret.as_mut() {
        set_if_none(&mut s.default_mode, || DEFAULT_VOLUME_MODE_BITS);
    }
    if let Some(s) = v.config_map.as_mut() {
        set_if_none(&mut s.default_mode, || DEFAULT_VOLUME_MODE_BITS);
    }
    if let Some(s) = v.downward_api.as_mut() {
        set_if_none(&mut s.default_mode, || DEFAULT_VOLUME_MODE_BITS);
        for item in s.items.iter_mut().flatten() {
            if let Some(f) = item.field_ref.as_mut() {
                set_if_empty(&mut f.api_version, "v1");
            }
        }
    }
    if let Some(s) = v.projected.as_mut() {
        set_if_none(&mut s.default_mode, || DEFAULT_VOLUME_MODE_BITS);
    }
    if let Some(s) = v.host_path.as_mut() {
        set_if_none(&mut s.type_, String::new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::PodTemplateSpec;
    use serde_json::json;

    fn sts(spec: serde_json::Value) -> StatefulSet {
        serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web"},
            "spec": spec,
        }))
        .unwrap_or_else(|e| panic!("fixture: {e}"))
    }

    fn base() -> serde_json::Value {
        json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}},
        })
    }

    fn defaulted(spec: serde_json::Value, gate: bool) -> StatefulSetSpec {
        let mut set = sts(spec);
        let behaviour = Behaviour {
            max_unavailable_stateful_set: gate,
            ..Behaviour::default()
        };
        default_stateful_set(&mut set, &behaviour);
        set.spec.unwrap_or_default()
    }

    fn with(mut v: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
        v[key] = value;
        v
    }

    #[test]
    fn def_01_replicas_default_to_1() {
        assert_eq!(defaulted(base(), false).replicas, Some(1));
        assert_eq!(
            defaulted(with(base(), "replicas", json!(0)), false).replicas,
            Some(0)
        );
    }

    #[test]
    fn def_02_pod_management_policy_defaults_to_ordered_ready() {
        assert_eq!(
            defaulted(base(), false).pod_management_policy.as_deref(),
            Some("OrderedReady")
        );
        let spec = defaulted(
            with(base(), "podManagementPolicy", json!("Parallel")),
            false,
        );
        assert_eq!(spec.pod_management_policy.as_deref(), Some("Parallel"));
    }

    #[test]
    fn def_03_omitted_update_strategy_gets_rolling_update_with_partition_0() {
        let s = defaulted(base(), false).update_strategy.unwrap_or_default();
        assert_eq!(
            serde_json::to_value(&s).ok(),
            Some(json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}))
        );
    }

    #[test]
    fn def_03_explicit_rolling_update_without_parameters_stays_nil() {
        let spec = with(base(), "updateStrategy", json!({"type": "RollingUpdate"}));
        let s = defaulted(spec.clone(), false)
            .update_strategy
            .unwrap_or_default();
        assert_eq!(s.rolling_update, None);
        let s = defaulted(spec, true).update_strategy.unwrap_or_default();
        assert_eq!(
            s.rolling_update, None,
            "the gate does not create rollingUpdate either"
        );
    }

    #[test]
    fn def_03_present_rolling_update_gets_partition_0() {
        let spec = with(
            base(),
            "updateStrategy",
            json!({"type": "RollingUpdate", "rollingUpdate": {}}),
        );
        let s = defaulted(spec, false).update_strategy.unwrap_or_default();
        assert_eq!(s.rolling_update.and_then(|r| r.partition), Some(0));
        let spec = with(
            base(),
            "updateStrategy",
            json!({"rollingUpdate": {"partition": 3}}),
        );
        let s = defaulted(spec, false).update_strategy.unwrap_or_default();
        assert_eq!(s.type_.as_deref(), Some("RollingUpdate"));
        assert_eq!(s.rolling_update.and_then(|r| r.partition), Some(3));
    }

    #[test]
    fn def_03_on_delete_gets_no_rolling_update() {
        let spec = with(base(), "updateStrategy", json!({"type": "OnDelete"}));
        let s = defaulted(spec, true).update_strategy.unwrap_or_default();
        assert_eq!(s.rolling_update, None);
    }

    #[test]
    fn mu_02_max_unavailable_defaults_to_1_only_with_the_gate() {
        let s = defaulted(base(), true).update_strategy.unwrap_or_default();
        assert_eq!(
            s.rolling_update.and_then(|r| r.max_unavailable),
            Some(IntOrString::Int(1))
        );
        let s = defaulted(base(), false).update_strategy.unwrap_or_default();
        assert_eq!(s.rolling_update.and_then(|r| r.max_unavailable), None);
    }

    #[test]
    fn mu_06_gate_off_drops_max_unavailable_unless_already_in_use() {
        let spec = with(
            base(),
            "updateStrategy",
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}),
        );
        let off = Behaviour::default();
        let mut new = sts(spec.clone());
        drop_disabled_stateful_set_fields(&mut new, None, &off);
        let ru = new
            .spec
            .and_then(|s| s.update_strategy)
            .and_then(|u| u.rolling_update);
        assert_eq!(ru.and_then(|r| r.max_unavailable), None);

        let old = sts(spec.clone());
        let mut new = sts(spec);
        drop_disabled_stateful_set_fields(&mut new, Some(&old), &off);
        let ru = new
            .spec
            .and_then(|s| s.update_strategy)
            .and_then(|u| u.rolling_update);
        assert_eq!(
            ru.and_then(|r| r.max_unavailable),
            Some(IntOrString::Int(2))
        );
    }

    #[test]
    fn def_04_revision_history_limit_defaults_to_10() {
        assert_eq!(defaulted(base(), false).revision_history_limit, Some(10));
        let spec = defaulted(with(base(), "revisionHistoryLimit", json!(-1)), false);
        assert_eq!(spec.revision_history_limit, Some(-1));
    }

    #[test]
    fn def_05_ret_07_retention_policy_defaults_to_retain() {
        let p = defaulted(base(), false).persistent_volume_claim_retention_policy;
        assert_eq!(
            serde_json::to_value(p).ok(),
            Some(json!({"whenDeleted": "Retain", "whenScaled": "Retain"}))
        );
        let spec = with(
            base(),
            "persistentVolumeClaimRetentionPolicy",
            json!({"whenScaled": "Delete"}),
        );
        let p = defaulted(spec, false).persistent_volume_claim_retention_policy;
        assert_eq!(
            serde_json::to_value(p).ok(),
            Some(json!({"whenDeleted": "Retain", "whenScaled": "Delete"}))
        );
    }

    #[test]
    fn def_06_no_defaults_for_ordinals_service_name_min_ready_seconds() {
        let spec = defaulted(base(), false);
        assert_eq!(spec.ordinals, None);
        assert_eq!(spec.service_name, None);
        assert_eq!(spec.min_ready_seconds, None);
    }

    #[test]
    fn def_06_template_gets_core_pod_defaults() {
        let spec = defaulted(base(), false);
        let pod = spec.template.spec.unwrap_or_default();
        let v = serde_json::to_value(&pod).unwrap_or_default();
        assert_eq!(v["restartPolicy"], "Always");
        assert_eq!(v["terminationGracePeriodSeconds"], 30);
        assert_eq!(v["dnsPolicy"], "ClusterFirst");
        assert_eq!(v["schedulerName"], "default-scheduler");
        assert_eq!(v["securityContext"], json!({}));
        assert!(
            v.get("enableServiceLinks").is_none(),
            "templates do not get enableServiceLinks"
        );
        let c = &v["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(c["terminationMessagePolicy"], "File");
    }

    #[test]
    fn def_06_claim_templates_get_volume_mode_and_pending_phase() {
        let spec = with(
            base(),
            "volumeClaimTemplates",
            json!([{"metadata": {"name": "www"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]),
        );
        let spec = defaulted(spec, false);
        let claims = spec.volume_claim_templates.unwrap_or_default();
        let v = serde_json::to_value(&claims[0]).unwrap_or_default();
        assert_eq!(v["spec"]["volumeMode"], "Filesystem");
        assert_eq!(v["status"]["phase"], "Pending");
    }

    #[test]
    fn image_pull_policy_follows_the_tag() {
        assert_eq!(default_image_pull_policy("nginx"), "Always");
        assert_eq!(default_image_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_image_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(
            default_image_pull_policy("registry.k8s.io/nginx-slim:0.8"),
            "IfNotPresent"
        );
        assert_eq!(default_image_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(
            default_image_pull_policy("localhost:5000/app:v1"),
            "IfNotPresent"
        );
        assert_eq!(
            default_image_pull_policy(
                "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ),
            "IfNotPresent"
        );
        assert_eq!(default_image_pull_policy(""), "IfNotPresent");
    }

    #[test]
    fn pod_defaults_include_service_links_and_requests_from_limits() {
        let mut pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                "ports": [{"containerPort": 80}],
                "readinessProbe": {"httpGet": {"port": 80}},
                "resources": {"limits": {"cpu": "1"}}}],
                "volumes": [{"name": "scratch"}, {"name": "cm", "configMap": {"name": "x"}}]},
        }))
        .unwrap_or_default();
        default_pod(&mut pod);
        let v = serde_json::to_value(&pod).unwrap_or_default();
        let spec = &v["spec"];
        assert_eq!(spec["enableServiceLinks"], true);
        let c = &spec["containers"][0];
        assert_eq!(c["imagePullPolicy"], "Always");
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(c["resources"]["requests"]["cpu"], "1");
        assert_eq!(
            c["readinessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                   "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        assert_eq!(spec["volumes"][0]["emptyDir"], json!({}));
        assert_eq!(spec["volumes"][1]["configMap"]["defaultMode"], 420);
        assert!(spec["volumes"][1].get("emptyDir").is_none());
        assert!(v.get("status").is_none());
    }

    #[test]
    fn service_defaults() {
        let mut svc: Service = serde_json::from_value(json!({
            "metadata": {"name": "nginx"},
            "spec": {"clusterIP": "None", "ports": [{"port": 80, "name": "web"}], "selector": {"app": "nginx"}},
        }))
        .unwrap_or_default();
        default_service(&mut svc);
        let v = serde_json::to_value(&svc).unwrap_or_default();
        let spec = &v["spec"];
        assert_eq!(spec["type"], "ClusterIP");
        assert_eq!(spec["sessionAffinity"], "None");
        assert_eq!(spec["internalTrafficPolicy"], "Cluster");
        assert_eq!(
            spec["ports"][0],
            json!({"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert!(spec.get("externalTrafficPolicy").is_none());
    }

    #[test]
    fn pvc_defaults() {
        let mut pvc = PersistentVolumeClaim::default();
        default_pvc(&mut pvc);
        assert_eq!(
            pvc.spec.and_then(|s| s.volume_mode).as_deref(),
            Some("Filesystem")
        );
        let mut set = StatefulSet {
            spec: Some(StatefulSetSpec {
                template: PodTemplateSpec::default(),
                ..Default::default()
            }),
            ..Default::default()
        };
        default_stateful_set(&mut set, &Behaviour::default());
        assert!(set.spec.and_then(|s| s.template.spec).is_some());
    }
}
