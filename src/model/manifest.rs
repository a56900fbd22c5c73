//! Loading user manifests: multi-document YAML or a JSON stream into typed objects, with
//! error messages that name the file, the document, the line and the field.

use crate::model::object::{Kind, Object};
use serde_json::Value;
use serde_saphyr::Spanned;

/// One object read from a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based index of the document among the file's non-empty documents (the items of a
    /// `kind: List` share their list's index).
    pub index: usize,
    /// 1-based line where the document's content starts.
    pub line: usize,
    /// The decoded object.
    pub object: Object,
}

/// Why a manifest could not be loaded. Every message names the file and, where known, the
/// line and the document (numbered from 1 in messages) and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The text is not valid YAML (or JSON).
    #[error(
        "{file}:{line}:{column}: invalid {language}: {message}; fix the syntax at that position"
    )]
    Syntax {
        /// File name as given to [`parse_manifests`].
        file: String,
        /// `YAML`, or `JSON` for text that is plainly JSON.
        language: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A document is not a mapping.
    #[error("{file}:{line}: document {}: expected a mapping with `apiVersion` and `kind`, found {found}", .document + 1)]
    NotAnObject {
        /// File name.
        file: String,
        /// 0-based document index.
        document: usize,
        /// 1-based line where the document starts.
        line: usize,
        /// What was found instead (e.g. "a list", "a string").
        found: String,
    },
    /// A document lacks `apiVersion` or `kind` (or has a non-string one).
    #[error("{file}:{line}: document {}: missing `{field}`; every object needs `apiVersion` and `kind`", .document + 1)]
    MissingField {
        /// File name.
        file: String,
        /// 0-based document index.
        document: usize,
        /// 1-based line where the document starts.
        line: usize,
        /// The missing field, e.g. `kind` or `items[2].apiVersion`.
        field: String,
    },
    /// `apiVersion`/`kind` name a type the reference cluster does not store.
    #[error(
        "{file}:{line}: document {}: unknown kind {} (apiVersion {}); stsconform knows {}",
        .document + 1, quoted(.kind), quoted(.api_version), known_kinds()
    )]
    UnknownKind {
        /// File name.
        file: String,
        /// 0-based document index.
        document: usize,
        /// 1-based line where the document starts.
        line: usize,
        /// The `apiVersion` given.
        api_version: String,
        /// The `kind` given.
        kind: String,
    },
    /// A field has the wrong type or shape for its kind.
    #[error("{file}:{line}: document {} ({kind}): {path}: {message}", .document + 1)]
    Field {
        /// File name.
        file: String,
        /// 0-based document index.
        document: usize,
        /// 1-based line where the document starts.
        line: usize,
        /// The kind being decoded.
        kind: Kind,
        /// Path of the offending field, e.g. `spec.replicas`.
        path: String,
        /// The decoder's description, e.g. `invalid type: string "two", expected i32`.
        message: String,
    },
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn known_kinds() -> String {
    let names: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{} ({})", k.as_str(), k.api_version()))
        .collect();
    names.join(", ")
}

/// Parses a manifest file: multi-document YAML (`---` separated, empty documents skipped)
/// or a JSON document / stream of JSON documents. A `v1` `List` expands to its `items`.
/// Every document needs `apiVersion` and `kind` naming a known [`Kind`].
///
/// `source` is the file name used in messages.
///
/// # Errors
/// [`ManifestError::Syntax`] with line and column for malformed text; otherwise the first
/// document that has no `apiVersion`/`kind`, an unknown kind, or a field of the wrong type.
pub fn parse_manifests(source: &str, text: &str) -> Result<Vec<Document>, ManifestError> {
    let raw = read_documents(source, text)?;
    let mut out = Vec::new();
    for (index, (line, value)) in raw.into_iter().enumerate() {
        let ctx = Ctx {
            file: source,
            document: index,
            line,
        };
        let (api_version, kind) = type_of(&ctx, &value, "")?;
        if api_version == "v1" && kind == "List" {
            let items = match value.get("items") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items.clone(),
                Some(other) => {
                    return Err(ManifestError::NotAnObject {
                        file: source.to_string(),
                        document: index,
                        line,
                        found: format!("`items` as {}", describe(other)),
                    });
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let prefix = format!("items[{i}].");
                let (api_version, kind) = type_of(&ctx, &item, &prefix)?;
                out.push(Document {
                    index,
                    line,
                    object: decode(&ctx, &api_version, &kind, item, &prefix)?,
                });
            }
        } else {
            out.push(Document {
                index,
                line,
                object: decode(&ctx, &api_version, &kind, value, "")?,
            });
        }
    }
    Ok(out)
}

