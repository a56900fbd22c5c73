//! What the cluster's components read of a pod, and the small record that answers it
//! without the pod.
//!
//! k8s-openapi lays every optional field of a pod out inline, so a pod as the kubelet
//! writes it takes about 10.8 KB in memory, and a 100,000-replica StatefulSet's pods alone
//! exceed a gigabyte. Yet the controller's per-pod decisions — ordinal, identity, storage,
//! health, revision, claim ownership — read a handful of fields. [`PodView`] is those
//! fields; the typed [`Pod`] implements it, and so does [`PodRecord`], a copy of just
//! those fields (well under a kilobyte), so the pod itself can be held compact and decoded
//! only when someone writes it.
//!
//! The helpers in `stateful_set_utils` take `&impl PodView`: one implementation of each
//! upstream rule, whichever form the pod is in.

use k8s_openapi::api::core::v1::{Pod, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The pod's `Ready` condition, as health checks read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyCondition<'a> {
    /// `status == "True"`.
    pub ready: bool,
    pub last_transition_time: Option<&'a Time>,
}

/// The fields of a pod the controller decides on. Object safe, so a sync can hold stored
/// pods and freshly built ones side by side.
pub trait PodView {
    /// `metadata.name` ("" when unset).
    fn name(&self) -> &str;
    /// `metadata.namespace`.
    fn namespace(&self) -> Option<&str>;
    /// `metadata.uid` ("" when unset).
    fn uid(&self) -> &str;
    /// `metadata.resourceVersion` ("" when unset).
    fn resource_version(&self) -> &str;
    /// One label's value.
    fn label(&self, key: &str) -> Option<&str>;
    /// One annotation's value.
    fn annotation(&self, key: &str) -> Option<&str>;
    /// `metadata.finalizers`.
    fn finalizers(&self) -> &[String];
    /// `metadata.deletionTimestamp`.
    fn deletion_timestamp(&self) -> Option<&Time>;
    /// `metadata.ownerReferences`.
    fn owner_references(&self) -> &[OwnerReference];
    /// `spec.hostname`.
    fn hostname(&self) -> Option<&str>;
    /// `spec.subdomain`.
    fn subdomain(&self) -> Option<&str>;
    /// `spec.nodeName`: set once the pod is bound.
    fn node_name(&self) -> Option<&str>;
    /// `status.phase` ("" when unset).
    fn phase(&self) -> &str;
    /// `status.podIP`.
    fn pod_ip(&self) -> Option<&str>;
    /// The first condition of type `Ready`.
    fn ready_condition(&self) -> Option<ReadyCondition<'_>>;
    /// Container `i` of `spec.containers`: its name and image.
    fn container(&self, i: usize) -> Option<(&str, Option<&str>)>;
    /// The claim named by the pod's volume `volume` — the last volume of that name, as
    /// upstream indexes volumes by name — if that volume is a claim.
    fn volume_claim(&self, volume: &str) -> Option<&str>;
}

fn ready_condition(status: Option<&PodStatus>) -> Option<ReadyCondition<'_>> {
    let condition = status?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    Some(ReadyCondition {
        ready: condition.status == "True",
        last_transition_time: condition.last_transition_time.as_ref(),
    })
}

impl PodView for Pod {
    fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    fn namespace(&self) -> Option<&str> {
        self.metadata.namespace.as_deref()
    }

    fn uid(&self) -> &str {
        self.metadata.uid.as_deref().unwrap_or("")
    }

    fn resource_version(&self) -> &str {
        self.metadata.resource_version.as_deref().unwrap_or("")
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.metadata.labels.as_ref()?.get(key).map(String::as_str)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }

    fn finalizers(&self) -> &[String] {
        self.metadata.finalizers.as_deref().unwrap_or(&[])
    }

    fn deletion_timestamp(&self) -> Option<&Time> {
        self.metadata.deletion_timestamp.as_ref()
    }

    fn owner_references(&self) -> &[OwnerReference] {
        self.metadata.owner_references.as_deref().unwrap_or(&[])
    }

    fn hostname(&self) -> Option<&str> {
        self.spec.as_ref()?.hostname.as_deref()
    }

    fn subdomain(&self) -> Option<&str> {
        self.spec.as_ref()?.subdomain.as_deref()
    }

    fn node_name(&self) -> Option<&str> {
        self.spec.as_ref()?.node_name.as_deref()
    }

    fn phase(&self) -> &str {
        self.status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("")
    }

    fn pod_ip(&self) -> Option<&str> {
        self.status.as_ref()?.pod_ip.as_deref()
    }

