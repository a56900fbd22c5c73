//! API-server validation with upstream field paths and messages (VAL-*, MU-02, DNS-05, ST-05, REV-04, LBL-06).

use crate::model::behaviour::Behaviour;
use crate::model::object::Kind;
use crate::model::selector::{
    aggregate, dns1123_label_errors, dns1123_subdomain_errors, go_quote, label_query_from_selector,
    label_value_errors, qualified_name_errors,
};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetSpec,
    StatefulSetStatus, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The rejected value of a field error, printed as `field.Error.ErrorBody` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// A nil value: `null`.
    Null,
    /// An integer, printed plainly.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A string, printed Go-quoted (`%q`).
    Str(String),
    /// A composite value, already rendered as Go's `json.Marshal` renders it.
    Json(String),
}

impl BadValue {
    /// A composite value rendered as Go's `json.Marshal` would (map keys sorted, `<>&` escaped).
    pub fn json(value: &Value) -> BadValue {
        BadValue::Json(go_json(value))
    }

    /// A string value.
    pub fn str(s: &str) -> BadValue {
        BadValue::Str(s.to_string())
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Null => f.write_str("null"),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Json(j) => f.write_str(j),
        }
    }
}

/// apimachinery `field.ErrorType`, carrying what the message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorType {
    /// `Required value`
    Required,
    /// `Invalid value: <value>`
    Invalid(BadValue),
    /// `Unsupported value: <value>`; the supported values are also in the detail.
    NotSupported(BadValue, Vec<String>),
    /// `Forbidden`
    Forbidden,
    /// `Duplicate value: <value>`
    Duplicate(BadValue),
    /// `Too long`, with the maximum length.
    TooLong(usize),
}

/// One field-level validation error (apimachinery `field.Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path, e.g. `spec.template.metadata.labels`.
    pub path: String,
    /// What is wrong, with the bad value where the message shows it.
    pub error_type: ErrorType,
    /// The human explanation after the value; may be empty.
    pub detail: String,
}

impl FieldError {
    /// `field.Required`.
    pub fn required(path: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError {
            path: path.into(),
            error_type: ErrorType::Required,
            detail: detail.into(),
        }
    }

    /// `field.Invalid`.
    pub fn invalid(
        path: impl Into<String>,
        value: BadValue,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError {
            path: path.into(),
            error_type: ErrorType::Invalid(value),
            detail: detail.into(),
        }
    }

    /// `field.NotSupported`: the detail lists the supported values, quoted.
    pub fn not_supported(
        path: impl Into<String>,
        value: BadValue,
        supported: &[&str],
    ) -> FieldError {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        FieldError {
            path: path.into(),
            error_type: ErrorType::NotSupported(
                value,
                supported.iter().map(|s| s.to_string()).collect(),
            ),
            detail,
        }
    }

    /// `field.Forbidden`.
    pub fn forbidden(path: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError {
            path: path.into(),
            error_type: ErrorType::Forbidden,
            detail: detail.into(),
        }
    }

    /// `field.Duplicate`.
    pub fn duplicate(path: impl Into<String>, value: BadValue) -> FieldError {
        FieldError {
            path: path.into(),
            error_type: ErrorType::Duplicate(value),
            detail: String::new(),
        }
    }

    /// `field.TooLong`.
    pub fn too_long(path: impl Into<String>, max: usize) -> FieldError {
        let unit = if max == 1 { "byte" } else { "bytes" };
        FieldError {
            path: path.into(),
            error_type: ErrorType::TooLong(max),
            detail: format!("may not be more than {max} {unit}"),
        }
    }

    /// The Status cause `reason` (`metav1.CauseType`) for this error.
    pub fn reason(&self) -> &'static str {
        match self.error_type {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid(_) => "FieldValueInvalid",
            ErrorType::NotSupported(..) => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::Duplicate(_) => "FieldValueDuplicate",
            ErrorType::TooLong(_) => "FieldValueTooLong",
        }
    }

    /// `field.Error.ErrorBody`: the message without the path — what a Status cause's
    /// `message` holds.
    pub fn body(&self) -> String {
        let mut s = match &self.error_type {
            ErrorType::Required => "Required value".to_string(),
            ErrorType::Forbidden => "Forbidden".to_string(),
            ErrorType::TooLong(_) => "Too long".to_string(),
            ErrorType::Invalid(v) => format!("Invalid value: {v}"),
            ErrorType::NotSupported(v, _) => format!("Unsupported value: {v}"),
            ErrorType::Duplicate(v) => format!("Duplicate value: {v}"),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    /// `field.Error.Error()`: `<path>: <body>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.body())
    }
}

