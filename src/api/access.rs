//! Who may do what on `serve`: the full-access bearer token, an optional read-only token
//! (`--read-only-kubeconfig`: get, list and watch only, for testing how clients meet
//! missing permissions), and `SelfSubjectAccessReview`, which clients such as the cluster
//! target ask before they start.

use super::reply::{self, Reply};
use super::status::StatusError;
use axum::http::Method;
use serde_json::{Value, json};

/// The name the read-only token authenticates as, in Forbidden messages.
pub const READ_ONLY_USER: &str = "stsconform:read-only";

/// What a request's credentials allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything.
    Full,
    /// get, list and watch.
    ReadOnly,
    /// Everything, as the StatefulSet controller under test (`--controller-kubeconfig`):
    /// its writes are judged by the invariant monitor.
    Controller,
}

impl Access {
    /// Whether the access allows `verb` (a Kubernetes verb: get, list, watch, create, …).
    pub fn allows(self, verb: &str) -> bool {
        self != Access::ReadOnly || matches!(verb, "get" | "list" | "watch")
    }
}

/// The path of the review resource.
pub const REVIEW_PATH: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

/// Refuses a write made with read-only credentials, as an API server's authorizer does.
///
/// # Errors
/// 403 Forbidden naming the verb and the path.
pub fn check(access: Access, method: &Method, path: &str) -> Result<(), StatusError> {
    let verb = match *method {
        Method::GET | Method::HEAD => return Ok(()),
        Method::POST if path == REVIEW_PATH => return Ok(()),
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "use",
    };
    if access.allows(verb) {
        return Ok(());
    }
    Err(StatusError::new(
        403,
        "Forbidden",
        format!(
            "User \"{READ_ONLY_USER}\" cannot {verb} at {path}: the read-only token allows get, list and watch only"
        ),
    ))
}

/// Answers a SelfSubjectAccessReview for `access`.
pub fn review(access: Access, body: &[u8]) -> Reply {
    let mut review: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return reply::error(&StatusError::bad_request(
                "the body must be a SelfSubjectAccessReview in JSON",
            ));
        }
    };
    let verb = review
        .pointer("/spec/resourceAttributes/verb")
        .or_else(|| review.pointer("/spec/nonResourceAttributes/verb"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let allowed = access.allows(&verb);
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review["status"] = if allowed {
        json!({"allowed": true, "reason": "stsconform serve: full access"})
    } else {
        json!({"allowed": false, "reason": "stsconform serve: the read-only token allows get, list and watch only"})
    };
    reply::json(201, &review, "application/json", &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_credentials_read_but_do_not_write() {
        assert!(check(Access::ReadOnly, &Method::GET, "/api/v1/pods").is_ok());
        assert!(check(Access::ReadOnly, &Method::POST, REVIEW_PATH).is_ok());
        let refused = check(Access::ReadOnly, &Method::POST, "/api/v1/namespaces").unwrap_err();
        assert_eq!(refused.code, 403);
        assert!(
            refused.message.contains("cannot create"),
            "{}",
            refused.message
        );
        assert!(check(Access::Full, &Method::DELETE, "/api/v1/namespaces/x").is_ok());
    }
}
