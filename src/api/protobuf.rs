//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl 1.32+
//! sends for `kubectl create namespace|configmap|secret|service`: the `k8s\0` envelope
//! around a `runtime.Unknown`, whose `raw` bytes are the typed object. The typed objects
//! are decoded with `k8s-pb` and rewritten as the JSON the API would serve, so every
//! later step (type check, field validation, admission) is the JSON path's.

use super::status::StatusError;
use base64::Engine as _;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::runtime::Unknown;
use prost::Message as _;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The media type of Kubernetes protobuf.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The four bytes every Kubernetes protobuf message starts with.
const MAGIC: &[u8] = b"k8s\0";

/// The kinds whose protobuf bodies are understood (`kubectl create`'s typed generators
/// that make objects `serve` stores).
pub const KINDS: &[&str] = &["Namespace", "ConfigMap", "Secret", "Service"];

/// Decodes a protobuf request body into the object's JSON form.
///
/// # Errors
/// 400 for bytes that are not a Kubernetes protobuf message; 415 for a kind whose
/// protobuf form is not decoded here (JSON works for every kind).
pub fn decode(body: &[u8]) -> Result<Value, StatusError> {
    let envelope = body.strip_prefix(MAGIC).ok_or_else(|| {
        StatusError::bad_request(
            "the protobuf body does not start with the Kubernetes magic k8s\\0",
        )
    })?;
    let unknown = Unknown::decode(envelope).map_err(|e| {
        StatusError::bad_request(format!("the protobuf envelope does not decode: {e}"))
    })?;
    let type_meta = unknown.type_meta.unwrap_or_default();
    let api_version = type_meta.api_version.unwrap_or_default();
    let kind = type_meta.kind.unwrap_or_default();
    let raw = unknown.raw.unwrap_or_default();
    let bad = |e: prost::DecodeError| {
        StatusError::bad_request(format!("the protobuf {kind} does not decode: {e}"))
    };
    let mut object = match (api_version.as_str(), kind.as_str()) {
        ("v1", "Namespace") => namespace(core::Namespace::decode(raw.as_slice()).map_err(bad)?),
        ("v1", "ConfigMap") => config_map(core::ConfigMap::decode(raw.as_slice()).map_err(bad)?),
        ("v1", "Secret") => secret(core::Secret::decode(raw.as_slice()).map_err(bad)?),
        ("v1", "Service") => service(core::Service::decode(raw.as_slice()).map_err(bad)?),
        _ => {
            return Err(StatusError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "serve decodes protobuf bodies only for {} (got {api_version} {kind}): send it as application/json",
                    KINDS.join(", ")
                ),
            ));
        }
    };
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(object))
}

/// Sets `key` when the value says something (skips None, empty strings, lists and maps).
fn put(map: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    let value = value.into();
    let empty = match &value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.to_owned(), value);
    }
}

fn strings(map: BTreeMap<String, String>) -> Value {
    Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

fn base64_values(map: BTreeMap<String, Vec<u8>>) -> Value {
    let engine = base64::engine::general_purpose::STANDARD;
    Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, Value::String(engine.encode(v))))
            .collect(),
    )
}

fn object_meta(meta: Option<meta::ObjectMeta>) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(m) = meta else {
        return out;
    };
    put(&mut out, "name", m.name);
    put(&mut out, "generateName", m.generate_name);
    put(&mut out, "namespace", m.namespace);
    put(&mut out, "uid", m.uid);
    put(&mut out, "resourceVersion", m.resource_version);
    put(&mut out, "labels", strings(m.labels));
    put(&mut out, "annotations", strings(m.annotations));
    put(&mut out, "finalizers", m.finalizers);
    let owners: Vec<Value> = m
        .owner_references
        .into_iter()
        .map(|o| {
            let mut r = Map::new();
            put(&mut r, "apiVersion", o.api_version);
            put(&mut r, "kind", o.kind);
            put(&mut r, "name", o.name);
            put(&mut r, "uid", o.uid);
            put(&mut r, "controller", o.controller);
            put(&mut r, "blockOwnerDeletion", o.block_owner_deletion);
            Value::Object(r)
        })
        .collect();
    put(&mut out, "ownerReferences", owners);
    out
}

fn with_metadata(meta: Option<meta::ObjectMeta>) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("metadata".into(), Value::Object(object_meta(meta)));
    object
}

fn namespace(ns: core::Namespace) -> Map<String, Value> {
    let mut object = with_metadata(ns.metadata);
    if let Some(spec) = ns.spec {
        let mut s = Map::new();
        put(&mut s, "finalizers", spec.finalizers);
        put(&mut object, "spec", s);
    }
    object
}

fn config_map(cm: core::ConfigMap) -> Map<String, Value> {
    let mut object = with_metadata(cm.metadata);
    put(&mut object, "data", strings(cm.data));
    put(&mut object, "binaryData", base64_values(cm.binary_data));
    put(&mut object, "immutable", cm.immutable);
    object
}

