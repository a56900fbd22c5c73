//! A snapshot of one namespace — what waits and assertions look at — with small,
//! composable accessors in the spirit of kube-runtime's `wait::conditions`.

use crate::model::object::Object;
use crate::model::pod_state::{is_running_and_ready, revision_of};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

/// Every object of interest in the scenario's namespace, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub pods: Vec<Pod>,
    pub sets: Vec<StatefulSet>,
    pub claims: Vec<PersistentVolumeClaim>,
    pub revisions: Vec<ControllerRevision>,
    pub events: Vec<Event>,
    pub services: Vec<Service>,
    pub slices: Vec<EndpointSlice>,
    /// When the view was taken, in target time since the scenario began.
    pub at: std::time::Duration,
}

fn named<'a, T>(items: &'a [T], name: &str, meta: impl Fn(&T) -> Option<&String>) -> Option<&'a T> {
    items
        .iter()
        .find(|i| meta(i).map(String::as_str) == Some(name))
}

impl View {
    /// The same view, taken at `at`.
    pub fn taken_at(self, at: std::time::Duration) -> View {
        View { at, ..self }
    }

    /// Sorts objects into a view.
    pub fn from_objects(objects: impl IntoIterator<Item = Object>) -> View {
        let mut view = View::default();
        for object in objects {
            match object {
                Object::Pod(p) => view.pods.push(*p),
                Object::StatefulSet(s) => view.sets.push(*s),
                Object::PersistentVolumeClaim(c) => view.claims.push(*c),
                Object::ControllerRevision(r) => view.revisions.push(*r),
                Object::Event(e) => view.events.push(*e),
                Object::Service(s) => view.services.push(*s),
                Object::EndpointSlice(s) => view.slices.push(*s),
                _ => {}
            }
        }
        view
    }

    /// The pod of that name.
    pub fn pod(&self, name: &str) -> Option<&Pod> {
        named(&self.pods, name, |p| p.metadata.name.as_ref())
    }

    /// The StatefulSet of that name.
    pub fn set(&self, name: &str) -> Option<&StatefulSet> {
        named(&self.sets, name, |s| s.metadata.name.as_ref())
    }

    /// The claim of that name.
    pub fn claim(&self, name: &str) -> Option<&PersistentVolumeClaim> {
        named(&self.claims, name, |c| c.metadata.name.as_ref())
    }

    /// The revision of that name.
    pub fn revision(&self, name: &str) -> Option<&ControllerRevision> {
        named(&self.revisions, name, |r| r.metadata.name.as_ref())
    }

    /// Names of pods whose name starts with `<set>-`, in ordinal order.
    pub fn pod_names_of(&self, set: &str) -> Vec<String> {
        let prefix = format!("{set}-");
        let mut names: Vec<(i64, String)> = self
            .pods
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .filter_map(|n| {
                let ordinal = n.strip_prefix(&prefix)?.parse::<i64>().ok()?;
                Some((ordinal, n))
            })
            .collect();
        names.sort();
        names.into_iter().map(|(_, n)| n).collect()
    }

    /// Whether `refs` is exactly one controller reference (apps/v1, blockOwnerDeletion) to
    /// the StatefulSet `set` as it exists now (same uid).
    pub fn is_sole_controller_ref_to_set(
        &self,
        refs: Option<&[k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference]>,
        set: &str,
    ) -> bool {
        let uid = self.set(set).and_then(|s| s.metadata.uid.as_deref());
        matches!(refs, Some([r]) if r.kind == "StatefulSet"
            && r.api_version == "apps/v1"
            && r.name == set
            && Some(r.uid.as_str()) == uid
            && r.controller == Some(true)
            && r.block_owner_deletion == Some(true))
    }

    /// Whether pod `name` exists, is Running and Ready and is not terminating.
    pub fn is_pod_ready(&self, name: &str) -> bool {
        self.pod(name)
            .is_some_and(|p| is_running_and_ready(p) && p.metadata.deletion_timestamp.is_none())
    }

    /// The revision label of pod `name`.
    pub fn pod_revision(&self, name: &str) -> Option<&str> {
        self.pod(name).map(|p| revision_of(p).unwrap_or(""))
    }

    /// A one-screen description for failure messages: pods with phase, readiness and
    /// revision, and each StatefulSet's status.
    pub fn describe(&self) -> String {
        let mut out = String::from("pods:\n");
        if self.pods.is_empty() {
            out.push_str("  (none)\n");
        }
        for p in &self.pods {
            out.push_str(&format!(
                "  {:<12} {:<11} ready={:<5} terminating={:<5} revision={}\n",
                p.metadata.name.as_deref().unwrap_or(""),
                crate::timeline::printer::pod_status(p),
                is_running_and_ready(p),
                p.metadata.deletion_timestamp.is_some(),
                revision_of(p).unwrap_or("")
            ));
        }
        for s in &self.sets {
            let st = s.status.clone().unwrap_or_default();
            out.push_str(&format!(
                "statefulset {}: spec.replicas={} status: replicas={} ready={} available={} current={} updated={} currentRevision={} updateRevision={} observedGeneration={}\n",
                s.metadata.name.as_deref().unwrap_or(""),
                s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                st.replicas,
                st.ready_replicas.unwrap_or(0),
                st.available_replicas.unwrap_or(0),
                st.current_replicas.unwrap_or(0),
                st.updated_replicas.unwrap_or(0),
                st.current_revision.as_deref().unwrap_or(""),
                st.update_revision.as_deref().unwrap_or(""),
                st.observed_generation.unwrap_or(0),
            ));
        }
        out
    }
}
