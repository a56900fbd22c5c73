//! The namespace lifecycle: a deleted namespace turns `Terminating`, takes no new content,
//! has everything in it deleted (pods gracefully, dependents by the garbage collector as
//! usual) and goes once it is empty, as upstream's namespace controller
//! (`pkg/controller/namespace/deletion`) empties a namespace before its `kubernetes`
//! finalizer is removed. The cluster target relies on this to clean up after a scenario
//! against `serve`.

use super::apiserver::DeleteOptions;
use super::{Cluster, Work};
use crate::model::api_error::ApiError;
use crate::model::object::{Kind, Object};
use k8s_openapi::api::core::v1::NamespaceStatus;
use std::sync::Arc;
use std::time::Duration;

/// How soon a terminating namespace that still holds objects is looked at again
/// (upstream requeues with backoff; a fixed second is enough here).
const RECHECK: Duration = Duration::from_secs(1);

/// Starts deleting a namespace: marks it Terminating and queues its emptying.
pub(crate) fn delete(cluster: &mut Cluster, name: &str) -> Result<Arc<Object>, ApiError> {
    let current = super::front::get(cluster, Kind::Namespace, "", name)?;
    if current.metadata().deletion_timestamp.is_some() {
        return Ok(current);
    }
    let mut object = Object::clone(&current);
    object.metadata_mut().deletion_timestamp = Some(cluster.clock.time());
    object.metadata_mut().deletion_grace_period_seconds = Some(0);
    if let Object::Namespace(ns) = &mut object {
        ns.status = Some(NamespaceStatus {
            phase: Some("Terminating".into()),
            ..NamespaceStatus::default()
        });
    }
    let now = cluster.clock.now();
    let written = cluster.store.update(object, now)?;
    cluster.enqueue(Work::Namespace(name.to_owned()));
    Ok(written)
}

/// upstream: namespace deletion `Delete`: deletes what is left in the namespace and
/// removes the namespace once nothing is.
pub(crate) fn sync(cluster: &mut Cluster, name: &str) {
    let Some(namespace) = cluster.store.get(Kind::Namespace, "", name) else {
        return;
    };
    if namespace.metadata().deletion_timestamp.is_none() {
        return;
    }
    let mut remaining = 0usize;
    for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
        let objects: Vec<(String, bool)> = cluster
            .store
            .list(kind, Some(name))
            .map(|o| {
                (
                    o.name().to_owned(),
                    o.metadata().deletion_timestamp.is_some(),
                )
            })
            .collect();
        remaining += objects.len();
        for (object, deleting) in objects {
            if !deleting {
                let _ = cluster.delete(kind, name, &object, &DeleteOptions::default());
            }
        }
    }
    if remaining == 0 {
        let now = cluster.clock.now();
        let _ = cluster.store.remove(Kind::Namespace, "", name, now);
    } else {
        cluster.enqueue_after(Work::Namespace(name.to_owned()), RECHECK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{nginx_service, web};
    use crate::sim::ClusterConfig;
    use serde_json::json;

    fn in_namespace(mut object: Object, ns: &str) -> Object {
        object.metadata_mut().namespace = Some(ns.into());
        object
    }

    #[test]
    fn a_deleted_namespace_is_emptied_then_removed() {
        let mut c = Cluster::new(ClusterConfig::default());
        c.ensure_namespace("t").unwrap();
        c.create(in_namespace(
            Object::Service(Box::new(nginx_service())),
            "t",
        ))
        .unwrap();
        c.create(in_namespace(
            Object::StatefulSet(Box::new(web(2, json!({})))),
            "t",
        ))
        .unwrap();
        c.run_for(Duration::from_secs(30)).unwrap();
        assert_eq!(c.store().list(Kind::Pod, Some("t")).count(), 2);

        let deleting = c
            .delete(Kind::Namespace, "", "t", &DeleteOptions::default())
            .unwrap();
        let Object::Namespace(ns) = deleting.as_ref() else {
            panic!("not a namespace");
        };
        assert_eq!(
            ns.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Terminating")
        );
        let refused = c.create(in_namespace(
            Object::Service(Box::new(nginx_service())),
            "t",
        ));
        assert_eq!(
            refused.unwrap_err().code(),
            403,
            "content created while terminating"
        );

        c.run_for(Duration::from_secs(120)).unwrap();
        assert!(
            c.store().get(Kind::Namespace, "", "t").is_none(),
            "namespace left"
        );
        for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
            assert_eq!(c.store().list(kind, Some("t")).count(), 0, "{kind:?} left");
        }
        assert!(c.store().get(Kind::Namespace, "", "default").is_some());
    }
}