fn secret(secret: core::Secret) -> Map<String, Value> {
    let mut object = with_metadata(secret.metadata);
    put(&mut object, "data", base64_values(secret.data));
    put(&mut object, "stringData", strings(secret.string_data));
    put(&mut object, "type", secret.r#type);
    put(&mut object, "immutable", secret.immutable);
    object
}

fn int_or_string(value: Option<k8s_pb::apimachinery::pkg::util::intstr::IntOrString>) -> Value {
    match value {
        // type 1 is a string, 0 (or absent) an int.
        Some(v) if v.r#type == Some(1) => v.str_val.map(Value::String).unwrap_or(Value::Null),
        Some(v) => v.int_val.map(Value::from).unwrap_or(Value::Null),
        None => Value::Null,
    }
}

fn service(svc: core::Service) -> Map<String, Value> {
    let mut object = with_metadata(svc.metadata);
    let Some(spec) = svc.spec else {
        return object;
    };
    let mut s = Map::new();
    let ports: Vec<Value> = spec
        .ports
        .into_iter()
        .map(|p| {
            let mut port = Map::new();
            put(&mut port, "name", p.name);
            put(&mut port, "protocol", p.protocol);
            put(&mut port, "appProtocol", p.app_protocol);
            put(&mut port, "port", p.port);
            put(&mut port, "targetPort", int_or_string(p.target_port));
            put(&mut port, "nodePort", p.node_port);
            Value::Object(port)
        })
        .collect();
    put(&mut s, "ports", ports);
    put(&mut s, "selector", strings(spec.selector));
    put(&mut s, "clusterIP", spec.cluster_ip);
    put(&mut s, "clusterIPs", spec.cluster_ips);
    put(&mut s, "type", spec.r#type);
    put(&mut s, "externalIPs", spec.external_ips);
    put(&mut s, "sessionAffinity", spec.session_affinity);
    put(&mut s, "loadBalancerIP", spec.load_balancer_ip);
    put(
        &mut s,
        "loadBalancerSourceRanges",
        spec.load_balancer_source_ranges,
    );
    put(&mut s, "externalName", spec.external_name);
    put(
        &mut s,
        "externalTrafficPolicy",
        spec.external_traffic_policy,
    );
    put(&mut s, "healthCheckNodePort", spec.health_check_node_port);
    put(
        &mut s,
        "publishNotReadyAddresses",
        spec.publish_not_ready_addresses,
    );
    if let Some(timeout) = spec
        .session_affinity_config
        .and_then(|c| c.client_ip)
        .and_then(|c| c.timeout_seconds)
    {
        s.insert(
            "sessionAffinityConfig".into(),
            json!({"clientIP": {"timeoutSeconds": timeout}}),
        );
    }
    put(&mut s, "ipFamilies", spec.ip_families);
    put(&mut s, "ipFamilyPolicy", spec.ip_family_policy);
    put(
        &mut s,
        "allocateLoadBalancerNodePorts",
        spec.allocate_load_balancer_node_ports,
    );
    put(&mut s, "loadBalancerClass", spec.load_balancer_class);
    put(
        &mut s,
        "internalTrafficPolicy",
        spec.internal_traffic_policy,
    );
    put(&mut s, "trafficDistribution", spec.traffic_distribution);
    object.insert("spec".into(), Value::Object(s));
    object
}

/// Encodes a typed object in the envelope kubectl sends (for tests and clients).
pub fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let unknown = Unknown {
        type_meta: Some(k8s_pb::apimachinery::pkg::runtime::TypeMeta {
            api_version: Some(api_version.to_owned()),
            kind: Some(kind.to_owned()),
        }),
        raw: Some(raw),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    };
    let mut out = MAGIC.to_vec();
    out.extend(unknown.encode_to_vec());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str) -> Option<meta::ObjectMeta> {
        Some(meta::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        })
    }

    #[test]
    fn a_namespace_decodes_to_its_json() {
        let raw = core::Namespace {
            metadata: meta("foo"),
            spec: Some(core::NamespaceSpec::default()),
            status: Some(core::NamespaceStatus::default()),
        }
        .encode_to_vec();
        assert_eq!(
            decode(&envelope("v1", "Namespace", raw)).expect("decodes"),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "foo"}})
        );
    }

    #[test]
    fn a_config_map_keeps_text_and_binary_data() {
        let raw = core::ConfigMap {
            metadata: meta("c"),
            data: BTreeMap::from([("a".to_owned(), "b".to_owned())]),
            binary_data: BTreeMap::from([("bin".to_owned(), vec![0, 1, 2])]),
            immutable: None,
        }
        .encode_to_vec();
        assert_eq!(
            decode(&envelope("v1", "ConfigMap", raw)).expect("decodes"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                   "data": {"a": "b"}, "binaryData": {"bin": "AAEC"}})
        );
    }

    #[test]
    fn a_service_keeps_ports_selector_and_cluster_ip() {
        let raw = core::Service {
            metadata: meta("nginx"),
            spec: Some(core::ServiceSpec {
                ports: vec![core::ServicePort {
                    name: Some("80-80".into()),
                    protocol: Some("TCP".into()),
                    port: Some(80),
                    target_port: Some(k8s_pb::apimachinery::pkg::util::intstr::IntOrString {
                        r#type: Some(0),
                        int_val: Some(8080),
                        str_val: Some(String::new()),
                    }),
                    ..Default::default()
                }],
                selector: BTreeMap::from([("app".to_owned(), "nginx".to_owned())]),
                cluster_ip: Some("None".into()),
                r#type: Some("ClusterIP".into()),
                ..Default::default()
            }),
            status: None,
        }
        .encode_to_vec();
        let value = decode(&envelope("v1", "Service", raw)).expect("decodes");
        assert_eq!(
            value["spec"],
            json!({"ports": [{"name": "80-80", "protocol": "TCP", "port": 80, "targetPort": 8080}],
                   "selector": {"app": "nginx"}, "clusterIP": "None", "type": "ClusterIP"})
        );
    }

    #[test]
    fn other_kinds_and_garbage_are_refused_clearly() {
        let err = decode(&envelope("v1", "Pod", Vec::new())).unwrap_err();
        assert_eq!(err.code, 415);
        assert!(
            err.message
                .contains("Namespace, ConfigMap, Secret, Service"),
            "{}",
            err.message
        );
        assert_eq!(decode(b"{}").unwrap_err().code, 400);
        assert_eq!(decode(b"k8s\0\xff\xff").unwrap_err().code, 400);
    }
}
