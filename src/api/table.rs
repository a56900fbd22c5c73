//! Server-side `Table`s: the columns and cells the API server's table printers
//! (`pkg/printers/internalversion/printers.go`) produce, so `kubectl get` and `get -w`
//! show READY, STATUS, RESTARTS and the rest; every row carries its object as
//! `PartialObjectMetadata` (or the whole object with `includeObject=Object`).

use crate::model::object::{Kind, Object};
use crate::model::selector::format_label_selector;
use crate::timeline::printer;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

/// What each row carries besides its cells (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object.
    None,
    /// `PartialObjectMetadata` (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Parses `includeObject`; anything unknown means the default.
    pub fn parse(s: Option<&str>) -> IncludeObject {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

struct Column {
    name: &'static str,
    kind: &'static str,
    format: &'static str,
    priority: u8,
    description: &'static str,
}

const fn col(name: &'static str, priority: u8, description: &'static str) -> Column {
    Column {
        name,
        kind: "string",
        format: "",
        priority,
        description,
    }
}

const NAME: Column = Column {
    name: "Name",
    kind: "string",
    format: "name",
    priority: 0,
    description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
};
const AGE: Column = col(
    "Age",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);

fn columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Pod => vec![
            NAME,
            col(
                "Ready",
                0,
                "The aggregate readiness state of this pod for accepting traffic.",
            ),
            col(
                "Status",
                0,
                "The aggregate status of the containers in this pod.",
            ),
            col(
                "Restarts",
                0,
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            ),
            AGE,
            col("IP", 1, "podIP address allocated to the pod."),
            col(
                "Node",
                1,
                "NodeName indicates in which node this pod is scheduled.",
            ),
            col(
                "Nominated Node",
                1,
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
            ),
            col(
                "Readiness Gates",
                1,
                "If specified, all readiness gates will be evaluated for pod readiness.",
            ),
        ],
        Kind::StatefulSet => vec![
            NAME,
            col("Ready", 0, "Number of the pod with ready state"),
            AGE,
            col("Containers", 1, "Names of each container in the template."),
            col(
                "Images",
                1,
                "Images referenced by each container in the template.",
            ),
        ],
        Kind::Service => vec![
            NAME,
            col("Type", 0, "type determines how the Service is exposed."),
            col(
                "Cluster-IP",
                0,
                "clusterIP is the IP address of the service.",
            ),
            col(
                "External-IP",
                0,
                "List of IP addresses for which nodes in the cluster will also accept traffic for this service.",
            ),
            col(
                "Port(s)",
                0,
                "The list of ports that are exposed by this service.",
            ),
            AGE,
            col(
                "Selector",
                1,
                "Route service traffic to pods with label keys and values matching this selector.",
            ),
        ],
        Kind::PersistentVolumeClaim => vec![
            NAME,
            col(
                "Status",
                0,
                "phase represents the current phase of PersistentVolumeClaim.",
            ),
            col(
                "Volume",
                0,
                "volumeName is the binding reference to the PersistentVolume backing this claim.",
            ),
            col(
                "Capacity",
                0,
                "capacity represents the actual resources of the underlying volume.",
            ),
            col(
                "Access Modes",
                0,
                "accessModes contains the actual access modes the volume backing the PVC has.",
            ),
            col(
                "StorageClass",
                0,
                "storageClassName is the name of the StorageClass required by the claim.",
            ),
            col(
                "VolumeAttributesClass",
                0,
                "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
            ),
            AGE,
            col(
                "VolumeMode",
                1,
                "volumeMode defines what type of volume is required by the claim.",
            ),
        ],
        Kind::PersistentVolume => vec![
            NAME,
            col(
                "Capacity",
                0,
                "capacity is the description of the persistent volume's resources and capacity.",
            ),
            col(
                "Access Modes",
                0,
                "accessModes contains all ways the volume can be mounted.",
            ),
            col(
                "Reclaim Policy",
                0,
                "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
            ),
            col(
                "Status",
                0,
                "phase indicates if a volume is available, bound to a claim, or released by a claim.",
            ),
            col(
                "Claim",
                0,
                "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
            ),
            col(
                "StorageClass",
                0,
                "storageClassName is the name of StorageClass to which this persistent volume belongs.",
            ),
            col(
                "VolumeAttributesClass",
                0,
                "Name of VolumeAttributesClass to which this persistent volume belongs.",
            ),
            col(
                "Reason",
                0,
                "reason is a brief CamelCase string that describes any failure.",
            ),
            AGE,
            col(
                "VolumeMode",
                1,
                "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
            ),
        ],
        Kind::ControllerRevision => vec![
            NAME,
            col("Controller", 0, "Controller of the object"),
            Column {
                kind: "integer",
                ..col(
                    "Revision",
                    0,
                    "Revision indicates the revision of the state represented by Data.",
                )
            },
            AGE,
        ],
        Kind::Namespace => vec![NAME, col("Status", 0, "The status of the namespace"), AGE],
        Kind::EndpointSlice => vec![
            NAME,
            col(
                "AddressType",
                0,
                "addressType specifies the type of address carried by this EndpointSlice.",
            ),
            col(
                "Ports",
                0,
                "ports specifies the list of network ports exposed by each endpoint in this slice.",
            ),
            col(
                "Endpoints",
                0,
                "endpoints is a list of unique endpoints in this slice.",
            ),
            AGE,
        ],
        // upstream: pkg/printers/internalversion/printers.go (configMap, secret, node columns)
        Kind::ConfigMap => vec![
            NAME,
            Column {
                kind: "integer",
                ..col("Data", 0, "Data contains the configuration data.")
            },
            AGE,
        ],
        Kind::Secret => vec![
            NAME,
            col(
                "Type",
                0,
                "Used to facilitate programmatic handling of secret data.",
            ),
            Column {
                kind: "integer",
                ..col("Data", 0, "Data contains the secret data.")
            },
            AGE,
        ],
        Kind::Node => vec![
            NAME,
            col("Status", 0, "The status of the node"),
            col("Roles", 0, "The roles of the node"),
            AGE,
            col("Version", 0, "Kubelet Version reported by the node."),
            col("Internal-IP", 1, "List of addresses reachable to the node."),
            col("External-IP", 1, "List of addresses reachable to the node."),
            col(
                "OS-Image",
                1,
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            ),
            col(
                "Kernel-Version",
                1,
                "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            ),
            col(
                "Container-Runtime",
                1,
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
            ),
        ],
        Kind::Event => vec![
            col(
                "Last Seen",
                0,
                "The time at which the most recent occurrence of this event was recorded.",
            ),
            col(
                "Type",
                0,
                "Type of this event (Normal, Warning), new types could be added in the future.",
            ),
            col(
                "Reason",
                0,
                "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
            ),
            col("Object", 0, "The object that this event is about."),
            col(
                "Message",
                0,
                "A human-readable description of the status of this operation.",
            ),
        ],
    }
}

