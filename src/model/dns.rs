//! Cluster DNS as the kubernetes/dns specification (1.0.1) defines it for headless
//! Services: the A and SRV answers a lookup gets, derived only from the Service and its
//! EndpointSlices. The reference cluster answers with it, and on a real cluster it is the
//! expected answer: cluster DNS serves exactly this from the same objects.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

/// The cluster domain every name below `svc.` lives in.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// The label an EndpointSlice names its Service with.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

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

/// Builds one record from (`service.namespace`, endpoint hostname, address, port).
type MakeRecord<'a> = &'a dyn Fn(&str, Option<&str>, &str, i32) -> Option<Record>;

/// A Service with the EndpointSlices labelled as its own.
#[derive(Debug, Clone, Default)]
pub struct ServiceSlices {
    pub service: Service,
    pub slices: Vec<EndpointSlice>,
}

/// The fully qualified DNS name of a pod behind a headless Service (DNS-04).
pub fn pod_fqdn(pod: &str, service: &str, namespace: &str) -> String {
    format!("{pod}.{service}.{namespace}.svc.{CLUSTER_DOMAIN}")
}

/// Whether `slice` belongs to the Service `service`.
pub fn slice_of_service(slice: &EndpointSlice, service: &str) -> bool {
    slice
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(SERVICE_NAME_LABEL))
        .is_some_and(|s| s == service)
}

/// Answers a DNS query as cluster DNS would; an empty answer is NXDOMAIN. `lookup` finds
/// the Service `name` in `namespace` with its slices.
pub fn resolve(
    query: &str,
    qtype: QueryType,
    lookup: impl Fn(&str, &str) -> Option<ServiceSlices>,
) -> Vec<Record> {
    let query = query.trim_end_matches('.');
    let Some(base) = query.strip_suffix(&format!(".svc.{CLUSTER_DOMAIN}")) else {
        return Vec::new();
    };
    let labels: Vec<&str> = base.split('.').collect();
    let records = |ns: &str, svc: &str, port, make: MakeRecord<'_>| {
        lookup(ns, svc).map_or_else(Vec::new, |found| {
            endpoint_records(&found, ns, svc, port, make)
        })
    };
    let mut answers = match (qtype, labels.as_slice()) {
        (QueryType::A, [svc, ns]) => records(ns, svc, None, &|_, _, ip, _| {
            Some(Record::A {
                name: query.to_owned(),
                ip: ip.to_owned(),
            })
        }),
        (QueryType::A, [host, svc, ns]) => records(ns, svc, None, &|_, hostname, ip, _| {
            (hostname == Some(*host)).then(|| Record::A {
                name: query.to_owned(),
                ip: ip.to_owned(),
            })
        }),
        (QueryType::Srv, [port, proto, svc, ns]) => {
            let (Some(port), Some(proto)) = (port.strip_prefix('_'), proto.strip_prefix('_'))
            else {
                return Vec::new();
            };
            records(
                ns,
                svc,
                Some((port, proto)),
                &|svc_ns, hostname, _, port| {
                    let hostname = hostname?;
                    Some(Record::Srv {
                        name: query.to_owned(),
                        target: format!("{hostname}.{svc_ns}.svc.{CLUSTER_DOMAIN}"),
                        port,
                    })
                },
            )
        }
        _ => Vec::new(),
    };
    answers.sort();
    answers.dedup();
    answers
}

/// The records of a headless Service's ready endpoints; `named_port` picks an SRV port.
fn endpoint_records(
    found: &ServiceSlices,
    namespace: &str,
    service: &str,
    named_port: Option<(&str, &str)>,
    make: MakeRecord<'_>,
) -> Vec<Record> {
    let headless = found
        .service
        .spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        == Some("None");
    if !headless {
        return Vec::new();
    }
    let svc_ns = format!("{service}.{namespace}");
    let mut out = Vec::new();
    for slice in found.slices.iter().filter(|s| slice_of_service(s, service)) {
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
            // The DNS specification serves ready endpoints only; a missing condition reads
            // as ready (discovery/v1 EndpointConditions).
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
