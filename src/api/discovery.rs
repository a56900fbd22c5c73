//! API discovery: `/version`, legacy discovery (`/api`, `/apis`, `/api/v1`,
//! `/apis/{group}/{version}`) and aggregated discovery (`APIGroupDiscoveryList`, v2 and
//! v2beta1, with the exact content type kubectl insists on).

use super::request::media_ranges;
use super::resources::{self, GROUPS, RESOURCES, Resource, SUBRESOURCE_VERBS, Subresource, VERBS};
use serde_json::{Value, json};

/// `/version`.
pub fn version(minor: u32) -> Value {
    json!({
        "major": "1",
        "minor": minor.to_string(),
        "emulationMajor": "1",
        "emulationMinor": minor.to_string(),
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": minor.saturating_sub(1).to_string(),
        "gitVersion": format!("v1.{minor}.0-stsconform"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The aggregated-discovery version the Accept header asks for (`v2`, `v2beta1`), if any.
pub fn aggregated_version(accept: Option<&str>) -> Option<&'static str> {
    for range in media_ranges(accept.unwrap_or("")) {
        if range.essence != "application/json" {
            continue;
        }
        if range.param("as") == Some("APIGroupDiscoveryList")
            && range.param("g") == Some("apidiscovery.k8s.io")
        {
            match range.param("v") {
                Some("v2") => return Some("v2"),
                Some("v2beta1") => return Some("v2beta1"),
                _ => continue,
            }
        }
        // A plain JSON range before any aggregated one means legacy discovery.
        if range.param("as").is_none() {
            break;
        }
    }
    None
}

/// The Content-Type of an aggregated discovery response.
pub fn aggregated_content_type(version: &str) -> String {
    format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList")
}

/// Legacy `/api`.
pub fn legacy_core() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
    })
}

fn group_versions(group: &str) -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = Vec::new();
    for r in RESOURCES.iter().filter(|r| r.group == group) {
        if !versions.contains(&r.version) {
            versions.push(r.version);
        }
    }
    versions
}

fn legacy_group(group: &str) -> Value {
    let versions: Vec<Value> = group_versions(group)
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": versions,
        "preferredVersion": versions.first().cloned().unwrap_or(Value::Null),
    })
}

/// Legacy `/apis`.
pub fn legacy_groups() -> Value {
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": GROUPS.iter().map(|g| legacy_group(g)).collect::<Vec<_>>(),
    })
}

/// Legacy `/apis/{group}`, or None when the group is not served.
pub fn legacy_group_doc(group: &str) -> Option<Value> {
    if !GROUPS.contains(&group) {
        return None;
    }
    let mut doc = legacy_group(group);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

fn scale_kind() -> Value {
    json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
}

/// Legacy `/api/v1` or `/apis/{group}/{version}`: an `APIResourceList`.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    if !resources::serves_group_version(group, version) {
        return None;
    }
    let mut out = Vec::new();
    for r in resources::in_group_version(group, version) {
        out.push(json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced(),
            "kind": r.kind.as_str(),
            "verbs": VERBS,
            "shortNames": r.short_names,
            "categories": r.categories,
            "storageVersionHash": "",
        }));
        for sub in r.subresources {
            let mut entry = json!({
                "name": format!("{}/{}", r.plural, sub.as_str()),
                "singularName": "",
                "namespaced": r.namespaced(),
                "kind": r.kind.as_str(),
                "verbs": SUBRESOURCE_VERBS,
            });
            if *sub == Subresource::Scale {
                entry["group"] = json!("autoscaling");
                entry["version"] = json!("v1");
                entry["kind"] = json!("Scale");
            }
            out.push(entry);
        }
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": out,
    }))
}

fn aggregated_resource(r: &Resource) -> Value {
    let subresources: Vec<Value> = r
        .subresources
        .iter()
        .map(|sub| {
            let kind = match sub {
                Subresource::Scale => scale_kind(),
                Subresource::Status => {
                    json!({"group": r.group, "version": r.version, "kind": r.kind.as_str()})
                }
            };
            json!({"subresource": sub.as_str(), "responseKind": kind, "verbs": SUBRESOURCE_VERBS})
        })
        .collect();
    let mut entry = json!({
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind.as_str()},
        "scope": if r.namespaced() { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": VERBS,
        "subresources": subresources,
    });
    if !r.short_names.is_empty() {
        entry["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        entry["categories"] = json!(r.categories);
    }
    entry
}

fn aggregated_group(group: &str) -> Value {
    let versions: Vec<Value> = group_versions(group)
        .iter()
        .map(|v| {
            let resources: Vec<Value> = resources::in_group_version(group, v)
                .map(aggregated_resource)
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions})
}

/// Aggregated discovery for `/api` (`core` true) or `/apis`.
pub fn aggregated(core: bool, version: &str) -> Value {
    let items: Vec<Value> = if core {
        vec![aggregated_group("")]
    } else {
        GROUPS.iter().map(|g| aggregated_group(g)).collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_accept_selects_aggregated_version() {
        let new = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_version(Some(new)), Some("v2"));
        let old = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_version(Some(old)), Some("v2beta1"));
        assert_eq!(aggregated_version(Some("application/json, */*")), None);
        assert_eq!(aggregated_version(None), None);
    }

    #[test]
    fn resource_lists_name_scale_subresource() {
        let apps = resource_list("apps", "v1").unwrap();
        let names: Vec<&str> = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"statefulsets/scale"));
        assert!(resource_list("apps", "v2").is_none());
        let core = aggregated(true, "v2");
        assert_eq!(core["items"][0]["metadata"]["name"], "");
    }
}