/// The apiserver's Invalid status message (`apierrors.NewInvalid`):
/// `StatefulSet.apps "web" is invalid: <err>` for one error, `…: [<err1>, <err2>]` for
/// several (duplicates dropped); `group` is "" for core kinds.
pub fn invalid_message(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> String {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if messages.is_empty() {
        format!("{qualified} {} is invalid", go_quote(name))
    } else {
        format!(
            "{qualified} {} is invalid: {}",
            go_quote(name),
            aggregate(&messages)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Value rendering helpers.

/// Go `json.Marshal` output for a JSON value: serde_json's compact form with Go's HTML escaping.
fn go_json(value: &Value) -> String {
    let s = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Renders ordered `(key, json)` pairs as a JSON object (Go struct field order).
fn json_object(fields: &[(&str, String)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", go_json(&Value::String((*k).to_string()))))
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn labels_value(labels: Option<&BTreeMap<String, String>>) -> BadValue {
    match labels {
        None => BadValue::Null,
        Some(l) => BadValue::json(&serde_json::to_value(l).unwrap_or(Value::Null)),
    }
}

/// A `metav1.LabelSelector` as Go marshals it: `matchLabels` before `matchExpressions`,
/// empty fields omitted.
fn selector_value(selector: &LabelSelector) -> BadValue {
    let mut fields = Vec::new();
    if let Some(l) = selector.match_labels.as_ref().filter(|l| !l.is_empty()) {
        fields.push((
            "matchLabels",
            go_json(&serde_json::to_value(l).unwrap_or(Value::Null)),
        ));
    }
    if let Some(e) = selector
        .match_expressions
        .as_ref()
        .filter(|e| !e.is_empty())
    {
        let items: Vec<String> = e
            .iter()
            .map(|r| {
                let mut f = vec![
                    ("key", go_json(&Value::String(r.key.clone()))),
                    ("operator", go_json(&Value::String(r.operator.clone()))),
                ];
                if let Some(v) = r.values.as_ref().filter(|v| !v.is_empty()) {
                    f.push((
                        "values",
                        go_json(&serde_json::to_value(v).unwrap_or(Value::Null)),
                    ));
                }
                json_object(&f)
            })
            .collect();
        fields.push(("matchExpressions", format!("[{}]", items.join(","))));
    }
    BadValue::Json(json_object(&fields))
}

fn int_or_string_json(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => go_json(&Value::String(s.clone())),
    }
}

fn int_or_string_value(v: &IntOrString) -> BadValue {
    BadValue::Json(int_or_string_json(v))
}

/// The internal `apps.RollingUpdateStatefulSetStrategy` as Go marshals it (no json tags, so
/// Go field names).
fn rolling_update_json(r: &RollingUpdateStatefulSetStrategy) -> String {
    json_object(&[
        ("Partition", r.partition.unwrap_or(0).to_string()),
        (
            "MaxUnavailable",
            r.max_unavailable
                .as_ref()
                .map_or_else(|| "null".to_string(), int_or_string_json),
        ),
    ])
}

/// The internal `apps.StatefulSetUpdateStrategy` as Go marshals it.
fn update_strategy_json(s: &StatefulSetUpdateStrategy) -> String {
    json_object(&[
        (
            "Type",
            go_json(&Value::String(s.type_.clone().unwrap_or_default())),
        ),
        (
            "RollingUpdate",
            s.rolling_update
                .as_ref()
                .map_or_else(|| "null".to_string(), rolling_update_json),
        ),
    ])
}

// ---------------------------------------------------------------------------------------------
// Generic checks (core validation helpers).

const NEGATIVE_MSG: &str = "must be greater than or equal to 0";
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// `ValidateNonnegativeField`.
fn nonnegative(value: i64, path: &str, errs: &mut Vec<FieldError>) {
    if value < 0 {
        errs.push(FieldError::invalid(
            path,
            BadValue::Int(value),
            NEGATIVE_MSG,
        ));
    }
}

/// `ValidateLabels` (keys in sorted order, as Go's map order is random).
fn validate_labels(
    labels: Option<&BTreeMap<String, String>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    for (k, v) in labels.into_iter().flatten() {
        for msg in qualified_name_errors(k) {
            errs.push(FieldError::invalid(path, BadValue::str(k), msg));
        }
        for msg in label_value_errors(v) {
            errs.push(FieldError::invalid(path, BadValue::str(v), msg));
        }
    }
}

/// `ValidateAnnotations`: keys are case-insensitive qualified names; total size ≤ 256 KiB.
fn validate_annotations(
    annotations: Option<&BTreeMap<String, String>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(annotations) = annotations else {
        return;
    };
    let mut total = 0usize;
    for (k, v) in annotations {
        for msg in qualified_name_errors(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, BadValue::str(k), msg));
        }
        total += k.len() + v.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
}

/// `ValidateDNS1123Label` for a field.
fn dns_label_field(value: &str, path: &str, errs: &mut Vec<FieldError>) {
    for msg in dns1123_label_errors(value) {
        errs.push(FieldError::invalid(path, BadValue::str(value), msg));
    }
}

/// How a kind's `metadata.name` is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameRule {
    DnsLabel,
    DnsSubdomain,
}

fn name_rule(kind: Kind) -> NameRule {
    match kind {
        // Services: DNS-1123 labels as with RelaxedServiceNameValidation; releases without
        // that gate require DNS-1035 labels (no leading digit), which is not modelled.
        Kind::Namespace | Kind::StatefulSet | Kind::Service => NameRule::DnsLabel,
        Kind::Pod
        | Kind::PersistentVolumeClaim
        | Kind::PersistentVolume
        | Kind::ControllerRevision
        | Kind::EndpointSlice
        | Kind::Event
        | Kind::ConfigMap
        | Kind::Secret
        | Kind::Node => NameRule::DnsSubdomain,
    }
}

fn name_errors(rule: NameRule, name: &str, prefix: bool) -> Vec<String> {
    // `maskTrailingDash`: a generateName prefix may end with '-'.
    let masked;
    let name = if prefix && name.len() > 1 && name.ends_with('-') {
        masked = format!("{}a", &name[..name.len() - 1]);
        masked.as_str()
    } else {
        name
    };
    match rule {
        NameRule::DnsLabel => dns1123_label_errors(name),
        NameRule::DnsSubdomain => dns1123_subdomain_errors(name),
    }
}

/// `ValidateObjectMeta` (namespace is validated when set; the API layer fills it in from the
/// request before validation, as the registry does).
fn validate_object_meta(
    meta: &ObjectMeta,
    rule: NameRule,
    namespaced: bool,
    errs: &mut Vec<FieldError>,
) {
    if let Some(g) = meta.generate_name.as_deref().filter(|g| !g.is_empty()) {
        for msg in name_errors(rule, g, true) {
            errs.push(FieldError::invalid(
                "metadata.generateName",
                BadValue::str(g),
                msg,
            ));
        }
    }
    match meta.name.as_deref().filter(|n| !n.is_empty()) {
        None => errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )),
        Some(name) => {
            for msg in name_errors(rule, name, false) {
                errs.push(FieldError::invalid(
                    "metadata.name",
                    BadValue::str(name),
                    msg,
                ));
            }
        }
    }
    match meta.namespace.as_deref().filter(|n| !n.is_empty()) {
        Some(ns) if namespaced => {
            for msg in dns1123_label_errors(ns) {
                errs.push(FieldError::invalid(
                    "metadata.namespace",
                    BadValue::str(ns),
                    msg,
                ));
            }
        }
        Some(_) => errs.push(FieldError::forbidden(
            "metadata.namespace",
            "not allowed on this type",
        )),
        None => {}
    }
    nonnegative(meta.generation.unwrap_or(0), "metadata.generation", errs);
    validate_labels(meta.labels.as_ref(), "metadata.labels", errs);
    validate_annotations(meta.annotations.as_ref(), "metadata.annotations", errs);
}

/// `ValidateObjectMetaUpdate`: name, namespace and uid are immutable; labels and annotations
/// of the new object are validated.
fn validate_object_meta_update(new: &ObjectMeta, old: &ObjectMeta, errs: &mut Vec<FieldError>) {
    for (path, n, o) in [
        ("metadata.name", &new.name, &old.name),
        ("metadata.namespace", &new.namespace, &old.namespace),
        ("metadata.uid", &new.uid, &old.uid),
    ] {
        let (n, o) = (n.as_deref().unwrap_or(""), o.as_deref().unwrap_or(""));
        if n != o {
            errs.push(FieldError::invalid(
                path,
                BadValue::str(n),
                "field is immutable",
            ));
        }
    }
    validate_labels(new.labels.as_ref(), "metadata.labels", errs);
    validate_annotations(new.annotations.as_ref(), "metadata.annotations", errs);
}

/// Validates `metadata.name` for a kind: a DNS-1123 label for Namespace, StatefulSet and
/// Service, a DNS-1123 subdomain for the other kinds; an empty name is `Required`.
pub fn validate_object_meta_name(kind: Kind, name: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    name_errors(name_rule(kind), name, false)
        .into_iter()
        .map(|msg| FieldError::invalid("metadata.name", BadValue::str(name), msg))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// StatefulSet.

/// Validates a StatefulSet on create (apps `ValidateStatefulSet`); run after defaulting.
///
/// Covers VAL-01 (name is a DNS-1123 label; labels/annotations), VAL-02 (selector
/// required, non-empty, valid, matching the template labels), VAL-03 (non-negative
/// replicas, minReadySeconds, ordinals.start, partition), VAL-04 (enumerations), MU-02
/// (maxUnavailable when present), VAL-05 (template restartPolicy Always,
/// activeDeadlineSeconds forbidden) and DNS-05 (non-empty serviceName is a DNS-1123 label).
/// As upstream, the pod template spec is otherwise *not* validated (VAL-05, LBL-06), and
/// `terminationGracePeriodSeconds: 0` is accepted (VAL-07).
///
/// A selector with neither `matchLabels` nor `matchExpressions` is treated as missing
/// (`Required`), because the decoded type cannot tell `selector: {}` from no selector;
/// `matchLabels: {}` is the empty selector ("empty selector is invalid for statefulset").
///
/// `behaviour` is taken for symmetry with [`validate_stateful_set_update`]: no create-time
/// rule differs between the modelled releases.
pub fn validate_stateful_set(set: &StatefulSet, behaviour: &Behaviour) -> Vec<FieldError> {
    let _ = behaviour;
    let mut errs = Vec::new();
    validate_object_meta(&set.metadata, NameRule::DnsLabel, true, &mut errs);
    let default_spec = StatefulSetSpec::default();
    let spec = set.spec.as_ref().unwrap_or(&default_spec);
    validate_stateful_set_spec(spec, true, &mut errs);
    errs
}

/// `ValidateStatefulSetSpec`.
fn validate_stateful_set_spec(
    spec: &StatefulSetSpec,
    check_service_name: bool,
    errs: &mut Vec<FieldError>,
) {
    match spec.pod_management_policy.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required("spec.podManagementPolicy", "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::invalid(
            "spec.podManagementPolicy",
            BadValue::str(other),
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }

    let default_strategy = StatefulSetUpdateStrategy::default();
    let strategy = spec.update_strategy.as_ref().unwrap_or(&default_strategy);
    match strategy.type_.as_deref().unwrap_or("") {
        "" => errs.push(FieldError::required("spec.updateStrategy", "")),
        "OnDelete" => {
            if let Some(r) = strategy.rolling_update.as_ref() {
                errs.push(FieldError::invalid(
                    "spec.updateStrategy.rollingUpdate",
                    BadValue::Json(rolling_update_json(r)),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(r) = strategy.rolling_update.as_ref() {
                validate_rolling_update(r, errs);
            }
        }
        _ => errs.push(FieldError::invalid(
            "spec.updateStrategy",
            BadValue::Json(update_strategy_json(strategy)),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }

    if let Some(policy) = spec.persistent_volume_claim_retention_policy.as_ref() {
        for (path, value) in [
            (
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                &policy.when_deleted,
            ),
            (
                "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
                &policy.when_scaled,
            ),
        ] {
            let value = value.as_deref().unwrap_or("");
            if !matches!(value, "Retain" | "Delete") {
                errs.push(FieldError::not_supported(
                    path,
                    BadValue::str(value),
                    &["Retain", "Delete"],
                ));
            }
        }
    }

    nonnegative(i64::from(spec.replicas.unwrap_or(0)), "spec.replicas", errs);
    nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        "spec.minReadySeconds",
        errs,
    );
    if let Some(ordinals) = spec.ordinals.as_ref() {
        nonnegative(
            i64::from(ordinals.start.unwrap_or(0)),
            "spec.ordinals.start",
            errs,
        );
    }

    // DNS-05 (PR #130233): the value becomes every pod's spec.subdomain.
    if check_service_name && let Some(name) = spec.service_name.as_deref().filter(|n| !n.is_empty())
    {
        dns_label_field(name, "spec.serviceName", errs);
    }

    let selector = &spec.selector;
    let missing = selector.match_labels.is_none() && selector.match_expressions.is_none();
    if missing {
        errs.push(FieldError::required("spec.selector", ""));
    } else {
        validate_label_selector(selector, "spec.selector", errs);
        let n = selector.match_labels.as_ref().map_or(0, BTreeMap::len)
            + selector.match_expressions.as_ref().map_or(0, Vec::len);
        if n == 0 {
            errs.push(FieldError::invalid(
                "spec.selector",
                selector_value(selector),
                "empty selector is invalid for statefulset",
            ));
        }
    }

    let template_labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.as_ref());
    let template_annotations = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.as_ref());
    // A nil selector converts to labels.Nothing(), which matches no labels.
    let matched = if missing {
        Ok(Some(false))
    } else {
        label_query_from_selector(selector)
            .map(|q| (!q.is_empty()).then(|| q.matches(template_labels)))
    };
    match matched {
        Err(_) => errs.push(FieldError::invalid(
            "spec.selector",
            selector_value(selector),
            "",
        )),
        Ok(result) => {
            if result == Some(false) {
                errs.push(FieldError::invalid(
                    "spec.template.metadata.labels",
                    labels_value(template_labels),
                    "`selector` does not match template `labels`",
                ));
            }
            // Upstream validates these at spec.template.labels / .annotations (sic).
            validate_labels(template_labels, "spec.template.labels", errs);
            validate_annotations(template_annotations, "spec.template.annotations", errs);
        }
    }

    let pod_spec = spec.template.spec.as_ref();
    let restart_policy = pod_spec
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("");
    if restart_policy != "Always" {
        errs.push(FieldError::not_supported(
            "spec.template.spec.restartPolicy",
            BadValue::str(restart_policy),
            &["Always"],
        ));
    }
    if pod_spec.and_then(|s| s.active_deadline_seconds).is_some() {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in StatefulSet is not Supported",
        ));
    }
}

/// `ValidateLabelSelector` (strict: label values in expressions are validated).
fn validate_label_selector(selector: &LabelSelector, path: &str, errs: &mut Vec<FieldError>) {
    validate_labels(
        selector.match_labels.as_ref(),
        &format!("{path}.matchLabels"),
        errs,
    );
    for (i, expr) in selector.match_expressions.iter().flatten().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let values = expr.values.as_deref().unwrap_or(&[]);
        match expr.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(
                        format!("{p}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{p}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            other => errs.push(FieldError::invalid(
                format!("{p}.operator"),
                BadValue::str(other),
                "not a valid selector operator",
            )),
        }
        for msg in qualified_name_errors(&expr.key) {
            errs.push(FieldError::invalid(
                format!("{p}.key"),
                BadValue::str(&expr.key),
                msg,
            ));
        }
        for (j, v) in values.iter().enumerate() {
            for msg in label_value_errors(v) {
                errs.push(FieldError::invalid(
                    format!("{p}.values[{j}]"),
                    BadValue::str(v),
                    msg,
                ));
            }
        }
    }
}

/// `validateRollingUpdateStatefulSet` (MU-02).
fn validate_rolling_update(r: &RollingUpdateStatefulSetStrategy, errs: &mut Vec<FieldError>) {
    const PATH: &str = "spec.updateStrategy.rollingUpdate.maxUnavailable";
    nonnegative(
        i64::from(r.partition.unwrap_or(0)),
        "spec.updateStrategy.rollingUpdate.partition",
        errs,
    );
    let Some(max) = r.max_unavailable.as_ref() else {
        return;
    };
    // ValidatePositiveIntOrPercent
    match max {
        IntOrString::String(s) => {
            if percent_value(s).is_none() {
                errs.push(FieldError::invalid(
                    PATH,
                    int_or_string_value(max),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                ));
            }
        }
        IntOrString::Int(i) => nonnegative(i64::from(*i), PATH, errs),
    }
    // getIntOrPercentValue: an invalid percent string falls back to Atoi, 0 on failure.
    let value = match max {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(s) => percent_value(s).unwrap_or_else(|| s.parse::<i64>().unwrap_or(0)),
    };
    if value == 0 {
        errs.push(FieldError::invalid(
            PATH,
            int_or_string_value(max),
            "cannot be 0",
        ));
    }
    if let IntOrString::String(s) = max
        && percent_value(s).is_some_and(|p| p > 100)
    {
        errs.push(FieldError::invalid(
            PATH,
            int_or_string_value(max),
            "must not be greater than 100%",
        ));
    }
}

/// The number of a valid percent string (`[0-9]+%`).
fn percent_value(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Go's Atoi would fail on overflow and yield 0; saturate instead of failing.
    Some(digits.parse::<i64>().unwrap_or(i64::MAX))
}

/// The immutable-fields message of `ValidateStatefulSetUpdate`, by release (VAL-06).
pub fn immutable_spec_message(behaviour: &Behaviour) -> &'static str {
    if behaviour.revision_history_limit_mutable() {
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    } else {
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    }
}

