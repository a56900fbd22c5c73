//! The closed set of object kinds the reference cluster stores, as real `k8s-openapi` types.

use crate::model::compact::{self, CompactError};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use std::fmt;

/// A kind the reference cluster knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    Namespace,
    Pod,
    Service,
    PersistentVolumeClaim,
    PersistentVolume,
    StatefulSet,
    ControllerRevision,
    EndpointSlice,
    Event,
    ConfigMap,
    Secret,
    Node,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 12] = [
        Kind::Namespace,
        Kind::Pod,
        Kind::Service,
        Kind::PersistentVolumeClaim,
        Kind::PersistentVolume,
        Kind::StatefulSet,
        Kind::ControllerRevision,
        Kind::EndpointSlice,
        Kind::Event,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::Node,
    ];

    /// The `kind` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::StatefulSet => "StatefulSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Event => "Event",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Node => "Node",
        }
    }

    /// The `apiVersion` field value.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::StatefulSet | Kind::ControllerRevision => "apps/v1",
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            _ => "v1",
        }
    }

    /// The lower-case plural resource name used in URLs.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Pod => "pods",
            Kind::Service => "services",
            Kind::PersistentVolumeClaim => "persistentvolumeclaims",
            Kind::PersistentVolume => "persistentvolumes",
            Kind::StatefulSet => "statefulsets",
            Kind::ControllerRevision => "controllerrevisions",
            Kind::EndpointSlice => "endpointslices",
            Kind::Event => "events",
            Kind::ConfigMap => "configmaps",
            Kind::Secret => "secrets",
            Kind::Node => "nodes",
        }
    }

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::PersistentVolume | Kind::Node)
    }

    /// Looks a kind up by its `apiVersion` and `kind` fields.
    pub fn from_type(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind && k.api_version() == api_version)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object of any stored kind.
///
/// Every variant is boxed: the k8s-openapi types range from 400 bytes (a
/// ControllerRevision) to 3.5 KB (a PersistentVolume, all of whose volume sources are
/// inline), and an unboxed enum would make every stored version of every kind cost the
/// largest.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Namespace(Box<Namespace>),
    Pod(Box<Pod>),
    Service(Box<Service>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    PersistentVolume(Box<PersistentVolume>),
    StatefulSet(Box<StatefulSet>),
    ControllerRevision(Box<ControllerRevision>),
    EndpointSlice(Box<EndpointSlice>),
    Event(Box<Event>),
    /// Stored as given: nothing in the reference cluster reads them.
    ConfigMap(Box<ConfigMap>),
    /// Stored as given: nothing in the reference cluster reads them.
    Secret(Box<Secret>),
    /// The simulated node `serve` registers, so `kubectl get nodes` shows where pods run.
    Node(Box<Node>),
}

macro_rules! object_from {
    ($($variant:ident),*) => {
        $(impl From<$variant> for Object {
            fn from(value: $variant) -> Object {
                Object::$variant(Box::new(value))
            }
        })*
    };
}

object_from!(
    Namespace,
    Pod,
    Service,
    PersistentVolumeClaim,
    PersistentVolume,
    StatefulSet,
    ControllerRevision,
    EndpointSlice,
    Event,
    ConfigMap,
    Secret,
    Node
);

macro_rules! each_object {
    ($obj:expr, $bind:ident => $body:expr) => {
        match $obj {
            Object::Namespace($bind) => $body,
            Object::Pod($bind) => $body,
            Object::Service($bind) => $body,
            Object::PersistentVolumeClaim($bind) => $body,
            Object::PersistentVolume($bind) => $body,
            Object::StatefulSet($bind) => $body,
            Object::ControllerRevision($bind) => $body,
            Object::EndpointSlice($bind) => $body,
            Object::Event($bind) => $body,
            Object::ConfigMap($bind) => $body,
            Object::Secret($bind) => $body,
            Object::Node($bind) => $body,
        }
    };
}

