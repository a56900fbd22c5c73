//! Failures as the API server reports them: a `meta/v1` `Status` with the HTTP code,
//! `reason`, message and details (field causes for 422 Invalid).

use crate::sim::apiserver::ApiError;
use serde_json::{Value, json};

/// An error response: what a Kubernetes `Status` of `status: Failure` carries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct StatusError {
    /// The HTTP status code.
    pub code: u16,
    /// `Status.reason` (`NotFound`, `Invalid`, …).
    pub reason: &'static str,
    /// `Status.message`.
    pub message: String,
    /// `Status.details`, when there is anything to say.
    pub details: Option<Value>,
}

impl StatusError {
    /// A Status with no details.
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> StatusError {
        StatusError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> StatusError {
        StatusError::new(400, "BadRequest", message)
    }

    /// 401 Unauthorized.
    pub fn unauthorized() -> StatusError {
        StatusError::new(401, "Unauthorized", "Unauthorized")
    }

    /// 404 NotFound for a path that names no resource.
    pub fn not_found_path() -> StatusError {
        StatusError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 404 NotFound for an object.
    pub fn not_found(resource: &str, group: &str, name: &str) -> StatusError {
        let qualified = if group.is_empty() {
            resource.to_owned()
        } else {
            format!("{resource}.{group}")
        };
        StatusError {
            details: Some(details(name, group, resource)),
            ..StatusError::new(404, "NotFound", format!("{qualified} \"{name}\" not found"))
        }
    }

    /// 405 MethodNotAllowed.
    pub fn method_not_allowed(method: &str) -> StatusError {
        StatusError::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// 406 NotAcceptable.
    pub fn not_acceptable(accept: &str) -> StatusError {
        StatusError::new(
            406,
            "NotAcceptable",
            format!(
                "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io (got {accept:?})"
            ),
        )
    }

    /// 410 Expired.
    pub fn expired(message: impl Into<String>) -> StatusError {
        StatusError::new(410, "Expired", message)
    }

    /// 413 RequestEntityTooLarge.
    pub fn too_large(limit: usize) -> StatusError {
        StatusError::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    /// 415 UnsupportedMediaType.
    pub fn unsupported_media_type(got: &str, accepted: &[&str]) -> StatusError {
        StatusError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format ({got:?}) - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 429 TooManyRequests.
    pub fn too_many_requests(message: impl Into<String>) -> StatusError {
        StatusError::new(429, "TooManyRequests", message)
    }

    /// 500 InternalError.
    pub fn internal(message: impl Into<String>) -> StatusError {
        StatusError::new(500, "InternalError", message)
    }

    /// The `Status` object.
    pub fn to_json(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

/// `StatusDetails` naming an object: `kind` holds the resource, as the API server does.
fn details(name: &str, group: &str, resource: &str) -> Value {
    let mut d = json!({"name": name, "kind": resource});
    if !group.is_empty() {
        d["group"] = json!(group);
    }
    d
}

/// Splits `statefulsets.apps` into (`statefulsets`, `apps`).
fn split_qualified(resource: &str) -> (&str, &str) {
    resource.split_once('.').unwrap_or((resource, ""))
}

impl From<ApiError> for StatusError {
    fn from(e: ApiError) -> Self {
        let message = e.to_string();
        let details = match &e {
            ApiError::NotFound { resource, name } | ApiError::AlreadyExists { resource, name } => {
                let (resource, group) = split_qualified(resource);
                Some(details(name, group, resource))
            }
            ApiError::Invalid {
                kind, name, causes, ..
            } => {
                let group = kind.api_version().split_once('/').map_or("", |(g, _)| g);
                let causes: Vec<Value> = causes
                    .iter()
                    .map(|c| json!({"reason": c.reason(), "message": c.body(), "field": c.path}))
                    .collect();
                let mut d = json!({"name": name, "kind": kind.as_str(), "causes": causes});
                if !group.is_empty() {
                    d["group"] = json!(group);
                }
                Some(d)
            }
            _ => None,
        };
        StatusError {
            code: e.code(),
            reason: static_reason(e.reason()),
            message,
            details,
        }
    }
}

/// A `Status.reason` as a static string: the simulation produces only these.
fn static_reason(reason: &str) -> &'static str {
    const KNOWN: [&str; 8] = [
        "NotFound",
        "AlreadyExists",
        "Conflict",
        "Invalid",
        "BadRequest",
        "Forbidden",
        "Expired",
        "InternalError",
    ];
    KNOWN
        .into_iter()
        .find(|k| *k == reason)
        .unwrap_or("InternalError")
}

/// A `Status` of `status: Success`, as some deletes return.
pub fn success(name: &str, group: &str, resource: &str, uid: Option<&str>) -> Value {
    let mut d = details(name, group, resource);
    if let Some(uid) = uid {
        d["uid"] = json!(uid);
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::object::Kind;
    use crate::model::validation::FieldError;

    #[test]
    fn not_found_carries_group_and_resource() {
        let e: StatusError = ApiError::NotFound {
            resource: "statefulsets.apps".into(),
            name: "web".into(),
        }
        .into();
        let v = e.to_json();
        assert_eq!(v["code"], 404);
        assert_eq!(v["reason"], "NotFound");
        assert_eq!(v["details"]["group"], "apps");
        assert_eq!(v["details"]["kind"], "statefulsets");
        assert_eq!(v["message"], "statefulsets.apps \"web\" not found");
    }

    #[test]
    fn invalid_lists_causes() {
        let e: StatusError = ApiError::Invalid {
            kind: Kind::StatefulSet,
            name: "web".into(),
            message: "m".into(),
            causes: vec![FieldError::required("spec.selector", "")],
        }
        .into();
        let v = e.to_json();
        assert_eq!(v["code"], 422);
        assert_eq!(v["details"]["causes"][0]["field"], "spec.selector");
        assert_eq!(v["details"]["causes"][0]["reason"], "FieldValueRequired");
    }
}
