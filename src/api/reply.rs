//! Building responses: JSON bodies with their content type, `Warning` headers, and
//! `Status` errors.

use super::status::StatusError;
use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use serde_json::Value;

/// A response of the API.
pub type Reply = Response<Body>;

/// A JSON response.
pub fn json(code: u16, value: &Value, content_type: &str, warnings: &[String]) -> Reply {
    let body = serde_json::to_vec(value).unwrap_or_default();
    bytes(code, body, content_type, warnings)
}

/// A response with a ready body.
pub fn bytes(code: u16, body: Vec<u8>, content_type: &str, warnings: &[String]) -> Reply {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    for w in warnings {
        let escaped = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(v) = HeaderValue::from_str(&format!("299 - \"{escaped}\"")) {
            headers.append(header::WARNING, v);
        }
    }
    response
}

/// A `Status` error response.
pub fn error(e: &StatusError) -> Reply {
    let mut response = json(e.code, &e.to_json(), "application/json", &[]);
    if e.code == 401 {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"stsconform\""),
        );
    }
    if e.code == 429 {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// A plain-text response (health checks).
pub fn text(code: u16, body: &str) -> Reply {
    bytes(
        code,
        body.as_bytes().to_vec(),
        "text/plain; charset=utf-8",
        &[],
    )
}
