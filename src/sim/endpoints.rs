//! Endpoints and DNS: one EndpointSlice per selecting Service, with hostnames per
//! upstream's `ShouldSetHostname` rule and ready conditions (honouring
//! `publishNotReadyAddresses`), and a resolver answering A and SRV queries as cluster DNS
//! would from those slices (DNS-01..05).

use super::Cluster;
use super::Work;
use crate::model::names::{fnv1_32, safe_encode_string};
use crate::model::object::{Kind, Object};
use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::{BTreeMap, BTreeSet};

/// The cluster DNS domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// Most endpoints one slice holds, as upstream's `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// What the endpoint-slice controller remembers per Service: which slice each pod's
/// endpoint lives in, so a pod change rewrites one slice of at most 100 endpoints
/// instead of rebuilding every endpoint of the Service.
#[derive(Debug, Default)]
pub struct EndpointsState {
    services: BTreeMap<(String, String), ServiceEndpoints>,
}

#[derive(Debug, Default)]
struct ServiceEndpoints {
    /// Pod name → slice index.
    assignment: BTreeMap<String, usize>,
    /// Per slice: pod name → endpoint.
    slices: Vec<BTreeMap<String, Endpoint>>,
    /// Pods whose endpoint must be recomputed.
    dirty_pods: BTreeSet<String>,
    /// Recompute every selected pod (the Service itself changed).
    rebuild: bool,
}

pub(crate) fn on_pod_change(cluster: &mut Cluster, pod: &Object) {
    let Object::Pod(pod) = pod else { return };
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let services: Vec<String> = cluster
        .store
        .list(Kind::Service, Some(&ns))
        .filter_map(|s| match s.as_ref() {
            Object::Service(svc) => {
                let svc_name = svc.metadata.name.clone()?;
                let listed = cluster
                    .endpoints
                    .services
                    .get(&(ns.clone(), svc_name.clone()))
                    .is_some_and(|e| e.assignment.contains_key(&name));
                (listed || service_selects(svc, pod)).then_some(svc_name)
            }
            _ => None,
        })
        .collect();
    for svc in services {
        cluster
            .endpoints
            .services
            .entry((ns.clone(), svc.clone()))
            .or_default()
            .dirty_pods
            .insert(name.clone());
        cluster.enqueue(Work::Endpoints(ns.clone(), svc));
    }
}

pub(crate) fn on_service_change(cluster: &mut Cluster, svc: &Object) {
    let key = (svc.namespace().to_owned(), svc.name().to_owned());
    cluster
        .endpoints
        .services
        .entry(key.clone())
        .or_default()
        .rebuild = true;
    cluster.enqueue(Work::Endpoints(key.0, key.1));
}

