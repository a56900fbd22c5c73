//! Routing: the API's URL space (`/version`, discovery, OpenAPI, health, and
//! `/api/v1/…`, `/apis/{group}/{version}/…` with namespaces, names and subresources) to
//! the handlers, with Accept negotiation and method checks.

use super::discovery;
use super::objects;
use super::openapi;
use super::reply::{self, Reply};
use super::request::{Format, Query, negotiate};
use super::resources::{self, Resource, Subresource};
use super::state::State;
use super::status::StatusError;
use axum::http::{HeaderMap, Method, header};
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;

/// One call on a resource.
#[derive(Debug)]
pub struct Call {
    /// The resource addressed.
    pub resource: &'static Resource,
    /// The namespace in the URL (None for cluster-scoped kinds and all-namespace lists).
    pub namespace: Option<String>,
    /// The object name in the URL, when an object is addressed.
    pub name: Option<String>,
    /// The subresource addressed.
    pub sub: Option<Subresource>,
    /// Query parameters.
    pub query: Query,
    /// The negotiated response format.
    pub format: Format,
    /// The request's Content-Type.
    pub content_type: Option<String>,
    /// The request body.
    pub body: Bytes,
}

/// A resource URL, once parsed.
#[derive(Debug, Clone)]
struct Address {
    resource: &'static Resource,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<Subresource>,
}

fn sub_of(resource: &Resource, s: &str) -> Result<Subresource, StatusError> {
    let sub = match s {
        "status" => Subresource::Status,
        "scale" => Subresource::Scale,
        _ => return Err(StatusError::not_found_path()),
    };
    if resource.has(sub) {
        Ok(sub)
    } else {
        Err(StatusError::not_found_path())
    }
}