/// Validates a StatefulSet update (apps `ValidateStatefulSetUpdate`), both already defaulted.
///
/// Metadata: name, namespace and uid may not change (the name is not re-validated, VAL-01).
/// The new spec is validated as on create, except that an unchanged `serviceName` is not
/// re-checked (ratcheting, DNS-05). Then VAL-06: apart from `replicas`, `ordinals`,
/// `template`, `updateStrategy`, `persistentVolumeClaimRetentionPolicy`, `minReadySeconds`
/// (and `revisionHistoryLimit` from 1.33) the spec must be semantically equal to the old one
/// (absent and empty lists/maps are equal, as `apiequality.Semantic`), else
/// `spec: Forbidden: …` with the release's message.
pub fn validate_stateful_set_update(
    new: &StatefulSet,
    old: &StatefulSet,
    behaviour: &Behaviour,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta_update(&new.metadata, &old.metadata, &mut errs);
    let default_spec = StatefulSetSpec::default();
    let new_spec = new.spec.as_ref().unwrap_or(&default_spec);
    let old_spec = old.spec.as_ref().unwrap_or(&default_spec);
    let service_name_changed = new_spec.service_name.as_deref().unwrap_or("")
        != old_spec.service_name.as_deref().unwrap_or("");
    validate_stateful_set_spec(new_spec, service_name_changed, &mut errs);

    let mut clone = new_spec.clone();
    clone.replicas = old_spec.replicas;
    clone.template = old_spec.template.clone();
    clone.update_strategy = old_spec.update_strategy.clone();
    clone.min_ready_seconds = old_spec.min_ready_seconds;
    clone.ordinals = old_spec.ordinals.clone();
    clone.persistent_volume_claim_retention_policy =
        old_spec.persistent_volume_claim_retention_policy.clone();
    if behaviour.revision_history_limit_mutable() {
        clone.revision_history_limit = old_spec.revision_history_limit;
    }
    if !semantically_equal(&clone, old_spec) {
        errs.push(FieldError::forbidden(
            "spec",
            immutable_spec_message(behaviour),
        ));
    }
    errs
}

