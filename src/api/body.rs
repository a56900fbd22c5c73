//! Request bodies: JSON (or YAML) objects checked against the URL's resource and
//! namespace, decoded into typed objects, with `fieldValidation` (Strict rejects unknown
//! fields, Warn reports them as warnings, Ignore drops them) and `DeleteOptions`.

use super::request::{Query, essence};
use super::resources::Resource;
use super::status::StatusError;
use crate::model::object::Object;
use crate::sim::apiserver::{DeleteOptions, Propagation};
use serde_json::Value;

/// `fieldValidation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// Reject unknown and duplicate fields (400).
    Strict,
    /// Accept, with a warning per unknown field (the server default).
    Warn,
    /// Drop unknown fields silently.
    Ignore,
}

impl FieldValidation {
    /// Reads `fieldValidation` from the query.
    ///
    /// # Errors
    /// 400 for a value other than Strict, Warn, Ignore.
    pub fn from_query(query: &Query) -> Result<FieldValidation, StatusError> {
        match query.get("fieldValidation") {
            None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
            Some("Strict") => Ok(FieldValidation::Strict),
            Some("Ignore") => Ok(FieldValidation::Ignore),
            Some(other) => Err(StatusError::bad_request(format!(
                "fieldValidation parameter unsupported: {other}, valid values are: Ignore, Warn, Strict"
            ))),
        }
    }
}

/// Parses a body as JSON, or YAML when the media type says so.
///
/// # Errors
/// 415 for media types other than JSON, YAML and (for the kinds kubectl creates with it)
/// protobuf, 400 when the body does not parse.
pub fn parse_document(body: &[u8], content_type: Option<&str>) -> Result<Value, StatusError> {
    let media = essence(content_type);
    match media.as_str() {
        "" | "application/json" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            StatusError::bad_request(format!("the request body is not valid JSON: {e}"))
        }),
        "application/yaml" | "application/apply-patch+yaml" => parse_yaml_or_json(body),
        super::protobuf::MEDIA_TYPE => super::protobuf::decode(body),
        other => Err(StatusError::unsupported_media_type(
            other,
            &[
                "application/json",
                "application/yaml",
                super::protobuf::MEDIA_TYPE,
            ],
        )),
    }
}

/// Parses JSON text, or YAML when it is not JSON.
///
/// # Errors
/// 400 when the body is neither.
pub fn parse_yaml_or_json(body: &[u8]) -> Result<Value, StatusError> {
    if let Ok(v) = serde_json::from_slice(body) {
        return Ok(v);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| StatusError::bad_request("the request body is not UTF-8 text"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| StatusError::bad_request(format!("error decoding YAML: {e}")))
}

/// Checks a document's `apiVersion` and `kind` against the resource, filling them in
/// when absent.
///
/// # Errors
/// 400 when they name another type.
pub fn check_type(doc: &mut Value, resource: &Resource) -> Result<(), StatusError> {
    let Value::Object(map) = doc else {
        return Err(StatusError::bad_request(format!(
            "the request body must be a JSON object (a {})",
            resource.kind
        )));
    };
    let expected_version = resource.group_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("apiVersion".into(), Value::String(expected_version));
        }
        Some(v) if v == expected_version => {}
        Some(v) => {
            return Err(StatusError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({expected_version})"
            )));
        }
    }
    match map.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("kind".into(), Value::String(resource.kind.as_str().into()));
        }
        Some(k) if k == resource.kind.as_str() => {}
        Some(k) => {
            return Err(StatusError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                resource.kind
            )));
        }
    }
    Ok(())
}

/// Paths of fields in `input` that do not survive decoding (`output` is the decoded
/// object re-encoded): the unknown fields, as `spec.template.spec.containers[0].bogus`.
pub fn unknown_fields(input: &Value, output: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(input, output, "", &mut out);
    out
}

fn walk(input: &Value, output: &Value, path: &str, out: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(i), Value::Object(o)) => {
            for (k, v) in i {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match o.get(k) {
                    Some(ov) => walk(v, ov, &p, out),
                    None => {
                        let empty = match v {
                            Value::Null => true,
                            Value::Array(a) => a.is_empty(),
                            Value::Object(m) => m.is_empty(),
                            _ => false,
                        };
                        if !empty {
                            out.push(p);
                        }
                    }
                }
            }
        }
        (Value::Array(i), Value::Array(o)) => {
            for (n, (iv, ov)) in i.iter().zip(o.iter()).enumerate() {
                walk(iv, ov, &format!("{path}[{n}]"), out);
            }
        }
        _ => {}
    }
}

/// A decoded object with the warnings decoding produced.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The typed object.
    pub object: Object,
    /// `Warning` headers to send.
    pub warnings: Vec<String>,
}

/// Decodes a JSON document as the resource's kind, honouring `fieldValidation`.
///
/// # Errors
/// 400 when the document does not fit the type or (Strict) has unknown fields.
pub fn decode(
    doc: Value,
    resource: &Resource,
    validation: FieldValidation,
) -> Result<Decoded, StatusError> {
    let kind = resource.kind;
    let prefix = format!(
        "{kind} in version \"{}\" cannot be handled as a {kind}",
        resource.version
    );
    let object = Object::from_json(kind, doc.clone())
        .map_err(|e| StatusError::bad_request(format!("{prefix}: {e}")))?;
    let mut warnings = Vec::new();
    if validation != FieldValidation::Ignore {
        let unknown = unknown_fields(&doc, &object.to_json());
        if !unknown.is_empty() {
            let messages: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{f}\""))
                .collect();
            if validation == FieldValidation::Strict {
                return Err(StatusError::bad_request(format!(
                    "{prefix}: strict decoding error: {}",
                    messages.join(", ")
                )));
            }
            warnings = messages;
        }
    }
    Ok(Decoded { object, warnings })
}

