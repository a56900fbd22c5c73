//! Lists: `labelSelector` (the full selector language), `fieldSelector`
//! (`metadata.name`, `metadata.namespace` and the few kind-specific fields the API server
//! supports), `limit`/`continue` paging with `remainingItemCount`, in the API server's
//! order (namespace, then name).

use super::request::Query;
use super::status::StatusError;
use crate::model::object::{Kind, Object};
use crate::model::selector::LabelQuery;
use base64::Engine as _;
use serde_json::{Value, json};
use std::sync::Arc;

/// One `fieldSelector` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The field path, e.g. `metadata.name`.
    pub field: String,
    /// `=`/`==` (true) or `!=` (false).
    pub equal: bool,
    /// The value compared with.
    pub value: String,
}

/// A parsed `fieldSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldQuery(pub Vec<FieldRequirement>);

/// The fields a kind can be selected by, besides `metadata.name` and `metadata.namespace`.
fn kind_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        Kind::Namespace => &["status.phase"],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Service => &["spec.clusterIP", "spec.type"],
        Kind::PersistentVolumeClaim => &[],
        _ => &[],
    }
}

impl FieldQuery {
    /// Parses `a=b,c!=d` for a kind.
    ///
    /// # Errors
    /// 400 for syntax errors and fields the kind cannot be selected by.
    pub fn parse(s: &str, kind: Kind) -> Result<FieldQuery, StatusError> {
        let mut out = Vec::new();
        for term in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, true, v)
            } else {
                return Err(StatusError::bad_request(format!(
                    "invalid field selector: {term:?}: expected an operator (=, == or !=)"
                )));
            };
            let field = field.trim();
            if field != "metadata.name"
                && field != "metadata.namespace"
                && !kind_fields(kind).contains(&field)
            {
                return Err(StatusError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            out.push(FieldRequirement {
                field: field.to_owned(),
                equal,
                value: value.trim().to_owned(),
            });
        }
        Ok(FieldQuery(out))
    }

    /// The single name `metadata.name=` pins, if any.
    pub fn name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|r| r.equal && r.field == "metadata.name")
            .map(|r| r.value.as_str())
    }

    /// Whether an object satisfies every requirement.
    pub fn matches(&self, object: &Object) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let json = object.to_json();
        self.0.iter().all(|r| {
            let actual = match r.field.as_str() {
                "metadata.name" => object.name().to_owned(),
                "metadata.namespace" => object.namespace().to_owned(),
                "source" => json
                    .pointer("/source/component")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                path => {
                    let pointer = format!("/{}", path.replace('.', "/"));
                    match json.pointer(&pointer) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Bool(b)) => b.to_string(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => String::new(),
                    }
                }
            };
            (actual == r.value) == r.equal
        })
    }
}

/// Where a paged list continues: after this key, from a list served at this version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Continue {
    /// The resourceVersion of the first page.
    pub resource_version: u64,
    /// Namespace of the last item served.
    pub namespace: String,
    /// Name of the last item served.
    pub name: String,
}

impl Continue {
    /// The opaque token.
    pub fn encode(&self) -> String {
        let doc = json!({"v": "meta.k8s.io/v1", "rv": self.resource_version, "start": format!("{}/{}\u{0}", self.namespace, self.name)});
        base64::engine::general_purpose::STANDARD.encode(doc.to_string())
    }