    fn ready_condition(&self) -> Option<ReadyCondition<'_>> {
        ready_condition(self.status.as_ref())
    }

    fn container(&self, i: usize) -> Option<(&str, Option<&str>)> {
        let container = self.spec.as_ref()?.containers.get(i)?;
        Some((&container.name, container.image.as_deref()))
    }

    fn volume_claim(&self, volume: &str) -> Option<&str> {
        self.spec
            .as_ref()?
            .volumes
            .as_ref()?
            .iter()
            .rev()
            .find(|v| v.name == volume)?
            .persistent_volume_claim
            .as_ref()
            .map(|c| c.claim_name.as_str())
    }
}

/// A pod's [`PodView`] fields, copied out of it. One is kept per stored pod version, so
/// strings are boxed (no spare capacity) and label and annotation maps are sorted slices
/// (a `BTreeMap` leaf alone is 560 bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct PodRecord {
    /// Shared by the versions status writes make.
    identity: Arc<Identity>,
    resource_version: Box<str>,
    phase: Cow<'static, str>,
    pod_ip: Option<Box<str>>,
    ready: Option<(bool, Option<Time>)>,
}

/// The fields of a record that a status write leaves alone.
#[derive(Debug, PartialEq)]
struct Identity {
    name: Box<str>,
    namespace: Option<Box<str>>,
    uid: Box<str>,
    labels: Pairs,
    annotations: Pairs,
    finalizers: Box<[String]>,
    deletion_timestamp: Option<Time>,
    owner_references: Box<[OwnerReference]>,
    hostname: Option<Box<str>>,
    subdomain: Option<Box<str>>,
    node_name: Option<Box<str>>,
    /// Container names and images, in spec order.
    containers: NamedOptions,
    /// Volume name and claim name (None for a volume of another source), in spec order.
    volumes: NamedOptions,
}

/// The phases a kubelet reports, held without an allocation; any other string is copied.
fn phase_of(phase: &str) -> Cow<'static, str> {
    ["Pending", "Running", "Succeeded", "Failed", "Unknown", ""]
        .into_iter()
        .find(|known| *known == phase)
        .map_or_else(|| Cow::Owned(phase.to_owned()), Cow::Borrowed)
}

/// Names, each with an optional value.
type NamedOptions = Box<[(Box<str>, Option<Box<str>>)]>;

/// A string map as a slice sorted by key.
#[derive(Debug, Clone, PartialEq, Default)]
struct Pairs(Box<[(Box<str>, Box<str>)]>);

impl Pairs {
    fn of(map: Option<&BTreeMap<String, String>>) -> Pairs {
        Pairs(
            map.into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        let at = self.0.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        Some(&self.0[at].1)
    }
}

impl PodRecord {
    /// The record of `pod`.
    pub fn of(pod: &Pod) -> PodRecord {
        let identity = Identity {
            name: pod.name().into(),
            namespace: pod.namespace().map(Into::into),
            uid: pod.uid().into(),
            labels: Pairs::of(pod.metadata.labels.as_ref()),
            annotations: Pairs::of(pod.metadata.annotations.as_ref()),
            finalizers: pod.finalizers().into(),
            deletion_timestamp: pod.metadata.deletion_timestamp.clone(),
            owner_references: pod.owner_references().into(),
            hostname: pod.hostname().map(Into::into),
            subdomain: pod.subdomain().map(Into::into),
            node_name: pod.node_name().map(Into::into),
            containers: pod
                .spec
                .iter()
                .flat_map(|s| s.containers.iter())
                .map(|c| (c.name.as_str().into(), c.image.as_deref().map(Into::into)))
                .collect(),
            volumes: pod
                .spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .map(|v| {
                    let claim = v.persistent_volume_claim.as_ref();
                    (
                        v.name.as_str().into(),
                        claim.map(|c| c.claim_name.as_str().into()),
                    )
                })
                .collect(),
        };
        PodRecord {
            identity: Arc::new(identity),
            resource_version: pod.resource_version().into(),
            phase: phase_of(pod.phase()),
            pod_ip: pod.pod_ip().map(Into::into),
            ready: pod
                .ready_condition()
                .map(|c| (c.ready, c.last_transition_time.cloned())),
        }
    }
}

impl PodRecord {
    /// The record of the version a status write makes: `status` replaces the pod's status
    /// and `resource_version` its resourceVersion; everything else is as in `self`.
    pub fn with_status(&self, status: &PodStatus, resource_version: &str) -> PodRecord {
        PodRecord {
            identity: self.identity.clone(),
            resource_version: resource_version.into(),
            phase: phase_of(status.phase.as_deref().unwrap_or("")),
            pod_ip: status.pod_ip.as_deref().map(Into::into),
            ready: ready_condition(Some(status))
                .map(|c| (c.ready, c.last_transition_time.cloned())),
        }
    }
}

impl PodView for PodRecord {
    fn name(&self) -> &str {
        &self.identity.name
    }

