//! Ready-made objects for tests, benchmarks and examples: the tutorial's `nginx` Service and
//! `web` StatefulSet, adjustable through JSON merge patches.

use crate::model::object::{Kind, Object};
use crate::model::patch::merge_patch;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;
use serde_json::{Value, json};

/// The tutorial's headless Service `nginx` selecting `app=nginx`.
pub fn nginx_service() -> Service {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "nginx", "labels": {"app": "nginx"}},
        "spec": {"ports": [{"port": 80, "name": "web"}], "clusterIP": "None", "selector": {"app": "nginx"}}
    }))
    .unwrap_or_default()
}

/// The tutorial's `web` StatefulSet (`replicas` replicas, one `www` claim template), with
/// `overrides` merged over it as a JSON merge patch.
pub fn web(replicas: i32, overrides: Value) -> StatefulSet {
    let mut value = json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "serviceName": "nginx",
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{
                    "name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8",
                    "ports": [{"containerPort": 80, "name": "web"}],
                    "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]
                }]}
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "www"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
            }]
        }
    });
    merge_patch(&mut value, &overrides);
    match Object::from_json(Kind::StatefulSet, value) {
        Ok(Object::StatefulSet(set)) => *set,
        _ => StatefulSet::default(),
    }
}