/// `apiequality.Semantic.DeepEqual` approximated on the JSON form: nulls, empty lists and
/// empty maps count as absent; an empty `serviceName` as no serviceName.
fn semantically_equal(a: &StatefulSetSpec, b: &StatefulSetSpec) -> bool {
    fn prepare(spec: &StatefulSetSpec) -> Value {
        let mut spec = spec.clone();
        if spec.service_name.as_deref() == Some("") {
            spec.service_name = None;
        }
        let mut v = serde_json::to_value(&spec).unwrap_or(Value::Null);
        normalize(&mut v);
        v
    }
    fn normalize(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, x| match x {
                    Value::Null => false,
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    _ => true,
                });
                for x in map.values_mut() {
                    normalize(x);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(normalize),
            _ => {}
        }
    }
    prepare(a) == prepare(b)
}

/// `ValidateStatefulSetStatus` (ST-05): counts non-negative; ready, current, updated and
/// available at most `replicas`; available at most ready. `path` is the status path, e.g.
/// `status`.
pub fn validate_stateful_set_status(status: &StatefulSetStatus, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let replicas = status.replicas;
    let ready = status.ready_replicas.unwrap_or(0);
    let current = status.current_replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    for (field, value) in [
        ("replicas", replicas),
        ("readyReplicas", ready),
        ("currentReplicas", current),
        ("updatedReplicas", updated),
        ("availableReplicas", available),
    ] {
        nonnegative(i64::from(value), &format!("{path}.{field}"), &mut errs);
    }
    if let Some(g) = status.observed_generation {
        nonnegative(g, &format!("{path}.observedGeneration"), &mut errs);
    }
    if let Some(c) = status.collision_count {
        nonnegative(i64::from(c), &format!("{path}.collisionCount"), &mut errs);
    }
    const MSG: &str = "cannot be greater than status.replicas";
    for (field, value) in [
        ("readyReplicas", ready),
        ("currentReplicas", current),
        ("updatedReplicas", updated),
        ("availableReplicas", available),
    ] {
        if value > replicas {
            errs.push(FieldError::invalid(
                format!("{path}.{field}"),
                BadValue::Int(i64::from(value)),
                MSG,
            ));
        }
    }
    if available > ready {
        errs.push(FieldError::invalid(
            format!("{path}.availableReplicas"),
            BadValue::Int(i64::from(available)),
            "cannot be greater than status.readyReplicas",
        ));
    }
    errs
}

