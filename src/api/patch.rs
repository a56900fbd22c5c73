//! PATCH: the four patch media types (JSON patch, merge patch, strategic merge patch and
//! server-side apply of whole objects) applied to the stored object's JSON.

use super::body::parse_yaml_or_json;
use super::request::essence;
use super::status::StatusError;
pub use crate::model::patch::PatchType;
use serde_json::Value;

/// The patch media types the server accepts.
pub const ACCEPTED: [&str; 4] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

/// The patch type of a Content-Type header.
///
/// # Errors
/// 415 for anything else.
pub fn patch_type(content_type: Option<&str>) -> Result<PatchType, StatusError> {
    let media = essence(content_type);
    match media.as_str() {
        "application/json-patch+json" => Ok(PatchType::Json),
        "application/merge-patch+json" => Ok(PatchType::Merge),
        "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
        "application/apply-patch+yaml" => Ok(PatchType::Apply),
        other => Err(StatusError::unsupported_media_type(other, &ACCEPTED)),
    }
}

/// Parses a patch body.
///
/// # Errors
/// 400 when it does not parse or has the wrong shape for its type.
pub fn parse(patch_type: PatchType, body: &[u8]) -> Result<Value, StatusError> {
    let doc = match patch_type {
        PatchType::Apply => parse_yaml_or_json(body)?,
        _ => serde_json::from_slice(body)
            .map_err(|e| StatusError::bad_request(format!("error decoding patch: {e}")))?,
    };
    match (patch_type, &doc) {
        (PatchType::Json, Value::Array(_)) => Ok(doc),
        (PatchType::Json, _) => Err(StatusError::bad_request(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        )),
        (_, Value::Object(_)) => Ok(doc),
        _ => Err(StatusError::bad_request("the patch must be a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_map_to_patch_types() {
        assert_eq!(
            patch_type(Some("application/merge-patch+json; charset=utf-8")).unwrap(),
            PatchType::Merge
        );
        assert_eq!(patch_type(Some("application/json")).unwrap_err().code, 415);
        assert_eq!(patch_type(None).unwrap_err().code, 415);
    }

    #[test]
    fn malformed_patches_are_bad_requests() {
        assert_eq!(parse(PatchType::Json, b"{}").unwrap_err().code, 400);
        assert_eq!(parse(PatchType::Merge, b"[1]").unwrap_err().code, 400);
        assert_eq!(parse(PatchType::Strategic, b"{").unwrap_err().code, 400);
        assert_eq!(
            parse(PatchType::Apply, b"spec:\n  replicas: 3\n").unwrap(),
            serde_json::json!({"spec": {"replicas": 3}})
        );
    }
}