/// The `columnDefinitions` of a kind's table.
pub fn column_definitions(kind: Kind) -> Value {
    Value::Array(
        columns(kind)
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "type": c.kind,
                    "format": c.format,
                    "description": c.description,
                    "priority": c.priority,
                })
            })
            .collect(),
    )
}

/// apimachinery `duration.HumanDuration`: `5s`, `2m3s`, `15m`, `3h4m`, `2d5h`, `3y`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` when unset.
fn since(time: Option<&Time>, now: Timestamp) -> String {
    match time {
        None => "<unknown>".into(),
        Some(t) => human_duration(now.duration_since(t.0).as_secs()),
    }
}

fn or_none(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => "<none>".into(),
    }
}

fn access_modes(modes: Option<&Vec<String>>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (long, short) in [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ] {
        if modes.is_some_and(|m| m.iter().any(|x| x == long)) {
            out.push(short);
        }
    }
    out.join(",")
}

/// The cells of one object's row.
pub fn cells(object: &Object, now: Timestamp) -> Vec<Value> {
    let meta = object.metadata();
    let name = json!(object.name());
    let age = json!(since(meta.creation_timestamp.as_ref(), now));
    match object {
        Object::Pod(pod) => {
            let status = pod.status.as_ref();
            let restarts = printer::restarts(pod);
            let last_restart = status
                .and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    c.last_state
                        .as_ref()?
                        .terminated
                        .as_ref()?
                        .finished_at
                        .as_ref()
                })
                .max_by_key(|t| t.0);
            let restarts = match last_restart {
                Some(t) if restarts > 0 => format!("{restarts} ({} ago)", since(Some(t), now)),
                _ => restarts.to_string(),
            };
            let spec = pod.spec.as_ref();
            let gates = spec
                .and_then(|s| s.readiness_gates.as_ref())
                .filter(|g| !g.is_empty());
            let gates = match gates {
                None => "<none>".to_owned(),
                Some(gates) => {
                    let conditions = status.and_then(|s| s.conditions.as_ref());
                    let true_count = gates
                        .iter()
                        .filter(|g| {
                            conditions.is_some_and(|cs| {
                                cs.iter()
                                    .any(|c| c.type_ == g.condition_type && c.status == "True")
                            })
                        })
                        .count();
                    format!("{true_count}/{}", gates.len())
                }
            };
            vec![
                name,
                json!(printer::ready_column(pod)),
                json!(printer::pod_status(pod)),
                json!(restarts),
                age,
                json!(or_none(status.and_then(|s| s.pod_ip.as_deref()))),
                json!(or_none(spec.and_then(|s| s.node_name.as_deref()))),
                json!(or_none(
                    status.and_then(|s| s.nominated_node_name.as_deref())
                )),
                json!(gates),
            ]
        }
        Object::StatefulSet(set) => {
            let desired = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let ready = set
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            let containers = set
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .map(|s| s.containers.as_slice())
                .unwrap_or(&[]);
            let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
            let images: Vec<&str> = containers
                .iter()
                .map(|c| c.image.as_deref().unwrap_or(""))
                .collect();
            vec![
                name,
                json!(format!("{ready}/{desired}")),
                age,
                json!(names.join(",")),
                json!(images.join(",")),
            ]
        }
        Object::Service(svc) => {
            let spec = svc.spec.as_ref();
            let type_ = spec
                .and_then(|s| s.type_.clone())
                .unwrap_or_else(|| "ClusterIP".into());
            let cluster_ip = or_none(spec.and_then(|s| s.cluster_ip.as_deref()));
            let mut external: Vec<String> = spec
                .and_then(|s| s.external_ips.clone())
                .unwrap_or_default();
            if type_ == "LoadBalancer" {
                for ing in svc
                    .status
                    .as_ref()
                    .and_then(|s| s.load_balancer.as_ref())
                    .and_then(|lb| lb.ingress.as_ref())
                    .into_iter()
                    .flatten()
                {
                    if let Some(ip) = ing.ip.clone().or_else(|| ing.hostname.clone()) {
                        external.push(ip);
                    }
                }
            }
            let external = match (type_.as_str(), external.is_empty()) {
                ("ExternalName", _) => or_none(spec.and_then(|s| s.external_name.as_deref())),
                ("LoadBalancer", true) => "<pending>".into(),
                (_, true) => "<none>".into(),
                (_, false) => external.join(","),
            };
            let ports: Vec<String> = spec
                .and_then(|s| s.ports.as_ref())
                .into_iter()
                .flatten()
                .map(|p| {
                    let protocol = p.protocol.as_deref().unwrap_or("TCP");
                    match p.node_port {
                        Some(np) if np != 0 => format!("{}:{np}/{protocol}", p.port),
                        _ => format!("{}/{protocol}", p.port),
                    }
                })
                .collect();
            let ports = if ports.is_empty() {
                "<none>".to_owned()
            } else {
                ports.join(",")
            };
            let selector: Vec<String> = spec
                .and_then(|s| s.selector.as_ref())
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let selector = if selector.is_empty() {
                "<none>".to_owned()
            } else {
                selector.join(",")
            };
            vec![
                name,
                json!(type_),
                json!(cluster_ip),
                json!(external),
                json!(ports),
                age,
                json!(selector),
            ]
        }
        Object::ConfigMap(cm) => {
            let data = cm.data.as_ref().map_or(0, |d| d.len())
                + cm.binary_data.as_ref().map_or(0, |d| d.len());
            vec![name, json!(data), age]
        }
        Object::Secret(secret) => {
            let data = secret.data.as_ref().map_or(0, |d| d.len());
            vec![
                name,
                json!(secret.type_.as_deref().unwrap_or("Opaque")),
                json!(data),
                age,
            ]
        }
        Object::Node(node) => {
            let status = node.status.as_ref();
            let ready = status
                .and_then(|s| s.conditions.as_ref())
                .into_iter()
                .flatten()
                .find(|c| c.type_ == "Ready");
            let mut state = match ready {
                Some(c) if c.status == "True" => "Ready".to_owned(),
                Some(_) => "NotReady".to_owned(),
                None => "Unknown".to_owned(),
            };
            if node
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
            {
                state.push_str(",SchedulingDisabled");
            }
            let roles: Vec<&str> = meta
                .labels
                .iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
                .filter(|r| !r.is_empty())
                .collect();
            let address = |kind: &str| {
                or_none(
                    status
                        .and_then(|s| s.addresses.as_ref())
                        .into_iter()
                        .flatten()
                        .find(|a| a.type_ == kind)
                        .map(|a| a.address.as_str()),
                )
            };
            let info = status.and_then(|s| s.node_info.as_ref());
            let field = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &str| {
                info.map(f).unwrap_or("<unknown>").to_owned()
            };
            vec![
                name,
                json!(state),
                json!(if roles.is_empty() {
                    "<none>".to_owned()
                } else {
                    roles.join(",")
                }),
                age,
                json!(field(|i| i.kubelet_version.as_str())),
                json!(address("InternalIP")),
                json!(address("ExternalIP")),
                json!(field(|i| i.os_image.as_str())),
                json!(field(|i| i.kernel_version.as_str())),
                json!(field(|i| i.container_runtime_version.as_str())),
            ]
        }
        Object::PersistentVolumeClaim(pvc) => {
            let spec = pvc.spec.as_ref();
            let status = pvc.status.as_ref();
            let mut phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
            if meta.deletion_timestamp.is_some() {
                phase = "Terminating".into();
            }
            let volume = spec.and_then(|s| s.volume_name.clone()).unwrap_or_default();
            let (capacity, modes) = if volume.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    status
                        .and_then(|s| s.capacity.as_ref())
                        .and_then(|c| c.get("storage"))
                        .map(|q| q.0.clone())
                        .unwrap_or_else(|| "0".into()),
                    access_modes(status.and_then(|s| s.access_modes.as_ref())),
                )
            };
            let class = spec
                .and_then(|s| s.storage_class_name.clone())
                .or_else(|| {
                    meta.annotations
                        .as_ref()
                        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
                        .cloned()
                })
                .unwrap_or_default();
            let vac = spec
                .and_then(|s| s.volume_attributes_class_name.clone())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<unset>".into());
            let mode = spec
                .and_then(|s| s.volume_mode.clone())
                .unwrap_or_else(|| "<unset>".into());
            vec![
                name,
                json!(phase),
                json!(volume),
                json!(capacity),
                json!(modes),
                json!(class),
                json!(vac),
                age,
                json!(mode),
            ]
        }
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.as_ref();
            let status = pv.status.as_ref();
            let capacity = spec
                .and_then(|s| s.capacity.as_ref())
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default();
            let claim = spec
                .and_then(|s| s.claim_ref.as_ref())
                .map(|c| {
                    format!(
                        "{}/{}",
                        c.namespace.as_deref().unwrap_or(""),
                        c.name.as_deref().unwrap_or("")
                    )
                })
                .unwrap_or_default();
            let mut phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
            if meta.deletion_timestamp.is_some() {
                phase = "Terminating".into();
            }
            vec![
                name,
                json!(capacity),
                json!(access_modes(spec.and_then(|s| s.access_modes.as_ref()))),
                json!(
                    spec.and_then(|s| s.persistent_volume_reclaim_policy.clone())
                        .unwrap_or_default()
                ),
                json!(phase),
                json!(claim),
                json!(
                    spec.and_then(|s| s.storage_class_name.clone())
                        .unwrap_or_default()
                ),
                json!(
                    spec.and_then(|s| s.volume_attributes_class_name.clone())
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "<unset>".into())
                ),
                json!(status.and_then(|s| s.reason.clone()).unwrap_or_default()),
                age,
                json!(
                    spec.and_then(|s| s.volume_mode.clone())
                        .unwrap_or_else(|| "<unset>".into())
                ),
            ]
        }
        Object::ControllerRevision(rev) => {
            let controller = meta
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| {
                    let group = o.api_version.split_once('/').map_or("", |(g, _)| g);
                    let kind = o.kind.to_ascii_lowercase();
                    if group.is_empty() {
                        format!("{kind}/{}", o.name)
                    } else {
                        format!("{kind}.{group}/{}", o.name)
                    }
                })
                .unwrap_or_else(|| "<none>".into());
            vec![name, json!(controller), json!(rev.revision), age]
        }
        Object::Namespace(ns) => {
            let phase = ns
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default();
            vec![name, json!(phase), age]
        }
        Object::EndpointSlice(slice) => {
            let ports: Vec<String> = slice
                .ports
                .iter()
                .flatten()
                .filter_map(|p| p.port.map(|p| p.to_string()))
                .collect();
            let ports = if ports.is_empty() {
                "<unset>".to_owned()
            } else {
                ports.join(",")
            };
            let addresses: Vec<&str> = slice
                .endpoints
                .iter()
                .flatten()
                .flat_map(|e| e.addresses.iter().map(String::as_str))
                .collect();
            let endpoints = match addresses.len() {
                0 => "<unset>".to_owned(),
                n if n > 3 => format!("{} + {} more...", addresses[..3].join(","), n - 3),
                _ => addresses.join(","),
            };
            vec![
                name,
                json!(slice.address_type),
                json!(ports),
                json!(endpoints),
                age,
            ]
        }
        Object::Event(ev) => {
            let last = ev
                .last_timestamp
                .as_ref()
                .or(ev.first_timestamp.as_ref())
                .or(meta.creation_timestamp.as_ref());
            let involved = &ev.involved_object;
            let object = format!(
                "{}/{}",
                involved.kind.as_deref().unwrap_or("").to_ascii_lowercase(),
                involved.name.as_deref().unwrap_or("")
            );
            vec![
                json!(since(last, now)),
                json!(ev.type_.clone().unwrap_or_default()),
                json!(ev.reason.clone().unwrap_or_default()),
                json!(object),
                json!(ev.message.clone().unwrap_or_default().trim()),
            ]
        }
    }
}