    fn namespace(&self) -> Option<&str> {
        self.identity.namespace.as_deref()
    }

    fn uid(&self) -> &str {
        &self.identity.uid
    }

    fn resource_version(&self) -> &str {
        &self.resource_version
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.identity.labels.get(key)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.identity.annotations.get(key)
    }

    fn finalizers(&self) -> &[String] {
        &self.identity.finalizers
    }

    fn deletion_timestamp(&self) -> Option<&Time> {
        self.identity.deletion_timestamp.as_ref()
    }

    fn owner_references(&self) -> &[OwnerReference] {
        &self.identity.owner_references
    }

    fn hostname(&self) -> Option<&str> {
        self.identity.hostname.as_deref()
    }

    fn subdomain(&self) -> Option<&str> {
        self.identity.subdomain.as_deref()
    }

    fn node_name(&self) -> Option<&str> {
        self.identity.node_name.as_deref()
    }

    fn phase(&self) -> &str {
        &self.phase
    }

    fn pod_ip(&self) -> Option<&str> {
        self.pod_ip.as_deref()
    }

    fn ready_condition(&self) -> Option<ReadyCondition<'_>> {
        self.ready.as_ref().map(|(ready, time)| ReadyCondition {
            ready: *ready,
            last_transition_time: time.as_ref(),
        })
    }

    fn container(&self, i: usize) -> Option<(&str, Option<&str>)> {
        let (name, image) = self.identity.containers.get(i)?;
        Some((name, image.as_deref()))
    }