struct Ctx<'a> {
    file: &'a str,
    document: usize,
    line: usize,
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Reads `apiVersion` and `kind` of a (possibly nested, `prefix`ed) object.
fn type_of(ctx: &Ctx<'_>, value: &Value, prefix: &str) -> Result<(String, String), ManifestError> {
    let Value::Object(map) = value else {
        return Err(ManifestError::NotAnObject {
            file: ctx.file.to_string(),
            document: ctx.document,
            line: ctx.line,
            found: if prefix.is_empty() {
                describe(value).to_string()
            } else {
                format!("{} at `{}`", describe(value), prefix.trim_end_matches('.'))
            },
        });
    };
    let field = |name: &str| -> Result<String, ManifestError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(ManifestError::MissingField {
                file: ctx.file.to_string(),
                document: ctx.document,
                line: ctx.line,
                field: format!("{prefix}{name}"),
            }),
        }
    };
    Ok((field("apiVersion")?, field("kind")?))
}

fn decode(
    ctx: &Ctx<'_>,
    api_version: &str,
    kind: &str,
    value: Value,
    prefix: &str,
) -> Result<Object, ManifestError> {
    let Some(k) = Kind::from_type(api_version, kind) else {
        return Err(ManifestError::UnknownKind {
            file: ctx.file.to_string(),
            document: ctx.document,
            line: ctx.line,
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        });
    };
    Object::from_json(k, value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." || path.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            format!("{prefix}{path}")
        };
        ManifestError::Field {
            file: ctx.file.to_string(),
            document: ctx.document,
            line: ctx.line,
            kind: k,
            path: if path.is_empty() {
                "(document)".to_string()
            } else {
                path
            },
            message: e.inner().to_string(),
        }
    })
}

/// Splits the text into `(start line, value)` documents.
fn read_documents(source: &str, text: &str) -> Result<Vec<(usize, Value)>, ManifestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if matches!(trimmed.chars().next(), Some('{' | '[')) {
        match read_json_stream(text) {
            Ok(docs) => return Ok(docs),
            // Text that is plainly meant as JSON gets JSON's (more precise) error; anything
            // else may still be YAML flow style.
            Err(e) if trimmed.starts_with("{\"") || trimmed.starts_with("[{\"") => {
                return Err(ManifestError::Syntax {
                    file: source.to_string(),
                    language: "JSON",
                    line: e.line(),
                    column: e.column(),
                    message: json_message(&e),
                });
            }
            Err(_) => {}
        }
    }
    match serde_saphyr::from_multiple::<Spanned<Value>>(text) {
        Ok(docs) => Ok(docs
            .into_iter()
            .filter(|d| !d.value.is_null())
            .map(|d| {
                (
                    usize::try_from(d.referenced.line()).unwrap_or(0).max(1),
                    d.value,
                )
            })
            .collect()),
        Err(yaml_error) => {
            let plain = yaml_error.without_snippet().to_string();
            let (line, column) = yaml_error
                .location()
                .map_or((0, 0), |l| (l.line(), l.column()));
            let suffix = format!(" at line {line}, column {column}");
            let message = plain.strip_suffix(&suffix).unwrap_or(&plain).to_string();
            Err(ManifestError::Syntax {
                file: source.to_string(),
                language: "YAML",
                line: usize::try_from(line).unwrap_or(0),
                column: usize::try_from(column).unwrap_or(0),
                message,
            })
        }
    }
}

/// serde_json's message without its trailing " at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    s.strip_suffix(&suffix).unwrap_or(&s).to_string()
}

