//! OpenAPI, only as much as kubectl uses: `/openapi/v3` lists a document per group
//! version whose PATCH operations carry the GVK extension and a `fieldValidation`
//! parameter (so `kubectl apply` leaves validation to the server), and `/openapi/v2` is
//! an empty document (the fallback kubectl 1.27 asks for first).

use super::resources::{self, GROUPS, Resource};
use serde_json::{Map, Value, json};

/// Content type of the (empty) protobuf v2 document; `@` would not parse as a MIME type.
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// Fixed per build: the documents never change while a server runs.
const HASH: &str = "5354534f4e464f524d";

fn gv_paths() -> Vec<(String, String, String)> {
    let mut out = vec![("api/v1".to_owned(), String::new(), "v1".to_owned())];
    for group in GROUPS {
        let mut versions: Vec<&str> = resources::RESOURCES
            .iter()
            .filter(|r| r.group == group)
            .map(|r| r.version)
            .collect();
        versions.dedup();
        for v in versions {
            out.push((format!("apis/{group}/{v}"), group.to_owned(), v.to_owned()));
        }
    }
    out
}

/// `/openapi/v3`: the index of group-version documents.
pub fn v3_root() -> Value {
    let mut paths = Map::new();
    for (path, _, _) in gv_paths() {
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={HASH}")}),
        );
    }
    json!({ "paths": paths })
}

fn patch_operation(r: &Resource, kind: Value, action_suffix: &str) -> Value {
    json!({
        "operationId": format!("patch{}{}", r.kind.as_str(), action_suffix),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": kind,
        "parameters": [
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}},
        ],
        "requestBody": {"content": {
            "application/apply-patch+yaml": {"schema": {"type": "object"}},
            "application/json-patch+json": {"schema": {"type": "object"}},
            "application/merge-patch+json": {"schema": {"type": "object"}},
            "application/strategic-merge-patch+json": {"schema": {"type": "object"}},
        }, "required": true},
        "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}},
    })
}

/// `/openapi/v3/<path>`: the document of one group version, or None when not served.
pub fn v3_document(path: &str) -> Option<Value> {
    let (_, group, version) = gv_paths().into_iter().find(|(p, _, _)| p == path)?;
    let mut paths = Map::new();
    for r in resources::in_group_version(&group, &version) {
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let item = if r.namespaced() {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("{prefix}/{}/{{name}}", r.plural)
        };
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind.as_str()});
        paths.insert(
            item.clone(),
            json!({ "patch": patch_operation(r, gvk.clone(), "") }),
        );
        for sub in r.subresources {
            let kind = match sub {
                resources::Subresource::Scale => {
                    json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
                }
                resources::Subresource::Status => gvk.clone(),
            };
            paths.insert(
                format!("{item}/{}", sub.as_str()),
                json!({ "patch": patch_operation(r, kind, sub.as_str()) }),
            );
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (stsconform serve)", "version": "v1"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

/// `/openapi/v2` as JSON, for clients that ask for JSON rather than protobuf.
pub fn v2_json() -> Value {
    json!({"swagger": "2.0", "info": {"title": "Kubernetes (stsconform serve)", "version": "v1"}, "paths": {}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_document_has_field_validation_on_patch() {
        let root = v3_root();
        assert!(root["paths"]["apis/apps/v1"]["serverRelativeURL"].is_string());
        let doc = v3_document("apis/apps/v1").unwrap();
        let op = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "StatefulSet");
        assert!(
            op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(v3_document("apis/nope/v1").is_none());
    }
}