/// `PartialObjectMetadata` of an object.
pub fn partial_metadata(object: &Object, version: &str) -> Value {
    let mut meta = serde_json::to_value(object.metadata()).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut meta {
        m.remove("managedFields");
    }
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": meta,
    })
}

/// One row.
pub fn row(object: &Object, now: Timestamp, include: IncludeObject, version: &str) -> Value {
    let mut row = json!({ "cells": cells(object, now) });
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => row["object"] = partial_metadata(object, version),
        IncludeObject::Object => row["object"] = object.to_json(),
    }
    row
}

/// A whole Table; `list_meta` becomes its metadata (resourceVersion, continue, …).
pub fn table(
    kind: Kind,
    objects: &[&Object],
    list_meta: Value,
    include: IncludeObject,
    with_columns: bool,
    version: &str,
) -> Value {
    let now = Timestamp::now();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| row(o, now, include, version))
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_meta,
        "columnDefinitions": if with_columns { column_definitions(kind) } else { json!([]) },
        "rows": rows,
    })
}

/// Helper for callers that want the selector string of a set.
pub fn set_selector(object: &Object) -> String {
    match object {
        Object::StatefulSet(set) => set
            .spec
            .as_ref()
            .map(|s| format_label_selector(&s.selector))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fixtures;

    #[test]
    fn human_durations_match_apimachinery() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(125), "2m5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(50 * 3600), "2d2h");
        assert_eq!(human_duration(-5), "<invalid>");
    }

    #[test]
    fn every_kind_has_as_many_cells_as_columns() {
        let set = Object::StatefulSet(Box::new(fixtures::web(2, serde_json::json!({}))));
        let now = Timestamp::now();
        assert_eq!(cells(&set, now).len(), columns(Kind::StatefulSet).len());
        assert_eq!(cells(&set, now)[1], json!("0/2"));
        let svc = Object::Service(Box::new(fixtures::nginx_service()));
        assert_eq!(cells(&svc, now).len(), columns(Kind::Service).len());
        for kind in Kind::ALL {
            let obj = Object::from_json(
                kind,
                json!({"apiVersion": kind.api_version(), "kind": kind.as_str(), "metadata": {"name": "x"},
                       "involvedObject": {}, "addressType": "IPv4", "endpoints": []}),
            );
            if let Ok(obj) = obj {
                assert_eq!(cells(&obj, now).len(), columns(kind).len(), "{kind}");
            }
        }
    }
}