/// `ValidateStatefulSetStatusUpdate`: the new status (ST-05), immutable metadata, and
/// `collisionCount` may not be decremented or removed (REV-04).
pub fn validate_stateful_set_status_update(
    new: &StatefulSet,
    old: &StatefulSet,
) -> Vec<FieldError> {
    let default_status = StatefulSetStatus::default();
    let new_status = new.status.as_ref().unwrap_or(&default_status);
    let old_status = old.status.as_ref().unwrap_or(&default_status);
    let mut errs = validate_stateful_set_status(new_status, "status");
    validate_object_meta_update(&new.metadata, &old.metadata, &mut errs);
    let decremented = match (new_status.collision_count, old_status.collision_count) {
        (None, Some(_)) => true,
        (Some(n), Some(o)) => n < o,
        _ => false,
    };
    if decremented {
        errs.push(FieldError::invalid(
            "status.collisionCount",
            BadValue::Int(i64::from(new_status.collision_count.unwrap_or(0))),
            "cannot be decremented",
        ));
    }
    errs
}

/// The warnings the apiserver returns on StatefulSet create/update (VAL-08).
pub fn warnings_for_stateful_set(set: &StatefulSet) -> Vec<String> {
    let mut warnings = Vec::new();
    if set
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .is_some_and(|l| l < 0)
    {
        warnings.push(
            "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
                .to_string(),
        );
    }
    warnings
}

// ---------------------------------------------------------------------------------------------
// ControllerRevision.

/// `ValidateControllerRevision`: name is a DNS-1123 subdomain, `data` is mandatory,
/// `revision` is non-negative.
pub fn validate_controller_revision(revision: &ControllerRevision) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta(&revision.metadata, NameRule::DnsSubdomain, true, &mut errs);
    if revision_data_null(revision) {
        errs.push(FieldError::required("data", "data is mandatory"));
    }
    nonnegative(revision.revision, "revision", &mut errs);
    errs
}

/// `ValidateControllerRevisionUpdate` (REV-07): immutable metadata, the new object valid,
/// and `data` unchanged (`data: Invalid value: …: field is immutable`); only `revision`
/// (and metadata such as labels) may change.
pub fn validate_controller_revision_update(
    new: &ControllerRevision,
    old: &ControllerRevision,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta_update(&new.metadata, &old.metadata, &mut errs);
    if revision_data_null(new) {
        errs.push(FieldError::required("data", "data is mandatory"));
    }
    nonnegative(new.revision, "revision", &mut errs);
    let data = |r: &ControllerRevision| r.data.as_ref().map_or(Value::Null, |d| d.0.clone());
    if data(new) != data(old) {
        errs.push(FieldError::invalid(
            "data",
            BadValue::json(&data(new)),
            "field is immutable",
        ));
    }
    errs
}

fn revision_data_null(r: &ControllerRevision) -> bool {
    r.data.as_ref().is_none_or(|d| d.0.is_null())
}

// ---------------------------------------------------------------------------------------------
// Pod.