fn service_selects(svc: &Service, pod: &Pod) -> bool {
    let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    !sel.is_empty()
        && sel
            .iter()
            .all(|(k, v)| pod.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
}

/// upstream: pkg/controller/util/endpoint/controller_utils.go ShouldSetHostname
pub fn should_set_hostname(pod: &Pod, svc: &Service) -> bool {
    let spec = pod.spec.as_ref();
    let hostname = spec.and_then(|s| s.hostname.as_deref()).unwrap_or("");
    let subdomain = spec.and_then(|s| s.subdomain.as_deref()).unwrap_or("");
    !hostname.is_empty()
        && subdomain == svc.metadata.name.as_deref().unwrap_or("")
        && svc.metadata.namespace == pod.metadata.namespace
}

fn slice_name(service: &str, index: usize) -> String {
    let hash = safe_encode_string(&fnv1_32(&[service.as_bytes()]).to_string());
    let hash = &hash[..hash.len().min(5)];
    if index == 0 {
        format!("{service}-{hash}")
    } else {
        format!("{service}-{hash}-{index}")
    }
}

/// The endpoint of `pod` behind `svc`, if it has one (selected, with an IP).
fn endpoint_for(svc: &Service, pod: &Pod) -> Option<Endpoint> {
    if !service_selects(svc, pod) {
        return None;
    }
    let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone())?;
    let publish_not_ready = svc
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    Some(Endpoint {
        addresses: vec![ip],
        conditions: Some(EndpointConditions {
            ready: Some(publish_not_ready || (ready && !terminating)),
            serving: Some(publish_not_ready || ready),
            terminating: Some(terminating),
        }),
        hostname: should_set_hostname(pod, svc)
            .then(|| pod.spec.as_ref().and_then(|s| s.hostname.clone()))
            .flatten(),
        node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            uid: pod.metadata.uid.clone(),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Brings the endpoint slices of one Service up to date, rewriting only the slices whose
/// endpoints changed.
pub(crate) fn sync_service(cluster: &mut Cluster, namespace: &str, name: &str) {
    let key = (namespace.to_owned(), name.to_owned());
    let svc = match cluster.store.get(Kind::Service, namespace, name).as_deref() {
        Some(Object::Service(svc))
            if svc
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|s| !s.is_empty()) =>
        {
            svc.clone()
        }
        _ => {
            cluster.endpoints.services.remove(&key);
            return;
        }
    };
    let mut state = cluster.endpoints.services.remove(&key).unwrap_or_default();
    let mut dirty_slices: BTreeSet<usize> = BTreeSet::new();
    let pods: Vec<String> = if std::mem::take(&mut state.rebuild) {
        dirty_slices.extend(0..state.slices.len().max(1));
        let mut all: BTreeSet<String> = state.assignment.keys().cloned().collect();
        all.extend(
            cluster
                .store
                .list(Kind::Pod, Some(namespace))
                .map(|o| o.name().to_owned()),
        );
        state.dirty_pods.clear();
        all.into_iter().collect()
    } else {
        std::mem::take(&mut state.dirty_pods).into_iter().collect()
    };
    for pod_name in pods {
        let endpoint = match cluster
            .store
            .get(Kind::Pod, namespace, &pod_name)
            .as_deref()
        {
            Some(Object::Pod(pod)) => endpoint_for(&svc, pod),
            _ => None,
        };
        match (state.assignment.get(&pod_name).copied(), endpoint) {
            (Some(i), Some(ep)) => {
                if state.slices[i].get(&pod_name) != Some(&ep) {
                    state.slices[i].insert(pod_name, ep);
                    dirty_slices.insert(i);
                }
            }
            (Some(i), None) => {
                state.slices[i].remove(&pod_name);
                state.assignment.remove(&pod_name);
                dirty_slices.insert(i);
            }
            (None, Some(ep)) => {
                let i = match state
                    .slices
                    .iter()
                    .position(|s| s.len() < MAX_ENDPOINTS_PER_SLICE)
                {
                    Some(i) => i,
                    None => {
                        state.slices.push(BTreeMap::new());
                        state.slices.len() - 1
                    }
                };
                state.slices[i].insert(pod_name.clone(), ep);
                state.assignment.insert(pod_name, i);
                dirty_slices.insert(i);
            }
            (None, None) => {}
        }
    }
    let ports: Option<Vec<EndpointPort>> =
        svc.spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .map(|ports| {
                ports
                    .iter()
                    .map(|p| EndpointPort {
                        name: p.name.clone(),
                        port: Some(p.port),
                        protocol: p.protocol.clone(),
                        app_protocol: p.app_protocol.clone(),
                    })
                    .collect()
            });
    for i in dirty_slices {
        let endpoints: Vec<Endpoint> = state
            .slices
            .get(i)
            .map(|s| s.values().cloned().collect())
            .unwrap_or_default();
        write_slice(cluster, &svc, namespace, name, i, endpoints, ports.clone());
    }
    cluster.endpoints.services.insert(key, state);
}

fn write_slice(
    cluster: &mut Cluster,
    svc: &Service,
    namespace: &str,
    name: &str,
    index: usize,
    endpoints: Vec<Endpoint>,
    ports: Option<Vec<EndpointPort>>,
) {
    let slice_name = slice_name(name, index);
    let existing = cluster
        .store
        .get(Kind::EndpointSlice, namespace, &slice_name)
        .map(|o| o.as_ref().clone());
    if endpoints.is_empty() && index > 0 {
        if existing.is_some() {
            let _ = cluster.delete(
                Kind::EndpointSlice,
                namespace,
                &slice_name,
                &super::apiserver::DeleteOptions::default(),
            );
        }
        return;
    }
    let slice = EndpointSlice {
        metadata: ObjectMeta {
            name: Some(slice_name),
            namespace: Some(namespace.into()),
            labels: Some(BTreeMap::from([
                (SERVICE_NAME_LABEL.to_owned(), name.to_owned()),
                (
                    "endpointslice.kubernetes.io/managed-by".to_owned(),
                    "endpointslice-controller.k8s.io".to_owned(),
                ),
            ])),
            owner_references: Some(vec![OwnerReference {
                api_version: "v1".into(),
                kind: "Service".into(),
                name: name.into(),
                uid: svc.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: Some(endpoints),
        ports,
    };
    match existing {
        Some(Object::EndpointSlice(old)) => {
            if old.endpoints == slice.endpoints && old.ports == slice.ports {
                return;
            }
            let _ = cluster.update(Object::EndpointSlice(Box::new(slice)));
        }
        _ => {
            let _ = cluster.create(Object::EndpointSlice(Box::new(slice)));
        }
    }
}

/// One DNS answer record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Record {
    /// An A record: name → IPv4 address.
    A { name: String, ip: String },
    /// An SRV record: name → target:port.
    Srv {
        name: String,
        target: String,
        port: i32,
    },
}

/// The record types the resolver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    A,
    Srv,
}

impl Cluster {
    /// Answers a DNS query as cluster DNS would (kubernetes/dns specification 1.0.1).
    /// An empty answer is NXDOMAIN.
    pub fn resolve(&self, query: &str, qtype: QueryType) -> Vec<Record> {
        let query = query.trim_end_matches('.');
        let Some(base) = query.strip_suffix(&format!(".svc.{CLUSTER_DOMAIN}")) else {
            return Vec::new();
        };
        let labels: Vec<&str> = base.split('.').collect();
        let mut answers = match (qtype, labels.as_slice()) {
            (QueryType::A, [svc, ns]) => {
                self.endpoint_records(ns, svc, None, |_, hostname, ip, _| {
                    let _ = hostname;
                    Some(Record::A {
                        name: query.to_owned(),
                        ip: ip.to_owned(),
                    })
                })
            }
            (QueryType::A, [host, svc, ns]) => {
                self.endpoint_records(ns, svc, None, |_, hostname, ip, _| {
                    (hostname == Some(*host)).then(|| Record::A {
                        name: query.to_owned(),
                        ip: ip.to_owned(),
                    })
                })
            }
            (QueryType::Srv, [port, proto, svc, ns]) => {
                let (Some(port), Some(proto)) = (port.strip_prefix('_'), proto.strip_prefix('_'))
                else {
                    return Vec::new();
                };
                self.endpoint_records(ns, svc, Some((port, proto)), |svc_ns, hostname, _, port| {
                    let hostname = hostname?;
                    Some(Record::Srv {
                        name: query.to_owned(),
                        target: format!("{hostname}.{svc_ns}.svc.{CLUSTER_DOMAIN}"),
                        port,
                    })
                })
            }
            _ => Vec::new(),
        };
        answers.sort();
        answers.dedup();
        answers
    }

    fn endpoint_records(
        &self,
        namespace: &str,
        service: &str,
        named_port: Option<(&str, &str)>,
        make: impl Fn(&str, Option<&str>, &str, i32) -> Option<Record>,
    ) -> Vec<Record> {
        let service_object = self.store.get(Kind::Service, namespace, service);
        let Some(Object::Service(svc)) = service_object.as_deref() else {
            return Vec::new();
        };
        let headless = svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None");
        if !headless {
            return Vec::new();
        }
        let svc_ns = format!("{service}.{namespace}");
        let mut out = Vec::new();
        for object in self.store.list(Kind::EndpointSlice, Some(namespace)) {
            let Object::EndpointSlice(slice) = object.as_ref() else {
                continue;
            };
            let owned = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .is_some_and(|s| s == service);
            if !owned {
                continue;
            }
            let port = match named_port {
                None => 0,
                Some((name, proto)) => {
                    let found = slice.ports.iter().flatten().find(|p| {
                        p.name.as_deref() == Some(name)
                            && p.protocol
                                .as_deref()
                                .unwrap_or("TCP")
                                .eq_ignore_ascii_case(proto)
                    });
                    match found.and_then(|p| p.port) {
                        Some(port) => port,
                        None => continue,
                    }
                }
            };
            for endpoint in slice.endpoints.iter().flatten() {
                let ready = endpoint
                    .conditions
                    .as_ref()
                    .and_then(|c| c.ready)
                    .unwrap_or(true);
                if !ready {
                    continue;
                }
                for ip in &endpoint.addresses {
                    if let Some(r) = make(&svc_ns, endpoint.hostname.as_deref(), ip, port) {
                        out.push(r);
                    }
                }
            }
        }
        out
    }
}

/// The fully qualified DNS name of a pod behind a headless Service (DNS-04).
pub fn pod_fqdn(pod: &str, service: &str, namespace: &str) -> String {
    format!("{pod}.{service}.{namespace}.svc.{CLUSTER_DOMAIN}")
}
