//! The resources `serve` exposes: for every stored kind its group, version, URL names,
//! short names, categories and subresources — the one table discovery, routing and
//! OpenAPI all read.

use crate::model::object::Kind;

/// A subresource of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subresource {
    /// `/status`: the whole object, writes change only its status.
    Status,
    /// `/scale`: an `autoscaling/v1` `Scale`.
    Scale,
}

impl Subresource {
    /// The URL segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Subresource::Status => "status",
            Subresource::Scale => "scale",
        }
    }
}

/// One resource of the API.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// What is stored.
    pub kind: Kind,
    /// API group ("" for the core group).
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// The plural URL name.
    pub plural: &'static str,
    /// The singular name.
    pub singular: &'static str,
    /// Short names kubectl accepts (`po`, `sts`).
    pub short_names: &'static [&'static str],
    /// Categories (`all`).
    pub categories: &'static [&'static str],
    /// Subresources served.
    pub subresources: &'static [Subresource],
}

impl Resource {
    /// Whether objects live in a namespace.
    pub fn namespaced(&self) -> bool {
        self.kind.namespaced()
    }

    /// `group/version`, or `version` for the core group.
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether the resource has this subresource.
    pub fn has(&self, sub: Subresource) -> bool {
        self.subresources.contains(&sub)
    }
}

/// Verbs of every top-level resource.
pub const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// Verbs of every subresource.
pub const SUBRESOURCE_VERBS: [&str; 3] = ["get", "patch", "update"];

use Subresource::{Scale, Status};

/// Every resource, grouped by group version in discovery order.
pub const RESOURCES: [Resource; 12] = [
    Resource {
        kind: Kind::Namespace,
        group: "",
        version: "v1",
        plural: "namespaces",
        singular: "namespace",
        short_names: &["ns"],
        categories: &[],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::Pod,
        group: "",
        version: "v1",
        plural: "pods",
        singular: "pod",
        short_names: &["po"],
        categories: &["all"],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::Service,
        group: "",
        version: "v1",
        plural: "services",
        singular: "service",
        short_names: &["svc"],
        categories: &["all"],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::PersistentVolumeClaim,
        group: "",
        version: "v1",
        plural: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        short_names: &["pvc"],
        categories: &[],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::PersistentVolume,
        group: "",
        version: "v1",
        plural: "persistentvolumes",
        singular: "persistentvolume",
        short_names: &["pv"],
        categories: &[],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::Event,
        group: "",
        version: "v1",
        plural: "events",
        singular: "event",
        short_names: &["ev"],
        categories: &[],
        subresources: &[],
    },
    Resource {
        kind: Kind::ConfigMap,
        group: "",
        version: "v1",
        plural: "configmaps",
        singular: "configmap",
        short_names: &["cm"],
        categories: &[],
        subresources: &[],
    },
    Resource {
        kind: Kind::Secret,
        group: "",
        version: "v1",
        plural: "secrets",
        singular: "secret",
        short_names: &[],
        categories: &[],
        subresources: &[],
    },
    Resource {
        kind: Kind::Node,
        group: "",
        version: "v1",
        plural: "nodes",
        singular: "node",
        short_names: &["no"],
        categories: &[],
        subresources: &[Status],
    },
    Resource {
        kind: Kind::StatefulSet,
        group: "apps",
        version: "v1",
        plural: "statefulsets",
        singular: "statefulset",
        short_names: &["sts"],
        categories: &["all"],
        subresources: &[Scale, Status],
    },
    Resource {
        kind: Kind::ControllerRevision,
        group: "apps",
        version: "v1",
        plural: "controllerrevisions",
        singular: "controllerrevision",
        short_names: &[],
        categories: &[],
        subresources: &[],
    },
    Resource {
        kind: Kind::EndpointSlice,
        group: "discovery.k8s.io",
        version: "v1",
        plural: "endpointslices",
        singular: "endpointslice",
        short_names: &[],
        categories: &[],
        subresources: &[],
    },
];

/// The API groups besides the core group, in discovery order.
pub const GROUPS: [&str; 2] = ["apps", "discovery.k8s.io"];

/// The resource at `group`/`version`/`plural`.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resources of one group version.
pub fn in_group_version(group: &str, version: &str) -> impl Iterator<Item = &'static Resource> {
    let (group, version) = (group.to_owned(), version.to_owned());
    RESOURCES
        .iter()
        .filter(move |r| r.group == group && r.version == version)
}

/// Whether `group`/`version` is served.
pub fn serves_group_version(group: &str, version: &str) -> bool {
    RESOURCES
        .iter()
        .any(|r| r.group == group && r.version == version)
}

/// The resource storing `kind`.
pub fn of(kind: Kind) -> &'static Resource {
    // Every kind has exactly one entry; the fallback is unreachable but avoids a panic path.
    RESOURCES
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or(&RESOURCES[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_resource() {
        for kind in Kind::ALL {
            let r = of(kind);
            assert_eq!(r.kind, kind);
            assert_eq!(r.plural, kind.plural());
            assert_eq!(r.group_version(), kind.api_version());
        }
    }
}
