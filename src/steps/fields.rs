//! Reading one field of an object's JSON by a dotted path (`spec.updateStrategy.type`,
//! list indexes as numbers) and holding it against the text a scenario wrote: strings
//! compare as strings, anything else as JSON. A missing object or field never reads as a
//! value, so a check of a field cannot pass because the field (or the object) is absent.

use serde_json::Value;

/// The value at a dotted path; `None` when absent or `null` (the API omits both alike).
pub(crate) fn at_path<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    let pointer = format!("/{}", path.replace('.', "/"));
    json.pointer(&pointer).filter(|v| !v.is_null())
}

/// Whether a present value reads as `want`: a string equals it, anything else equals it
/// parsed as JSON (`30`, `true`, `{"start":2}`).
pub(crate) fn reads_as(got: &Value, want: &str) -> bool {
    match got {
        Value::String(s) => s == want,
        other => serde_json::from_str::<Value>(want).is_ok_and(|w| w == *other),
    }
}

/// Checks that `object` (described by `what`, e.g. `pod web-0`) exists and its `path`
/// reads as `want`; the error says which of the three did not hold.
pub(crate) fn check_field(
    object: Option<&Value>,
    what: &str,
    path: &str,
    want: &str,
) -> Result<(), String> {
    let Some(json) = object else {
        return Err(format!(
            "expected {what} {path} = {want}, but {what} does not exist"
        ));
    };
    match at_path(json, path) {
        None => Err(format!(
            "expected {what} {path} = {want}, but {what} has no field {path}"
        )),
        Some(got) if reads_as(got, want) => Ok(()),
        Some(got) => Err(format!("expected {what} {path} = {want}, got {got}")),
    }
}

/// Checks that `object` exists and has no `path` (or has it as `null`).
pub(crate) fn check_absent(object: Option<&Value>, what: &str, path: &str) -> Result<(), String> {
    let Some(json) = object else {
        return Err(format!(
            "expected {what} without {path}, but {what} does not exist"
        ));
    };
    match at_path(json, path) {
        None => Ok(()),
        Some(got) => Err(format!("expected {what} without {path}, got {got}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set() -> Value {
        json!({"spec": {"replicas": 1, "podManagementPolicy": "OrderedReady",
            "ordinals": null, "updateStrategy": {"rollingUpdate": {"partition": 0}},
            "template": {"spec": {"containers": [{"image": "nginx"}]}}}})
    }

    #[test]
    fn a_missing_field_reads_as_no_value_at_all() {
        let set = set();
        for want in ["OrderedReady", "null", "", "0"] {
            assert!(check_field(Some(&set), "set", "spec.noSuchField", want).is_err());
        }
        assert!(check_field(Some(&set), "set", "spec.ordinals", "null").is_err());
    }

    #[test]
    fn a_missing_object_has_neither_fields_nor_absent_fields() {
        let err = check_field(None, "StatefulSet ghost", "spec.replicas", "1").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        assert!(check_absent(None, "StatefulSet ghost", "spec.ordinals").is_err());
    }

    #[test]
    fn strings_compare_as_strings_and_the_rest_as_json() {
        let set = set();
        assert!(check_field(Some(&set), "s", "spec.podManagementPolicy", "OrderedReady").is_ok());
        assert!(check_field(Some(&set), "s", "spec.podManagementPolicy", "Parallel").is_err());
        assert!(check_field(Some(&set), "s", "spec.replicas", "1").is_ok());
        assert!(check_field(Some(&set), "s", "spec.replicas", "2").is_err());
        assert!(check_field(Some(&set), "s", "spec.replicas", "one").is_err());
        assert!(
            check_field(
                Some(&set),
                "s",
                "spec.updateStrategy.rollingUpdate",
                r#"{"partition":0}"#
            )
            .is_ok()
        );
        assert!(
            check_field(
                Some(&set),
                "s",
                "spec.template.spec.containers.0.image",
                "nginx"
            )
            .is_ok()
        );
    }

    #[test]
    fn an_absent_or_null_field_is_absent_and_a_present_one_is_not() {
        let set = set();
        assert!(check_absent(Some(&set), "s", "spec.ordinals").is_ok());
        assert!(check_absent(Some(&set), "s", "spec.minReadySeconds").is_ok());
        assert!(check_absent(Some(&set), "s", "spec.replicas").is_err());
    }
}