impl Object {
    /// The object's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Pod(_) => Kind::Pod,
            Object::Service(_) => Kind::Service,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::StatefulSet(_) => Kind::StatefulSet,
            Object::ControllerRevision(_) => Kind::ControllerRevision,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::Event(_) => Kind::Event,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Secret(_) => Kind::Secret,
            Object::Node(_) => Kind::Node,
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        each_object!(self, o => &o.metadata)
    }

    /// The object's metadata, mutably.
    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        each_object!(self, o => &mut o.metadata)
    }

    /// Releases the spare capacity of the lists a stored pod carries, before the store
    /// keeps it. The lists are built by pushing (admission defaults, the kubelet's status),
    /// and a `Vec` grown by pushes keeps up to twice the room it needs, at least four
    /// slots for elements up to 1 KB. With k8s-openapi's inline layout those slots are
    /// large (a `ContainerStatus` is 750 bytes, a projected volume source 500), so a
    /// stored pod carried about 3.7 KB of unused slots. Only pods are worth it: the other
    /// kinds are few, or small, or built at their final length.
    pub fn shrink(&mut self) {
        let Object::Pod(pod) = self else {
            return;
        };
        fn shrink<T>(list: &mut Option<Vec<T>>) {
            if let Some(list) = list {
                list.shrink_to_fit();
            }
        }
        shrink(&mut pod.metadata.owner_references);
        if let Some(spec) = &mut pod.spec {
            shrink(&mut spec.volumes);
            for volume in spec.volumes.iter_mut().flatten() {
                if let Some(projected) = &mut volume.projected {
                    shrink(&mut projected.sources);
                }
            }
            shrink(&mut spec.tolerations);
            spec.containers.shrink_to_fit();
            for container in spec
                .containers
                .iter_mut()
                .chain(spec.init_containers.iter_mut().flatten())
            {
                shrink(&mut container.volume_mounts);
                shrink(&mut container.ports);
                shrink(&mut container.env);
            }
        }
        if let Some(status) = &mut pod.status {
            shrink(&mut status.conditions);
            shrink(&mut status.container_statuses);
            shrink(&mut status.init_container_statuses);
            shrink(&mut status.pod_ips);
            shrink(&mut status.host_ips);
            for container_status in status.container_statuses.iter_mut().flatten() {
                shrink(&mut container_status.volume_mounts);
            }
        }
    }

    /// `metadata.name`, or "" when unset.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// `metadata.namespace`, or "" when unset.
    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }

    /// Serialises the object as the API server would, `apiVersion` and `kind` included.
    pub fn to_json(&self) -> serde_json::Value {
        let value = each_object!(self, o => serde_json::to_value(o));
        // Serialising a k8s-openapi type cannot fail: every field is plain data.
        value.unwrap_or(serde_json::Value::Null)
    }

    /// The object in the store's compact encoding ([`crate::model::compact`]).
    ///
    /// # Errors
    /// Content the encoding cannot hold (enum variants with content; no stored kind has
    /// them).
    pub fn encode_compact(&self) -> Result<Box<[u8]>, CompactError> {
        each_object!(self, o => compact::encode(o))
    }

    /// Decodes an object of the given kind from [`Object::encode_compact`]'s bytes.
    ///
    /// # Errors
    /// Bytes that are not such an encoding.
    pub fn decode_compact(kind: Kind, bytes: &[u8]) -> Result<Object, CompactError> {
        Ok(match kind {
            Kind::Namespace => Object::Namespace(compact::decode(bytes)?),
            Kind::Pod => Object::Pod(compact::decode(bytes)?),
            Kind::Service => Object::Service(compact::decode(bytes)?),
            Kind::PersistentVolumeClaim => Object::PersistentVolumeClaim(compact::decode(bytes)?),
            Kind::PersistentVolume => Object::PersistentVolume(compact::decode(bytes)?),
            Kind::StatefulSet => Object::StatefulSet(compact::decode(bytes)?),
            Kind::ControllerRevision => Object::ControllerRevision(compact::decode(bytes)?),
            Kind::EndpointSlice => Object::EndpointSlice(compact::decode(bytes)?),
            Kind::Event => Object::Event(compact::decode(bytes)?),
            Kind::ConfigMap => Object::ConfigMap(compact::decode(bytes)?),
            Kind::Secret => Object::Secret(compact::decode(bytes)?),
            Kind::Node => Object::Node(compact::decode(bytes)?),
        })
    }

    /// Decodes a JSON value of the given kind.
    ///
    /// # Errors
    /// The serde error, with the path of the offending field, when the value does not fit.
    pub fn from_json(
        kind: Kind,
        value: serde_json::Value,
    ) -> Result<Object, serde_path_to_error::Error<serde_json::Error>> {
        fn de<T: serde::de::DeserializeOwned>(
            value: serde_json::Value,
        ) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
            serde_path_to_error::deserialize(value)
        }
        Ok(match kind {
            Kind::Namespace => Object::Namespace(de(value)?),
            Kind::Pod => Object::Pod(de(value)?),
            Kind::Service => Object::Service(de(value)?),
            Kind::PersistentVolumeClaim => Object::PersistentVolumeClaim(de(value)?),
            Kind::PersistentVolume => Object::PersistentVolume(de(value)?),
            Kind::StatefulSet => Object::StatefulSet(de(value)?),
            Kind::ControllerRevision => Object::ControllerRevision(de(value)?),
            Kind::EndpointSlice => Object::EndpointSlice(de(value)?),
            Kind::Event => Object::Event(de(value)?),
            Kind::ConfigMap => Object::ConfigMap(de(value)?),
            Kind::Secret => Object::Secret(de(value)?),
            Kind::Node => Object::Node(de(value)?),
        })
    }
}