fn read_json_stream(text: &str) -> Result<Vec<(usize, Value)>, serde_json::Error> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut offset = 0;
    while let Some(next) = stream.next() {
        let value = next?;
        let skipped = text[offset..].len() - text[offset..].trim_start().len();
        let start = offset + skipped;
        let line = text[..start].matches('\n').count() + 1;
        offset = stream.byte_offset();
        if !value.is_null() {
            out.push((line, value));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed tutorial's `web.yaml` (application/web/web.yaml).
    const WEB_YAML: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: k8s.gcr.io/nginx-slim:0.8
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
"#;

    #[test]
    fn seed_web_yaml_parses_into_service_and_stateful_set() {
        let docs = parse_manifests("web.yaml", WEB_YAML).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].index, docs[0].line), (0, 1));
        assert_eq!((docs[1].index, docs[1].line), (1, 15));
        assert_eq!(docs[0].object.kind(), Kind::Service);
        assert_eq!(docs[0].object.name(), "nginx");
        let Object::StatefulSet(set) = &docs[1].object else {
            panic!("expected a StatefulSet");
        };
        let spec = set.spec.clone().unwrap_or_default();
        assert_eq!(spec.replicas, Some(2));
        assert_eq!(spec.service_name.as_deref(), Some("nginx"));
        assert_eq!(spec.volume_claim_templates.map(|v| v.len()), Some(1));
    }

    #[test]
    fn empty_documents_are_skipped() {
        let text = "---\n# nothing here\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n";
        let docs = parse_manifests("ns.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 1);
        assert_eq!((docs[0].index, docs[0].line), (0, 4));
        assert!(parse_manifests("empty.yaml", "").is_ok_and(|d| d.is_empty()));
    }

    #[test]
    fn malformed_yaml_reports_line_and_column() {
        let err =
            parse_manifests("web.yaml", "apiVersion: v1\nkind: Pod\n  metadata: x\n").unwrap_err();
        let ManifestError::Syntax { line, column, .. } = &err else {
            panic!("expected a syntax error, got {err:?}");
        };
        assert_eq!((*line, *column), (3, 11));
        assert_eq!(
            err.to_string(),
            "web.yaml:3:11: invalid YAML: mapping values are not allowed in this context; fix the syntax at that position"
        );
    }

    #[test]
    fn missing_kind_names_the_document() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n";
        let err = parse_manifests("web.yaml", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "web.yaml:5: document 2: missing `kind`; every object needs `apiVersion` and `kind`"
        );
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = parse_manifests("x.yaml", "apiVersion: v1\nkind: Foo\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("x.yaml:1: document 1: unknown kind \"Foo\" (apiVersion \"v1\"); stsconform knows Namespace (v1), Pod (v1),"),
            "{msg}"
        );
        assert!(msg.contains("StatefulSet (apps/v1)"), "{msg}");
        let err =
            parse_manifests("x.yaml", "apiVersion: apps/v1beta1\nkind: StatefulSet\n").unwrap_err();
        assert!(matches!(err, ManifestError::UnknownKind { .. }));
    }

    #[test]
    fn wrong_type_names_the_field_path() {
        let text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: two\n";
        let err = parse_manifests("web.yaml", text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "web.yaml:1: document 1 (StatefulSet): spec.replicas: invalid type: string \"two\", expected i32"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    ports: [{containerPort: x}]\n";
        let err = parse_manifests("pod.yaml", text).unwrap_err();
        let ManifestError::Field { path, .. } = &err else {
            panic!("expected a field error, got {err:?}");
        };
        assert_eq!(path, "spec.containers[0].ports[0].containerPort");
    }

    #[test]
    fn list_expands_its_items() {
        let text = r#"apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: a}
- apiVersion: v1
  kind: Service
  metadata: {name: s}
"#;
        let docs = parse_manifests("list.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].object.kind(), Kind::Service);
        assert!(docs.iter().all(|d| d.index == 0));
        let bad = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n";
        let err = parse_manifests("list.yaml", bad).unwrap_err();
        assert!(err.to_string().contains("missing `items[0].kind`"), "{err}");
    }

    #[test]
    fn json_documents_and_streams() {
        let one = r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}"#;
        assert!(parse_manifests("a.json", one).is_ok_and(|d| d.len() == 1));
        let stream = format!("{one}\n{one}\n\n{one}");
        let docs = parse_manifests("a.json", &stream).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            docs.iter().map(|d| d.line).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
        let err = parse_manifests("b.json", "{\"apiVersion\": \"v1\",\n \"kind\": }").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.json:2:10: invalid JSON: expected value; fix the syntax at that position"
        );
        let flow = "{apiVersion: v1, kind: Namespace, metadata: {name: a}}";
        assert!(parse_manifests("flow.yaml", flow).is_ok_and(|d| d.len() == 1));
    }

    #[test]
    fn scalar_document_is_not_an_object() {
        let err = parse_manifests("s.yaml", "hello\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.yaml:1: document 1: expected a mapping with `apiVersion` and `kind`, found a string"
        );
    }
}