/// Parses the part of a resource URL after `/api/v1` or `/apis/{group}/{version}`.
fn address(group: &str, version: &str, rest: &[&str]) -> Result<Address, StatusError> {
    let find = |plural: &str| {
        resources::find(group, version, plural).ok_or_else(StatusError::not_found_path)
    };
    if rest.len() >= 3 && rest[0] == "namespaces" && !matches!(rest[2], "status" | "finalize") {
        let namespace = rest[1].to_owned();
        let resource = find(rest[2])?;
        if !resource.namespaced() {
            return Err(StatusError::not_found_path());
        }
        return match &rest[3..] {
            [] => Ok(Address {
                resource,
                namespace: Some(namespace),
                name: None,
                sub: None,
            }),
            [name] => Ok(Address {
                resource,
                namespace: Some(namespace),
                name: Some((*name).to_owned()),
                sub: None,
            }),
            [name, sub] => Ok(Address {
                resource,
                namespace: Some(namespace),
                name: Some((*name).to_owned()),
                sub: Some(sub_of(resource, sub)?),
            }),
            _ => Err(StatusError::not_found_path()),
        };
    }
    match rest {
        [plural] => Ok(Address {
            resource: find(plural)?,
            namespace: None,
            name: None,
            sub: None,
        }),
        [plural, name] | [plural, name, _] => {
            let resource = find(plural)?;
            if resource.namespaced() {
                return Err(StatusError::not_found_path());
            }
            let sub = match rest.get(2) {
                Some(s) => Some(sub_of(resource, s)?),
                None => None,
            };
            Ok(Address {
                resource,
                namespace: None,
                name: Some((*name).to_owned()),
                sub,
            })
        }
        _ => Err(StatusError::not_found_path()),
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn json_ok(value: &serde_json::Value) -> Reply {
    reply::json(200, value, "application/json", &[])
}

fn only_get(method: &Method) -> Result<(), StatusError> {
    if method == Method::GET {
        Ok(())
    } else {
        Err(StatusError::method_not_allowed(method.as_str()))
    }
}

/// Handles one authenticated request whose body has been read.
pub async fn handle(
    state: &Arc<State>,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    match route(state, method, path, raw_query, headers, body).await {
        Ok(r) => r,
        Err(e) => reply::error(&e),
    }
}

async fn route(
    state: &Arc<State>,
    method: &Method,
    path: &str,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Reply, StatusError> {
    let accept = header_str(headers, header::ACCEPT);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let segments: Vec<&str> = match segments.as_slice() {
        [rest @ .., ""] if !rest.is_empty() => rest.to_vec(),
        _ => segments,
    };
    if segments.iter().any(|s| s.is_empty()) && segments != [""] {
        return Err(StatusError::not_found_path());
    }
    match segments.as_slice() {
        [""] => {
            only_get(method)?;
            let paths = [
                "/api",
                "/api/v1",
                "/apis",
                "/apis/apps",
                "/apis/apps/v1",
                "/apis/discovery.k8s.io",
                "/apis/discovery.k8s.io/v1",
                "/healthz",
                "/livez",
                "/metrics",
                "/openapi/v2",
                "/openapi/v3",
                "/readyz",
                "/version",
            ];
            Ok(json_ok(&json!({ "paths": paths })))
        }
        ["version"] => {
            only_get(method)?;
            Ok(json_ok(&discovery::version(state.minor)))
        }
        ["metrics"] => {
            only_get(method)?;
            Ok(reply::text(
                200,
                &crate::model::behaviour::metrics_for(&state.behaviour),
            ))
        }
        ["healthz" | "livez" | "readyz", ..] => {
            only_get(method)?;
            Ok(reply::text(200, "ok"))
        }
        ["api"] | ["apis"] => {
            only_get(method)?;
            let core = segments[0] == "api";
            match discovery::aggregated_version(accept.as_deref()) {
                Some(v) => {
                    let doc = discovery::aggregated(core, v);
                    Ok(reply::json(
                        200,
                        &doc,
                        &discovery::aggregated_content_type(v),
                        &[],
                    ))
                }
                None if core => Ok(json_ok(&discovery::legacy_core())),
                None => Ok(json_ok(&discovery::legacy_groups())),
            }
        }
        ["api", "v1"] => {
            only_get(method)?;
            discovery::resource_list("", "v1")
                .map(|d| json_ok(&d))
                .ok_or_else(StatusError::not_found_path)
        }
        ["apis", group] => {
            only_get(method)?;
            discovery::legacy_group_doc(group)
                .map(|d| json_ok(&d))
                .ok_or_else(StatusError::not_found_path)
        }
        ["apis", group, version] => {
            only_get(method)?;
            discovery::resource_list(group, version)
                .map(|d| json_ok(&d))
                .ok_or_else(StatusError::not_found_path)
        }
        ["openapi", "v2"] => {
            only_get(method)?;
            let wants_json = accept
                .as_deref()
                .is_some_and(|a| a.contains("application/json") && !a.contains("protobuf"));
            if wants_json {
                Ok(json_ok(&openapi::v2_json()))
            } else {
                Ok(reply::bytes(200, Vec::new(), openapi::V2_PROTOBUF, &[]))
            }
        }
        ["openapi", "v3"] => {
            only_get(method)?;
            Ok(json_ok(&openapi::v3_root()))
        }
        ["openapi", "v3", rest @ ..] => {
            only_get(method)?;
            openapi::v3_document(&rest.join("/"))
                .map(|d| json_ok(&d))
                .ok_or_else(StatusError::not_found_path)
        }
        ["api", "v1", rest @ ..] => {
            let addr = address("", "v1", rest)?;
            resource_call(state, method, addr, raw_query, headers, accept, body).await
        }
        ["apis", group, version, rest @ ..] => {
            let addr = address(group, version, rest)?;
            resource_call(state, method, addr, raw_query, headers, accept, body).await
        }
        _ => Err(StatusError::not_found_path()),
    }
}

async fn resource_call(
    state: &Arc<State>,
    method: &Method,
    addr: Address,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    accept: Option<String>,
    body: Bytes,
) -> Result<Reply, StatusError> {
    let format = negotiate(accept.as_deref())
        .ok_or_else(|| StatusError::not_acceptable(accept.as_deref().unwrap_or("")))?;
    let call = Call {
        resource: addr.resource,
        namespace: addr.namespace,
        name: addr.name,
        sub: addr.sub,
        query: Query::parse(raw_query),
        format,
        content_type: header_str(headers, header::CONTENT_TYPE),
        body,
    };
    let named = call.name.is_some();
    match (method.clone(), named) {
        (Method::GET, true) => objects::get(state, &call).await,
        (Method::GET, false) => objects::list(state, &call).await,
        (Method::POST, false) if call.namespace.is_some() || !call.resource.namespaced() => {
            objects::create(state, &call).await
        }
        (Method::PUT, true) => objects::update(state, &call).await,
        (Method::PATCH, true) => objects::patch(state, &call).await,
        (Method::DELETE, true) if call.sub.is_none() => objects::delete(state, &call).await,
        (Method::DELETE, false) if call.namespace.is_some() || !call.resource.namespaced() => {
            objects::delete_collection(state, &call).await
        }
        (m, _) => Err(StatusError::method_not_allowed(m.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::object::Kind;

    #[test]
    fn resource_urls_parse() {
        let a = address("", "v1", &["namespaces", "default", "pods", "web-0"]).unwrap();
        assert_eq!(a.resource.kind, Kind::Pod);
        assert_eq!(a.namespace.as_deref(), Some("default"));
        assert_eq!(a.name.as_deref(), Some("web-0"));
        let a = address(
            "apps",
            "v1",
            &["namespaces", "d", "statefulsets", "web", "scale"],
        )
        .unwrap();
        assert_eq!(a.sub, Some(Subresource::Scale));
        assert!(address("", "v1", &["namespaces", "d", "pods", "x", "scale"]).is_err());
        let a = address("", "v1", &["namespaces", "default"]).unwrap();
        assert_eq!(a.resource.kind, Kind::Namespace);
        let a = address("", "v1", &["namespaces", "default", "status"]).unwrap();
        assert_eq!(a.sub, Some(Subresource::Status));
        let a = address("", "v1", &["pods"]).unwrap();
        assert!(a.namespace.is_none() && a.name.is_none());
        assert!(address("", "v1", &["pods", "x"]).is_err());
        assert!(address("", "v1", &["widgets"]).is_err());
        assert!(address("apps", "v1", &["namespaces", "d", "pods"]).is_err());
    }
}