    /// Decodes a token.
    ///
    /// # Errors
    /// 400 when the token is not one this server made.
    pub fn decode(token: &str) -> Result<Continue, StatusError> {
        let bad = || {
            StatusError::bad_request(
                "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
            )
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(token))
            .map_err(|_| bad())?;
        let doc: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let rv = doc.get("rv").and_then(Value::as_u64).ok_or_else(bad)?;
        let start = doc.get("start").and_then(Value::as_str).ok_or_else(bad)?;
        let start = start.strip_suffix('\u{0}').unwrap_or(start);
        let (namespace, name) = start.split_once('/').ok_or_else(bad)?;
        Ok(Continue {
            resource_version: rv,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// The options of a list or watch.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// `labelSelector`.
    pub labels: LabelQuery,
    /// `fieldSelector`.
    pub fields: FieldQuery,
    /// `limit` (0 or absent: everything).
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_from: Option<Continue>,
    /// `resourceVersion` as given.
    pub resource_version: Option<String>,
    /// `watch`.
    pub watch: bool,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// `sendInitialEvents`.
    pub send_initial_events: bool,
}

impl ListOptions {
    /// Reads the options from the query string.
    ///
    /// # Errors
    /// 400 for malformed selectors and numbers.
    pub fn parse(query: &Query, kind: Kind) -> Result<ListOptions, StatusError> {
        let labels = match query.get("labelSelector") {
            None | Some("") => LabelQuery::everything(),
            Some(s) => LabelQuery::parse(s).map_err(|e| {
                StatusError::bad_request(format!("unable to parse requirement: {e}"))
            })?,
        };
        let fields = match query.get("fieldSelector") {
            None | Some("") => FieldQuery::default(),
            Some(s) => FieldQuery::parse(s, kind)?,
        };
        let limit = query
            .int("limit")?
            .filter(|l| *l > 0)
            .map(|l| usize::try_from(l).unwrap_or(usize::MAX));
        let continue_from = match query.get("continue") {
            None | Some("") => None,
            Some(t) => Some(Continue::decode(t)?),
        };
        let timeout_seconds = query
            .int("timeoutSeconds")?
            .map(|t| u64::try_from(t.max(0)).unwrap_or(0));
        Ok(ListOptions {
            labels,
            fields,
            limit,
            continue_from,
            resource_version: query.get("resourceVersion").map(str::to_owned),
            watch: query.flag("watch"),
            bookmarks: query.flag("allowWatchBookmarks"),
            timeout_seconds,
            send_initial_events: query.flag("sendInitialEvents"),
        })
    }

    /// Whether an object is selected.
    pub fn matches(&self, object: &Object) -> bool {
        self.labels.matches(object.metadata().labels.as_ref()) && self.fields.matches(object)
    }
}

/// One page of a list, with the list metadata to send.
#[derive(Debug, Clone)]
pub struct Page {
    /// The objects of this page.
    pub items: Vec<Arc<Object>>,
    /// The resourceVersion the list is served at.
    pub resource_version: u64,
    /// The token for the next page.
    pub continue_token: Option<String>,
    /// Items after this page.
    pub remaining: Option<usize>,
}

impl Page {
    /// The `ListMeta`.
    pub fn list_meta(&self) -> Value {
        let mut meta = json!({"resourceVersion": self.resource_version.to_string()});
        if let Some(token) = &self.continue_token {
            meta["continue"] = json!(token);
        }
        if let Some(remaining) = self.remaining.filter(|r| *r > 0) {
            meta["remainingItemCount"] = json!(remaining);
        }
        meta
    }
}

/// Selects one page from the store, in namespace-then-name order.
///
/// # Errors
/// 410 when the continue token's version has left the change log.
pub fn page(
    store: &crate::sim::store::Store,
    kind: Kind,
    namespace: Option<&str>,
    options: &ListOptions,
) -> Result<Page, StatusError> {
    let current = store.resource_version();
    let resource_version = match &options.continue_from {
        Some(c) => {
            if store.changes_since(c.resource_version).is_err() {
                return Err(StatusError::expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                ));
            }
            c.resource_version
        }
        None => current,
    };
    let after = options
        .continue_from
        .as_ref()
        .map(|c| (c.namespace.as_str(), c.name.as_str()));
    let matching: Vec<Arc<Object>> = store
        .list(kind, namespace)
        .filter(|o| after.is_none_or(|a| (o.namespace(), o.name()) > a))
        .filter(|o| options.matches(o))
        .collect();
    let limit = options.limit.unwrap_or(usize::MAX).min(matching.len());
    let (page, rest) = matching.split_at(limit);
    let items: Vec<Arc<Object>> = page.to_vec();
    let (continue_token, remaining) = match (rest.is_empty(), items.last()) {
        (false, Some(last)) => (
            Some(
                Continue {
                    resource_version,
                    namespace: last.namespace().to_owned(),
                    name: last.name().to_owned(),
                }
                .encode(),
            ),
            Some(rest.len()),
        ),
        _ => (None, None),
    };
    Ok(Page {
        items,
        resource_version,
        continue_token,
        remaining,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_selectors_parse_and_reject_unknown_fields() {
        let q = FieldQuery::parse("metadata.name=web,metadata.namespace!=x", Kind::Pod).unwrap();
        assert_eq!(q.name(), Some("web"));
        assert!(FieldQuery::parse("spec.bogus=1", Kind::StatefulSet).is_err());
        assert!(FieldQuery::parse("nonsense", Kind::Pod).is_err());
        let running = FieldQuery::parse("status.phase=Running", Kind::Pod).unwrap();
        let pod = |phase: &str| {
            Object::from_json(
                Kind::Pod,
                serde_json::json!({"metadata": {"name": "web-0"}, "status": {"phase": phase}}),
            )
            .unwrap()
        };
        assert!(running.matches(&pod("Running")));
        assert!(!running.matches(&pod("Pending")));
    }

    #[test]
    fn continue_tokens_round_trip() {
        let c = Continue {
            resource_version: 42,
            namespace: "default".into(),
            name: "web-1".into(),
        };
        assert_eq!(Continue::decode(&c.encode()).unwrap(), c);
        assert!(Continue::decode("!!!").is_err());
        assert!(Continue::decode("e30=").is_err());
    }
}