/// Validates a Pod on create — the subset a StatefulSet controller can trip over (LBL-06):
/// `metadata.name` is a DNS-1123 subdomain, labels (values at most 63 characters) and
/// annotations, at least one container, container names (DNS-1123 labels, unique) and
/// images, `restartPolicy`, `dnsPolicy`, and `spec.hostname` / `spec.subdomain` as
/// DNS-1123 labels.
pub fn validate_pod(pod: &Pod) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta(&pod.metadata, NameRule::DnsSubdomain, true, &mut errs);
    let default_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&default_spec);

    let mut names: Vec<&str> = Vec::new();
    if spec.containers.is_empty() {
        errs.push(FieldError::required("spec.containers", ""));
    }
    validate_containers(&spec.containers, "spec.containers", &mut names, &mut errs);
    validate_containers(
        spec.init_containers.as_deref().unwrap_or(&[]),
        "spec.initContainers",
        &mut names,
        &mut errs,
    );

    match spec.restart_policy.as_deref().unwrap_or("") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(FieldError::required("spec.restartPolicy", "")),
        other => errs.push(FieldError::not_supported(
            "spec.restartPolicy",
            BadValue::str(other),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match spec.dns_policy.as_deref().unwrap_or("") {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(FieldError::required("spec.dnsPolicy", "")),
        other => errs.push(FieldError::not_supported(
            "spec.dnsPolicy",
            BadValue::str(other),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if let Some(h) = spec.hostname.as_deref().filter(|h| !h.is_empty()) {
        dns_label_field(h, "spec.hostname", &mut errs);
    }
    if let Some(s) = spec.subdomain.as_deref().filter(|s| !s.is_empty()) {
        dns_label_field(s, "spec.subdomain", &mut errs);
    }
    errs
}

fn validate_containers<'a>(
    containers: &'a [Container],
    path: &str,
    names: &mut Vec<&'a str>,
    errs: &mut Vec<FieldError>,
) {
    for (i, c) in containers.iter().enumerate() {
        let name_path = format!("{path}[{i}].name");
        if c.name.is_empty() {
            errs.push(FieldError::required(&name_path, ""));
        } else {
            dns_label_field(&c.name, &name_path, errs);
        }
        if names.contains(&c.name.as_str()) {
            errs.push(FieldError::duplicate(&name_path, BadValue::str(&c.name)));
        } else {
            names.push(&c.name);
        }
        if c.image.as_deref().is_none_or(str::is_empty) {
            errs.push(FieldError::required(format!("{path}[{i}].image"), ""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::defaults::default_stateful_set;
    use serde_json::json;

    fn sts_from(v: Value) -> StatefulSet {
        let mut set: StatefulSet =
            serde_json::from_value(v).unwrap_or_else(|e| panic!("fixture: {e}"));
        default_stateful_set(&mut set, &Behaviour::default());
        set
    }

    fn web() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "serviceName": "nginx",
                "replicas": 2,
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                             "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.8"}]}},
            }
        })
    }

    fn patched(f: impl FnOnce(&mut Value)) -> StatefulSet {
        let mut v = web();
        f(&mut v);
        sts_from(v)
    }

    fn messages(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    fn validate(set: &StatefulSet) -> Vec<String> {
        messages(&validate_stateful_set(set, &Behaviour::default()))
    }

    #[test]
    fn seed_web_stateful_set_is_valid() {
        assert_eq!(validate(&sts_from(web())), Vec::<String>::new());
    }

    #[test]
    fn val_01_name_must_be_a_dns_label() {
        let errs = validate(&patched(|v| v["metadata"]["name"] = json!("web.v1")));
        assert_eq!(
            errs,
            vec!["metadata.name: Invalid value: \"web.v1\": must not contain dots"]
        );
        let errs = validate(&patched(|v| v["metadata"]["name"] = json!("Web")));
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0]
                .starts_with("metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 label")
        );
        let errs = validate(&patched(|v| v["metadata"]["name"] = json!("a".repeat(64))));
        assert!(
            errs[0].ends_with("must be no more than 63 characters"),
            "{errs:?}"
        );
        let errs = validate(&patched(|v| {
            v["metadata"]["labels"] = json!({"bad key": "x"})
        }));
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with(
                "metadata.labels: Invalid value: \"bad key\": name part must consist of"
            )
        );
    }

    #[test]
    fn val_02_selector_must_match_template_labels() {
        let set = patched(|v| v["spec"]["template"]["metadata"]["labels"] = json!({"app": "x"}));
        assert_eq!(
            validate(&set),
            vec![
                "spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"
            ]
        );
        let errs = validate_stateful_set(&set, &Behaviour::default());
        assert_eq!(errs[0].reason(), "FieldValueInvalid");
        assert_eq!(
            invalid_message("StatefulSet", "apps", "web", &errs),
            "StatefulSet.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"
        );
    }

    #[test]
    fn val_02_missing_selector_is_required() {
        let set = patched(|v| {
            v["spec"].as_object_mut().map(|s| s.remove("selector"));
        });
        assert_eq!(
            validate(&set),
            vec![
                "spec.selector: Required value",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"nginx\"}: `selector` does not match template `labels`",
            ]
        );
        let errs = validate_stateful_set(&set, &Behaviour::default());
        assert_eq!(errs[0].reason(), "FieldValueRequired");
    }

    #[test]
    fn val_02_empty_selector_is_invalid() {
        let set = patched(|v| v["spec"]["selector"] = json!({"matchLabels": {}}));
        assert_eq!(
            validate(&set),
            vec!["spec.selector: Invalid value: {}: empty selector is invalid for statefulset"]
        );
    }

    #[test]
    fn val_02_invalid_selector_expressions() {
        let set = patched(|v| {
            v["spec"]["selector"] = json!({"matchLabels": {"app": "nginx"},
                "matchExpressions": [{"key": "tier", "operator": "Foo", "values": ["a"]}]})
        });
        assert_eq!(
            validate(&set),
            vec![
                "spec.selector.matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator",
                "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"nginx\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Foo\",\"values\":[\"a\"]}]}",
            ]
        );
        let set = patched(|v| {
            v["spec"]["selector"] = json!({"matchExpressions": [{"key": "app", "operator": "In"}]})
        });
        let errs = validate(&set);
        assert_eq!(
            errs[0],
            "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
        );
    }

    #[test]
    fn val_03_negative_numbers_are_rejected() {
        let set = patched(|v| {
            v["spec"]["replicas"] = json!(-1);
            v["spec"]["minReadySeconds"] = json!(-2);
            v["spec"]["ordinals"] = json!({"start": -3});
            v["spec"]["updateStrategy"] =
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": -4}});
        });
        assert_eq!(
            validate(&set),
            vec![
                "spec.updateStrategy.rollingUpdate.partition: Invalid value: -4: must be greater than or equal to 0",
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0",
                "spec.ordinals.start: Invalid value: -3: must be greater than or equal to 0",
            ]
        );
        assert!(
            validate(&patched(|v| v["spec"]["replicas"] = json!(0))).is_empty(),
            "ORD-10"
        );
    }

    #[test]
    fn val_04_enumerations() {
        let set = patched(|v| v["spec"]["podManagementPolicy"] = json!("Foo"));
        assert_eq!(
            validate(&set),
            vec![
                "spec.podManagementPolicy: Invalid value: \"Foo\": must be 'OrderedReady' or 'Parallel'"
            ]
        );
        let set = patched(|v| v["spec"]["updateStrategy"] = json!({"type": "Foo"}));
        assert_eq!(
            validate(&set),
            vec![
                "spec.updateStrategy: Invalid value: {\"Type\":\"Foo\",\"RollingUpdate\":null}: must be 'RollingUpdate' or 'OnDelete'"
            ]
        );
        let set = patched(|v| {
            v["spec"]["updateStrategy"] =
                json!({"type": "OnDelete", "rollingUpdate": {"partition": 1}})
        });
        assert_eq!(
            validate(&set),
            vec![
                "spec.updateStrategy.rollingUpdate: Invalid value: {\"Partition\":1,\"MaxUnavailable\":null}: only allowed for updateStrategy 'RollingUpdate'"
            ]
        );
        let set = patched(|v| {
            v["spec"]["persistentVolumeClaimRetentionPolicy"] =
                json!({"whenDeleted": "Keep", "whenScaled": "Delete"})
        });
        let errs = validate_stateful_set(&set, &Behaviour::default());
        assert_eq!(
            messages(&errs),
            vec![
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\""
            ]
        );
        assert_eq!(errs[0].reason(), "FieldValueNotSupported");
    }

    #[test]
    fn mu_02_max_unavailable_validation() {
        let with_max = |m: Value| {
            validate(&patched(
                |v| {
                    v["spec"]["updateStrategy"] =
                        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": m}})
                },
            ))
        };
        assert!(with_max(json!(2)).is_empty());
        assert!(with_max(json!("50%")).is_empty());
        assert!(with_max(json!("100%")).is_empty());
        assert_eq!(
            with_max(json!(0)),
            vec!["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"]
        );
        assert_eq!(
            with_max(json!("0%")),
            vec![
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": cannot be 0"
            ]
        );
        assert_eq!(
            with_max(json!("101%")),
            vec![
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"101%\": must not be greater than 100%"
            ]
        );
        assert_eq!(
            with_max(json!(-1)),
            vec![
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"
            ]
        );
        let errs = with_max(json!("abc"));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].contains(
                "a valid percent string must be a numeric string followed by an ending '%'"
            )
        );
        assert!(errs[1].ends_with("cannot be 0"));
    }

    #[test]
    fn val_05_template_restrictions() {
        let set = patched(|v| {
            v["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
            v["spec"]["template"]["spec"]["activeDeadlineSeconds"] = json!(10);
        });
        let errs = validate_stateful_set(&set, &Behaviour::default());
        assert_eq!(
            messages(&errs),
            vec![
                "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
            ]
        );
        assert_eq!(errs[1].reason(), "FieldValueForbidden");
        // The pod spec itself is not validated: no containers is accepted (pods fail later).
        let set = patched(|v| v["spec"]["template"]["spec"]["containers"] = json!([]));
        assert!(validate(&set).is_empty());
        let set =
            patched(|v| v["spec"]["template"]["metadata"]["annotations"] = json!({"a b": "x"}));
        assert!(validate(&set)[0].starts_with("spec.template.annotations: Invalid value: \"a b\""));
    }

    #[test]
    fn dns_05_service_name_is_optional_but_must_be_a_dns_label() {
        assert!(validate(&patched(|v| v["spec"]["serviceName"] = json!(""))).is_empty());
        assert!(
            validate(&patched(|v| {
                v["spec"].as_object_mut().map(|s| s.remove("serviceName"));
            }))
            .is_empty()
        );
        let errs = validate(&patched(|v| v["spec"]["serviceName"] = json!("Nginx_svc")));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].starts_with(
            "spec.serviceName: Invalid value: \"Nginx_svc\": a lowercase RFC 1123 label"
        ));
    }

    #[test]
    fn val_07_termination_grace_period_zero_is_accepted() {
        let set =
            patched(|v| v["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = json!(0));
        assert!(validate(&set).is_empty());
    }

    #[test]
    fn val_08_negative_revision_history_limit_is_a_warning_only() {
        let set = patched(|v| v["spec"]["revisionHistoryLimit"] = json!(-1));
        assert!(validate(&set).is_empty());
        assert_eq!(
            warnings_for_stateful_set(&set),
            vec![
                "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
            ]
        );
        assert!(warnings_for_stateful_set(&sts_from(web())).is_empty());
    }

    #[test]
    fn val_06_immutable_fields_message_depends_on_version() {
        let old = sts_from(web());
        let new = patched(|v| v["spec"]["podManagementPolicy"] = json!("Parallel"));
        let b36 = Behaviour::default();
        assert_eq!(
            messages(&validate_stateful_set_update(&new, &old, &b36)),
            vec![
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ]
        );
        let b32 = Behaviour { minor: 32, ..b36 };
        assert_eq!(
            messages(&validate_stateful_set_update(&new, &old, &b32)),
            vec![
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ]
        );
    }

    #[test]
    fn val_06_mutable_fields_may_change() {
        let old = sts_from(web());
        let new = patched(|v| {
            v["spec"]["replicas"] = json!(5);
            v["spec"]["minReadySeconds"] = json!(3);
            v["spec"]["ordinals"] = json!({"start": 2});
            v["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
            v["spec"]["persistentVolumeClaimRetentionPolicy"] = json!({"whenScaled": "Delete"});
            v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
        });
        let b = Behaviour::default();
        assert!(validate_stateful_set_update(&new, &old, &b).is_empty());

        let new = patched(|v| v["spec"]["revisionHistoryLimit"] = json!(3));
        assert!(validate_stateful_set_update(&new, &old, &b).is_empty());
        let b32 = Behaviour { minor: 32, ..b };
        assert_eq!(validate_stateful_set_update(&new, &old, &b32).len(), 1);
    }

    #[test]
    fn val_06_selector_service_name_and_claims_are_immutable() {
        let old = sts_from(web());
        let b = Behaviour::default();
        for new in [
            patched(|v| v["spec"]["serviceName"] = json!("other")),
            patched(|v| v["spec"]["serviceName"] = json!("")),
            patched(|v| {
                v["spec"]["selector"] = json!({"matchLabels": {"app": "nginx", "x": "y"}});
                v["spec"]["template"]["metadata"]["labels"] = json!({"app": "nginx", "x": "y"});
            }),
            patched(|v| v["spec"]["volumeClaimTemplates"] = json!([{"metadata": {"name": "www"}}])),
        ] {
            let errs = validate_stateful_set_update(&new, &old, &b);
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].path, "spec");
        }
        // An unchanged set is a valid update; empty and absent lists are equal.
        let mut same = old.clone();
        if let Some(s) = same.spec.as_mut() {
            s.volume_claim_templates = Some(Vec::new());
        }
        assert!(validate_stateful_set_update(&same, &old, &b).is_empty());
    }

    #[test]
    fn dns_05_unchanged_invalid_service_name_is_ratcheted_on_update() {
        let mut old = sts_from(web());
        if let Some(s) = old.spec.as_mut() {
            s.service_name = Some("Bad_Name".into());
        }
        let mut new = old.clone();
        if let Some(s) = new.spec.as_mut() {
            s.replicas = Some(3);
        }
        assert!(validate_stateful_set_update(&new, &old, &Behaviour::default()).is_empty());
    }

    #[test]
    fn update_rejects_name_change() {
        let old = sts_from(web());
        let new = patched(|v| v["metadata"]["name"] = json!("web2"));
        let errs = messages(&validate_stateful_set_update(
            &new,
            &old,
            &Behaviour::default(),
        ));
        assert_eq!(
            errs,
            vec!["metadata.name: Invalid value: \"web2\": field is immutable"]
        );
    }

    #[test]
    fn st_05_status_bounds() {
        let status: StatefulSetStatus = serde_json::from_value(json!({
            "replicas": 2, "readyReplicas": 3, "currentReplicas": 1, "updatedReplicas": -1,
            "availableReplicas": 3, "observedGeneration": -1
        }))
        .unwrap_or_default();
        assert_eq!(
            messages(&validate_stateful_set_status(&status, "status")),
            vec![
                "status.updatedReplicas: Invalid value: -1: must be greater than or equal to 0",
                "status.observedGeneration: Invalid value: -1: must be greater than or equal to 0",
                "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
            ]
        );
        let status: StatefulSetStatus = serde_json::from_value(
            json!({"replicas": 3, "readyReplicas": 1, "availableReplicas": 2}),
        )
        .unwrap_or_default();
        assert_eq!(
            messages(&validate_stateful_set_status(&status, "status")),
            vec![
                "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"
            ]
        );
    }

    #[test]
    fn rev_04_collision_count_may_not_decrease() {
        let mut old = sts_from(web());
        old.status = serde_json::from_value(json!({"replicas": 0, "collisionCount": 2})).ok();
        let mut new = old.clone();
        new.status = serde_json::from_value(json!({"replicas": 0, "collisionCount": 1})).ok();
        assert_eq!(
            messages(&validate_stateful_set_status_update(&new, &old)),
            vec!["status.collisionCount: Invalid value: 1: cannot be decremented"]
        );
        new.status = serde_json::from_value(json!({"replicas": 0})).ok();
        assert_eq!(validate_stateful_set_status_update(&new, &old).len(), 1);
        new.status = serde_json::from_value(json!({"replicas": 0, "collisionCount": 3})).ok();
        assert!(validate_stateful_set_status_update(&new, &old).is_empty());
    }

    #[test]
    fn rev_07_revision_data_is_immutable() {
        let old: ControllerRevision = serde_json::from_value(json!({
            "metadata": {"name": "web-6749d94bcb", "namespace": "default"},
            "data": {"spec": {"template": {"$patch": "replace"}}},
            "revision": 1,
        }))
        .unwrap_or_default();
        assert!(validate_controller_revision(&old).is_empty());
        let mut bumped = old.clone();
        bumped.revision = 3;
        assert!(validate_controller_revision_update(&bumped, &old).is_empty());
        let mut changed = old.clone();
        changed.data = serde_json::from_value(json!({"spec": {}})).ok();
        assert_eq!(
            messages(&validate_controller_revision_update(&changed, &old)),
            vec!["data: Invalid value: {\"spec\":{}}: field is immutable"]
        );
        let mut empty = old.clone();
        empty.data = None;
        empty.revision = -1;
        assert_eq!(
            messages(&validate_controller_revision(&empty)),
            vec![
                "data: Required value: data is mandatory",
                "revision: Invalid value: -1: must be greater than or equal to 0",
            ]
        );
    }

    #[test]
    fn lbl_06_long_names_make_invalid_pods() {
        let set_name = "a".repeat(62);
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": format!("{set_name}-0"), "namespace": "default",
                "labels": {"controller-revision-hash": format!("{set_name}-79f4d9797c"),
                           "statefulset.kubernetes.io/pod-name": format!("{set_name}-0")}},
            "spec": {"hostname": format!("{set_name}-0"), "subdomain": "nginx",
                     "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                     "containers": [{"name": "nginx", "image": "nginx"}]},
        }))
        .unwrap_or_default();
        let errs = validate_pod(&pod);
        let msgs = messages(&errs);
        assert_eq!(
            msgs,
            vec![
                format!(
                    "metadata.labels: Invalid value: \"{set_name}-79f4d9797c\": must be no more than 63 characters"
                ),
                format!(
                    "metadata.labels: Invalid value: \"{set_name}-0\": must be no more than 63 characters"
                ),
                format!(
                    "spec.hostname: Invalid value: \"{set_name}-0\": must be no more than 63 characters"
                ),
            ]
        );
        let msg = invalid_message("Pod", "", &format!("{set_name}-0"), &errs);
        assert!(
            msg.starts_with(&format!(
                "Pod \"{set_name}-0\" is invalid: [metadata.labels: "
            )),
            "{msg}"
        );
        // The set itself is accepted (LBL-06: not rejected by validation).
        assert!(validate(&patched(|v| v["metadata"]["name"] = json!(set_name))).is_empty());
    }

    #[test]
    fn pod_needs_containers_with_unique_names_and_images() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": []},
        }))
        .unwrap_or_default();
        assert_eq!(
            messages(&validate_pod(&pod)),
            vec!["spec.containers: Required value"]
        );
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"restartPolicy": "Sometimes", "dnsPolicy": "ClusterFirst",
                     "containers": [{"name": "c", "image": "x"}, {"name": "c"}]},
        }))
        .unwrap_or_default();
        let errs = validate_pod(&pod);
        assert_eq!(
            messages(&errs),
            vec![
                "spec.containers[1].name: Duplicate value: \"c\"",
                "spec.containers[1].image: Required value",
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ]
        );
        assert_eq!(errs[0].reason(), "FieldValueDuplicate");
    }

    #[test]
    fn object_names_by_kind() {
        assert!(validate_object_meta_name(Kind::Pod, "web-0.x").is_empty());
        assert_eq!(validate_object_meta_name(Kind::Namespace, "a.b").len(), 1);
        assert_eq!(validate_object_meta_name(Kind::Service, "a.b").len(), 1);
        assert_eq!(
            messages(&validate_object_meta_name(Kind::PersistentVolumeClaim, "")),
            vec!["metadata.name: Required value: name or generateName is required"]
        );
    }

    #[test]
    fn invalid_message_lists_several_errors() {
        let errs = vec![
            FieldError::required("spec.selector", ""),
            FieldError::invalid("spec.replicas", BadValue::Int(-1), NEGATIVE_MSG),
            FieldError::required("spec.selector", ""),
        ];
        assert_eq!(
            invalid_message("StatefulSet", "apps", "web", &errs),
            "StatefulSet.apps \"web\" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]"
        );
        assert_eq!(invalid_message("Pod", "", "p", &[]), "Pod \"p\" is invalid");
        assert_eq!(
            FieldError::too_long("metadata.annotations", 262144).to_string(),
            "metadata.annotations: Too long: may not be more than 262144 bytes"
        );
        assert_eq!(
            BadValue::json(&json!({"a": "<b>"})).to_string(),
            "{\"a\":\"\\u003cb\\u003e\"}"
        );
    }
}