/// Sets the URL's namespace on the object, or rejects a different one.
///
/// # Errors
/// 400 when the body names another namespace.
pub fn check_namespace(object: &mut Object, namespace: Option<&str>) -> Result<(), StatusError> {
    let Some(ns) = namespace else {
        return Ok(());
    };
    match object.metadata().namespace.as_deref() {
        None | Some("") => {
            object.metadata_mut().namespace = Some(ns.to_owned());
            Ok(())
        }
        Some(given) if given == ns => Ok(()),
        Some(_) => Err(StatusError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
    }
}

/// A delete's options: query parameters, then a `DeleteOptions` body over them, plus the
/// resourceVersion precondition the core does not check.
#[derive(Debug, Clone, Default)]
pub struct Deletion {
    /// What the core takes.
    pub options: DeleteOptions,
    /// `preconditions.resourceVersion`.
    pub precondition_resource_version: Option<String>,
    /// `dryRun` was asked for.
    pub dry_run: bool,
}

fn propagation(s: &str) -> Result<Propagation, StatusError> {
    Propagation::parse(s).ok_or_else(|| {
        StatusError::bad_request(format!(
            "propagationPolicy: Unsupported value: \"{s}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
        ))
    })
}

/// Reads delete options.
///
/// # Errors
/// 400 for malformed bodies or values, 415 for a non-JSON body.
pub fn deletion(
    query: &Query,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Deletion, StatusError> {
    let mut d = Deletion::default();
    if let Some(p) = query.get("propagationPolicy").filter(|p| !p.is_empty()) {
        d.options.propagation = Some(propagation(p)?);
    }
    if let Some(orphan) = query.get("orphanDependents") {
        d.options.propagation = Some(if orphan == "true" {
            Propagation::Orphan
        } else {
            Propagation::Background
        });
    }
    d.options.grace_period_seconds = query.int("gracePeriodSeconds")?;
    d.dry_run = query.get("dryRun").is_some_and(|v| !v.is_empty());
    if !body.iter().all(u8::is_ascii_whitespace) {
        let doc = parse_document(body, content_type)?;
        let Value::Object(map) = doc else {
            return Err(StatusError::bad_request(
                "the DeleteOptions body must be a JSON object",
            ));
        };
        if let Some(k) = map.get("kind").and_then(Value::as_str)
            && k != "DeleteOptions"
        {
            return Err(StatusError::bad_request(format!(
                "the body must be a DeleteOptions, not a {k}"
            )));
        }
        if let Some(p) = map.get("propagationPolicy") {
            match p {
                Value::Null => {}
                Value::String(s) => d.options.propagation = Some(propagation(s)?),
                _ => {
                    return Err(StatusError::bad_request(
                        "propagationPolicy must be a string",
                    ));
                }
            }
        }
        if let Some(Value::Bool(orphan)) = map.get("orphanDependents") {
            d.options.propagation = Some(if *orphan {
                Propagation::Orphan
            } else {
                Propagation::Background
            });
        }
        match map.get("gracePeriodSeconds") {
            None | Some(Value::Null) => {}
            Some(v) => {
                d.options.grace_period_seconds = Some(v.as_i64().ok_or_else(|| {
                    StatusError::bad_request("gracePeriodSeconds must be an integer")
                })?)
            }
        }
        if let Some(pre) = map.get("preconditions") {
            d.options.precondition_uid = pre.get("uid").and_then(Value::as_str).map(str::to_owned);
            d.precondition_resource_version = pre
                .get("resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        if map
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            d.dry_run = true;
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::resources;
    use crate::model::object::Kind;
    use serde_json::json;

    #[test]
    fn strict_validation_names_unknown_fields() {
        let r = resources::of(Kind::StatefulSet);
        let mut doc = json!({"metadata": {"name": "web"}, "spec": {"bogusField": 1, "selector": {}, "template": {}}});
        check_type(&mut doc, r).unwrap();
        let err = decode(doc.clone(), r, FieldValidation::Strict).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(
            err.message.contains("unknown field \"spec.bogusField\""),
            "{}",
            err.message
        );
        let ok = decode(doc, r, FieldValidation::Warn).unwrap();
        assert_eq!(ok.warnings, vec!["unknown field \"spec.bogusField\""]);
    }

    #[test]
    fn wrong_types_are_rejected() {
        let r = resources::of(Kind::Pod);
        let mut doc = json!({"apiVersion": "apps/v1", "kind": "Pod"});
        assert_eq!(check_type(&mut doc, r).unwrap_err().code, 400);
        let mut doc = json!([1, 2]);
        assert_eq!(check_type(&mut doc, r).unwrap_err().code, 400);
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": "x"}});
        assert_eq!(
            decode(doc, r, FieldValidation::Strict).unwrap_err().code,
            400
        );
    }

    #[test]
    fn delete_options_from_body_and_query() {
        let q = Query::parse(Some("gracePeriodSeconds=0"));
        let d = deletion(
            &q,
            br#"{"propagationPolicy":"Orphan"}"#,
            Some("application/json"),
        )
        .unwrap();
        assert_eq!(d.options.propagation, Some(Propagation::Orphan));
        assert_eq!(d.options.grace_period_seconds, Some(0));
        assert!(deletion(&q, br#"{"propagationPolicy":"Sideways"}"#, None).is_err());
        assert!(deletion(&q, b"{", None).is_err());
        assert_eq!(
            deletion(&q, b"{}", Some("application/cbor"))
                .unwrap_err()
                .code,
            415
        );
    }
}
