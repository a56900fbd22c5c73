//! Endpoints and DNS: one EndpointSlice per selecting Service, with hostnames per
//! upstream's `ShouldSetHostname` rule and ready conditions (honouring
//! `publishNotReadyAddresses`), and a resolver answering A and SRV queries as cluster DNS
//! would from those slices (DNS-01..05).

use super::Cluster;
use super::Work;
use super::pod_record::{PodRecord, PodView};
use super::store::{Actor, Change};
use crate::model::dns::{self, SERVICE_NAME_LABEL};
pub use crate::model::dns::{CLUSTER_DOMAIN, QueryType, Record, pod_fqdn};
use crate::model::names::{fnv1_32, safe_encode_string};
use crate::model::object::{Kind, Object};
use k8s_openapi::api::core::v1::{ObjectReference, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::{BTreeMap, BTreeSet};

/// Most endpoints one slice holds, as upstream's `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// What the endpoint-slice controller remembers per Service: which slice each pod's
/// endpoint lives in, so a pod change rewrites one slice of at most 100 endpoints
/// instead of rebuilding every endpoint of the Service. The endpoints themselves live only
/// in the stored slices: a copy here would cost as much memory again.
#[derive(Debug, Default)]
pub struct EndpointsState {
    services: BTreeMap<(String, String), ServiceEndpoints>,
}

#[derive(Debug, Default)]
struct ServiceEndpoints {
    /// Pod name → slice index.
    assignment: BTreeMap<String, usize>,
    /// Endpoints assigned to each slice.
    sizes: Vec<usize>,
    /// Pods changed since the last sync. The sync reads their endpoints from the pods'
    /// records, as upstream's reads the informer cache: nothing is held per change.
    pending: BTreeSet<String>,
    /// Recompute every selected pod (the Service or one of its slices changed).
    rebuild: bool,
}

pub(crate) fn on_pod_change(cluster: &mut Cluster, pod: &PodRecord) {
    let ns = pod.namespace().unwrap_or_default();
    let name = pod.name();
    let mut touched: Vec<String> = Vec::new();
    for object in cluster.store.list(Kind::Service, Some(ns)) {
        let Object::Service(svc) = object.as_ref() else {
            continue;
        };
        let Some(svc_name) = svc.metadata.name.as_deref() else {
            continue;
        };
        let listed = cluster
            .endpoints
            .services
            .get(&(ns.to_owned(), svc_name.to_owned()))
            .is_some_and(|e| e.assignment.contains_key(name));
        if listed || service_selects(svc, pod) {
            touched.push(svc_name.to_owned());
        }
    }
    for svc in touched {
        cluster
            .endpoints
            .services
            .entry((ns.to_owned(), svc.clone()))
            .or_default()
            .pending
            .insert(name.to_owned());
        cluster.enqueue(Work::Endpoints(ns.to_owned(), svc));
    }
}

/// A slice written by anyone but this controller is put right from the pods, as
/// upstream's controller does when it sees its slices changed under it.
pub(crate) fn on_slice_change(cluster: &mut Cluster, change: &Change) {
    if change.actor == Actor::Endpoints {
        return;
    }
    let Object::EndpointSlice(slice) = change.object.as_ref() else {
        return;
    };
    let Some(service) = slice
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(SERVICE_NAME_LABEL))
    else {
        return;
    };
    let key = (change.object.namespace().to_owned(), service.clone());
    if let Some(state) = cluster.endpoints.services.get_mut(&key) {
        state.rebuild = true;
        cluster.enqueue(Work::Endpoints(key.0, key.1));
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

fn service_selects(svc: &Service, pod: &impl PodView) -> bool {
    let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    !sel.is_empty() && sel.iter().all(|(k, v)| pod.label(k) == Some(v))
}

/// upstream: pkg/controller/util/endpoint/controller_utils.go ShouldSetHostname
pub fn should_set_hostname(pod: &impl PodView, svc: &Service) -> bool {
    let hostname = pod.hostname().unwrap_or("");
    let subdomain = pod.subdomain().unwrap_or("");
    !hostname.is_empty()
        && subdomain == svc.metadata.name.as_deref().unwrap_or("")
        && svc.metadata.namespace.as_deref() == pod.namespace()
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
fn endpoint_for(svc: &Service, pod: &impl PodView) -> Option<Endpoint> {
    if !service_selects(svc, pod) {
        return None;
    }
    let ip = pod.pod_ip()?.to_owned();
    let publish_not_ready = svc
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    let terminating = pod.deletion_timestamp().is_some();
    // upstream: podutil.IsPodReady reads the first Ready condition.
    let ready = pod.ready_condition().is_some_and(|c| c.ready);
    Some(Endpoint {
        addresses: vec![ip],
        conditions: Some(EndpointConditions {
            ready: Some(publish_not_ready || (ready && !terminating)),
            serving: Some(publish_not_ready || ready),
            terminating: Some(terminating),
        }),
        hostname: should_set_hostname(pod, svc)
            .then(|| pod.hostname().map(Into::into))
            .flatten(),
        node_name: pod.node_name().map(Into::into),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            name: Some(pod.name().to_owned()).filter(|n| !n.is_empty()),
            namespace: pod.namespace().map(Into::into),
            uid: Some(pod.uid().to_owned()).filter(|u| !u.is_empty()),
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
    let mut changed: BTreeMap<usize, BTreeMap<String, Option<Endpoint>>> = BTreeMap::new();
    let mut pending = std::mem::take(&mut state.pending);
    let rebuild = std::mem::take(&mut state.rebuild);
    if rebuild {
        pending.extend(state.assignment.keys().cloned());
        pending.extend(cluster.store.names(Kind::Pod, namespace).cloned());
        for i in 0..state.sizes.len().max(1) {
            changed.entry(i).or_default();
        }
    }
    for pod_name in pending {
        let endpoint = stored_endpoint(cluster, &svc, &pod_name);
        let slice = match (state.assignment.get(&pod_name).copied(), &endpoint) {
            (Some(i), Some(_)) => i,
            (Some(i), None) => {
                state.assignment.remove(&pod_name);
                state.sizes[i] -= 1;
                i
            }
            (None, Some(_)) => {
                let i = match state
                    .sizes
                    .iter()
                    .position(|&n| n < MAX_ENDPOINTS_PER_SLICE)
                {
                    Some(i) => i,
                    None => {
                        state.sizes.push(0);
                        state.sizes.len() - 1
                    }
                };
                state.sizes[i] += 1;
                state.assignment.insert(pod_name.clone(), i);
                i
            }
            (None, None) => continue,
        };
        changed.entry(slice).or_default().insert(pod_name, endpoint);
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
    for (i, changes) in changed {
        let endpoints = if rebuild {
            changes.into_values().flatten().collect()
        } else {
            slice_endpoints(cluster, &svc, &state, i, changes)
        };
        write_slice(cluster, &svc, namespace, name, i, endpoints, ports.clone());
    }
    cluster.endpoints.services.insert(key, state);
}

/// The endpoint of the stored pod `pod_name` behind `svc` (None when it has none or is gone).
fn stored_endpoint(cluster: &Cluster, svc: &Service, pod_name: &str) -> Option<Endpoint> {
    let namespace = svc.metadata.namespace.as_deref().unwrap_or_default();
    let version = cluster.store.version(Kind::Pod, namespace, pod_name)?;
    endpoint_for(svc, &**version.pod_record()?)
}

/// The endpoints slice `index` should hold: the stored slice's, with `changes` applied,
/// ordered by pod name. Only the endpoints kept from the stored slice are copied.
fn slice_endpoints(
    cluster: &Cluster,
    svc: &Service,
    state: &ServiceEndpoints,
    index: usize,
    mut changes: BTreeMap<String, Option<Endpoint>>,
) -> Vec<Endpoint> {
    let stored = cluster.store.get(
        Kind::EndpointSlice,
        svc.metadata.namespace.as_deref().unwrap_or_default(),
        &slice_name(svc.metadata.name.as_deref().unwrap_or_default(), index),
    );
    let members: Vec<(&str, &Endpoint)> = match stored.as_deref() {
        Some(Object::EndpointSlice(slice)) => slice
            .endpoints
            .iter()
            .flatten()
            .filter_map(|e| Some((e.target_ref.as_ref()?.name.as_deref()?, e)))
            .collect(),
        // A new slice (or one this controller deleted when it emptied): its members are
        // the changes. Only when the changes do not account for every pod assigned to it
        // (a write that failed) are its pods read back, which walks every assignment.
        _ => {
            if state.sizes.get(index) != Some(&changes.values().flatten().count()) {
                for (pod_name, _) in state.assignment.iter().filter(|&(_, &i)| i == index) {
                    if !changes.contains_key(pod_name) {
                        let endpoint = stored_endpoint(cluster, svc, pod_name);
                        changes.insert(pod_name.clone(), endpoint);
                    }
                }
            }
            Vec::new()
        }
    };
    merge_endpoints(members, changes, |pod_name| {
        state.assignment.get(pod_name) == Some(&index)
    })
}

/// The endpoints of `stored` (pod name, endpoint) with `changes` applied (a change replaces
/// the pod's stored endpoint; `None` removes it), keeping the pods `assigned_here` says
/// belong to the slice, ordered by pod name. Of two stored endpoints for one pod the later
/// counts, as when a slice is read into a map.
fn merge_endpoints(
    mut stored: Vec<(&str, &Endpoint)>,
    changes: BTreeMap<String, Option<Endpoint>>,
    assigned_here: impl Fn(&str) -> bool,
) -> Vec<Endpoint> {
    // Slices this controller wrote are in order already.
    stored.sort_by_key(|&(pod_name, _)| pod_name);
    stored.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            *earlier = *later;
        }
        same
    });
    let mut endpoints = Vec::with_capacity(stored.len() + changes.len());
    let mut changes = changes.into_iter().peekable();
    for (pod_name, kept) in stored {
        while let Some((changed, endpoint)) = changes.next_if(|(c, _)| c.as_str() < pod_name) {
            endpoints.extend(endpoint.filter(|_| assigned_here(&changed)));
        }
        match changes.next_if(|(c, _)| c == pod_name) {
            Some((changed, endpoint)) => {
                endpoints.extend(endpoint.filter(|_| assigned_here(&changed)));
            }
            None if assigned_here(pod_name) => endpoints.push(kept.clone()),
            None => {}
        }
    }
    for (changed, endpoint) in changes {
        endpoints.extend(endpoint.filter(|_| assigned_here(&changed)));
    }
    endpoints
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
        .get(Kind::EndpointSlice, namespace, &slice_name);
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
    match existing.as_deref() {
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

impl Cluster {
    /// Answers a DNS query as cluster DNS would, from the stored Service and slices.
    pub fn resolve(&self, query: &str, qtype: QueryType) -> Vec<Record> {
        dns::resolve(query, qtype, |namespace, service| {
            let Some(Object::Service(svc)) = self
                .store
                .get(Kind::Service, namespace, service)
                .as_deref()
                .cloned()
            else {
                return None;
            };
            let slices = self
                .store
                .list(Kind::EndpointSlice, Some(namespace))
                .filter_map(|o| match o.as_ref() {
                    Object::EndpointSlice(s) if dns::slice_of_service(s, service) => {
                        Some((**s).clone())
                    }
                    _ => None,
                })
                .collect();
            Some(dns::ServiceSlices {
                service: *svc,
                slices,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;
    use crate::sim::apiserver::DeleteOptions;
    use crate::sim::fixtures::{nginx_service, web};
    use serde_json::json;
    use std::time::Duration;

    fn parallel_web(replicas: i32) -> Cluster {
        let mut c = Cluster::new(ClusterConfig::default());
        c.create(Object::Service(Box::new(nginx_service())))
            .unwrap();
        c.create(Object::StatefulSet(Box::new(web(
            replicas,
            json!({"spec": {"podManagementPolicy": "Parallel"}}),
        ))))
        .unwrap();
        assert!(c.run_until_idle(Duration::from_secs(3600)).unwrap());
        c
    }

    fn slice(c: &Cluster, index: usize) -> Option<EndpointSlice> {
        match c.get_object(Kind::EndpointSlice, "default", &slice_name("nginx", index)) {
            Some(Object::EndpointSlice(slice)) => Some(*slice),
            _ => None,
        }
    }

    fn pods_in(slice: &EndpointSlice) -> Vec<String> {
        slice
            .endpoints
            .iter()
            .flatten()
            .filter_map(|e| e.target_ref.as_ref()?.name.clone())
            .collect()
    }

    #[test]
    fn a_pod_change_rewrites_only_the_slice_holding_its_endpoint() {
        let mut c = parallel_web(150);
        let (first, second) = (slice(&c, 0).unwrap(), slice(&c, 1).unwrap());
        assert_eq!(pods_in(&first).len(), 100);
        assert_eq!(pods_in(&second).len(), 50);
        let moved = pods_in(&second)[0].clone();
        c.set_pod_readiness("default", &moved, false);
        c.settle().unwrap();
        assert_eq!(slice(&c, 0), Some(first));
        let rewritten = slice(&c, 1).unwrap();
        assert_ne!(
            rewritten.metadata.resource_version,
            second.metadata.resource_version
        );
        let endpoint = rewritten
            .endpoints
            .iter()
            .flatten()
            .find(|e| e.target_ref.as_ref().and_then(|r| r.name.as_ref()) == Some(&moved))
            .unwrap();
        assert_eq!(
            endpoint.conditions.as_ref().and_then(|c| c.ready),
            Some(false)
        );
        assert_eq!(pods_in(&rewritten), pods_in(&second));
    }

    #[test]
    fn a_slice_edited_by_someone_else_is_put_right_from_the_pods() {
        let mut c = parallel_web(3);
        let mut edited = slice(&c, 0).unwrap();
        let healthy = edited.endpoints.clone();
        edited.endpoints = Some(Vec::new());
        c.update(Object::EndpointSlice(Box::new(edited))).unwrap();
        c.settle().unwrap();
        assert_eq!(slice(&c, 0).unwrap().endpoints, healthy);
    }

    #[test]
    fn a_slice_deleted_by_someone_else_comes_back_whole() {
        let mut c = parallel_web(3);
        let before = slice(&c, 0).unwrap();
        c.delete(
            Kind::EndpointSlice,
            "default",
            &slice_name("nginx", 0),
            &DeleteOptions::default(),
        )
        .unwrap();
        c.settle().unwrap();
        assert_eq!(slice(&c, 0).unwrap().endpoints, before.endpoints);
        assert_eq!(pods_in(&before), ["web-0", "web-1", "web-2"]);
    }

    #[test]
    fn deleted_pods_leave_their_slice() {
        let mut c = parallel_web(3);
        let Some(Object::StatefulSet(mut set)) = c.get_object(Kind::StatefulSet, "default", "web")
        else {
            panic!("no set");
        };
        if let Some(spec) = set.spec.as_mut() {
            spec.replicas = Some(1);
        }
        c.update(Object::StatefulSet(set)).unwrap();
        assert!(c.run_until_idle(Duration::from_secs(3600)).unwrap());
        assert_eq!(pods_in(&slice(&c, 0).unwrap()), ["web-0"]);
    }

    /// The map-based reading `merge_endpoints` replaced: stored endpoints into a map by
    /// pod name (the later wins), changes over them, the assigned ones in name order.
    fn merge_by_map(
        stored: &[(&str, &Endpoint)],
        changes: &BTreeMap<String, Option<Endpoint>>,
        assigned: &BTreeSet<String>,
    ) -> Vec<Endpoint> {
        let mut members: BTreeMap<String, Option<Endpoint>> = stored
            .iter()
            .map(|&(pod, e)| (pod.to_owned(), Some(e.clone())))
            .collect();
        members.extend(changes.clone());
        members
            .into_iter()
            .filter(|(pod, _)| assigned.contains(pod))
            .filter_map(|(_, e)| e)
            .collect()
    }

    fn endpoint(pod: &str, ready: bool) -> Endpoint {
        Endpoint {
            hostname: Some(pod.to_owned()),
            conditions: Some(EndpointConditions {
                ready: Some(ready),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    proptest::proptest! {
        #[test]
        fn merging_changes_into_a_slice_reads_as_the_map_did(
            stored in proptest::collection::vec(("web-[0-9]", proptest::bool::ANY), 0..12),
            changes in proptest::collection::btree_map(
                "web-[0-9]",
                proptest::option::of(proptest::bool::ANY),
                0..8,
            ),
            assigned in proptest::collection::btree_set("web-[0-9]", 0..10),
        ) {
            let stored_endpoints: Vec<(String, Endpoint)> = stored
                .iter()
                .map(|(pod, ready)| (pod.clone(), endpoint(pod, *ready)))
                .collect();
            let stored: Vec<(&str, &Endpoint)> =
                stored_endpoints.iter().map(|(p, e)| (p.as_str(), e)).collect();
            let changes: BTreeMap<String, Option<Endpoint>> = changes
                .into_iter()
                .map(|(pod, ready)| {
                    let e = ready.map(|r| endpoint(&pod, r));
                    (pod, e)
                })
                .collect();
            let expected = merge_by_map(&stored, &changes, &assigned);
            let merged = merge_endpoints(stored, changes, |pod| assigned.contains(pod));
            proptest::prop_assert_eq!(merged, expected);
        }
    }
}