    fn volume_claim(&self, volume: &str) -> Option<&str> {
        self.identity
            .volumes
            .iter()
            .rev()
            .find(|(name, _)| **name == *volume)?
            .1
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Container, EmptyDirVolumeSource, PersistentVolumeClaimVolumeSource, PodCondition, PodSpec,
        PodStatus, Volume,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use proptest::prelude::*;

    fn time(seconds: i64) -> Time {
        Time(k8s_openapi::jiff::Timestamp::from_second(seconds).unwrap_or_default())
    }

    fn volume(name: &str, claim: Option<&str>) -> Volume {
        Volume {
            name: name.into(),
            persistent_volume_claim: claim.map(|c| PersistentVolumeClaimVolumeSource {
                claim_name: c.into(),
                ..Default::default()
            }),
            empty_dir: claim.is_none().then(EmptyDirVolumeSource::default),
            ..Default::default()
        }
    }

    prop_compose! {
        fn pods()(
            name in proptest::option::of("web-[0-9]{1,2}"),
            namespace in proptest::option::of("default|other"),
            revision in proptest::option::of("web-[ab]"),
            deleting in any::<bool>(),
            owned in any::<bool>(),
            phase in proptest::option::of("Pending|Running|Failed|Succeeded"),
            conditions in proptest::collection::vec(
                ("Ready|Initialized|ContainersReady", "True|False", proptest::option::of(0i64..1000)),
                0..4,
            ),
            volumes in proptest::collection::vec(
                ("www|data", proptest::option::of("www-web-[0-9]")),
                0..4,
            ),
            annotated in any::<bool>(),
            extra in proptest::collection::btree_map("[a-d]", "[xy]", 0..4),
            host in proptest::option::of(("web-[0-9]", "nginx|other", any::<bool>())),
            pod_ip in proptest::option::of("10\\.244\\.0\\.[0-9]"),
        ) -> Pod {
            Pod {
                metadata: ObjectMeta {
                    name,
                    namespace,
                    uid: owned.then(|| "pod-uid".into()),
                    resource_version: deleting.then(|| "42".into()),
                    labels: (revision.is_some() || !extra.is_empty()).then(|| {
                        let mut labels = extra.clone();
                        labels.extend(revision.map(|r| ("controller-revision-hash".to_owned(), r)));
                        labels
                    }),
                    deletion_timestamp: deleting.then(|| time(7)),
                    annotations: annotated.then(|| {
                        BTreeMap::from([("stsconform.io/ready".to_owned(), "false".to_owned())])
                    }),
                    finalizers: deleting.then(|| vec!["example.com/hold".to_owned()]),
                    owner_references: owned.then(|| vec![OwnerReference {
                        uid: "set-uid".into(),
                        controller: Some(true),
                        ..Default::default()
                    }]),
                    ..Default::default()
                },
                spec: (!volumes.is_empty() || host.is_some()).then(|| PodSpec {
                    containers: vec![Container {
                        name: "nginx".into(),
                        image: annotated.then(|| "registry.k8s.io/nginx-slim:0.8".into()),
                        ..Default::default()
                    }],
                    volumes: Some(
                        volumes
                            .iter()
                            .map(|(name, claim)| volume(name, claim.as_deref()))
                            .collect(),
                    ),
                    hostname: host.as_ref().map(|h| h.0.clone()),
                    subdomain: host.as_ref().map(|h| h.1.clone()),
                    node_name: host.as_ref().and_then(|h| h.2.then(|| "node".to_owned())),
                    ..Default::default()
                }),
                status: Some(PodStatus {
                    phase,
                    pod_ip,
                    conditions: Some(
                        conditions
                            .into_iter()
                            .map(|(type_, status, at)| PodCondition {
                                type_,
                                status,
                                last_transition_time: at.map(time),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    ..Default::default()
                }),
            }
        }
    }

    proptest! {
        /// Whatever the pod, its record answers every question the same way.
        #[test]
        fn a_record_reads_like_its_pod(pod in pods()) {
            let record = PodRecord::of(&pod);
            prop_assert_eq!(record.name(), pod.name());
            prop_assert_eq!(record.namespace(), pod.namespace());
            prop_assert_eq!(record.uid(), pod.uid());
            prop_assert_eq!(record.resource_version(), pod.resource_version());
            for key in ["controller-revision-hash", "a", "b", "c", "d", "e", "stsconform.io/ready"] {
                prop_assert_eq!(record.label(key), pod.label(key));
                prop_assert_eq!(record.annotation(key), pod.annotation(key));
            }
            prop_assert_eq!(record.finalizers(), pod.finalizers());
            prop_assert_eq!(record.hostname(), pod.hostname());
            prop_assert_eq!(record.subdomain(), pod.subdomain());
            prop_assert_eq!(record.node_name(), pod.node_name());
            prop_assert_eq!(record.pod_ip(), pod.pod_ip());
            prop_assert_eq!(record.deletion_timestamp(), pod.deletion_timestamp());
            prop_assert_eq!(record.owner_references(), pod.owner_references());
            prop_assert_eq!(record.phase(), pod.phase());
            prop_assert_eq!(record.ready_condition(), pod.ready_condition());
            for volume in ["www", "data", "none"] {
                prop_assert_eq!(record.volume_claim(volume), pod.volume_claim(volume));
            }
            for i in 0..2 {
                prop_assert_eq!(record.container(i), pod.container(i));
            }
        }

        /// A status write's record is the record of the pod with that status.
        #[test]
        fn a_status_writes_record_is_the_record_of_the_written_pod(
            pod in pods(),
            other in pods(),
        ) {
            let status = other.status.clone().unwrap_or_default();
            let mut written = pod.clone();
            written.status = Some(status.clone());
            written.metadata.resource_version = Some("99".into());
            prop_assert_eq!(
                PodRecord::of(&pod).with_status(&status, "99"),
                PodRecord::of(&written)
            );
        }
    }

    #[test]
    fn the_last_volume_of_a_name_names_the_claim() {
        let pod = Pod {
            spec: Some(PodSpec {
                volumes: Some(vec![
                    volume("www", Some("www-web-0")),
                    volume("www", None),
                    volume("data", None),
                    volume("data", Some("data-web-0")),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let record = PodRecord::of(&pod);
        for view in [&pod as &dyn PodView, &record] {
            assert_eq!(view.volume_claim("www"), None);
            assert_eq!(view.volume_claim("data"), Some("data-web-0"));
        }
    }

    #[test]
    fn a_status_write_shares_everything_but_the_status() {
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some("web-0".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let record = PodRecord::of(&pod);
        let running = PodStatus {
            phase: Some("Running".into()),
            ..Default::default()
        };
        let written = record.with_status(&running, "8");
        assert!(Arc::ptr_eq(&record.identity, &written.identity));
        assert_eq!(written.phase(), "Running");
        assert!(
            matches!(written.phase, Cow::Borrowed(_)),
            "a known phase is not copied"
        );
    }
}
