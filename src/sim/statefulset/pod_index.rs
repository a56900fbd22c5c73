//! The controller's index of one StatefulSet's pods: which pods it claims, by name and by
//! ordinal, and what each sync needs to know about them — kept up to date from pod and
//! claim changes instead of being recomputed from every pod on every sync.
//!
//! Upstream lists a set's pods from the informer cache and walks all of them in each sync:
//! O(n) per sync, and O(n²) for an OrderedReady scale-up, which syncs a few times per pod.
//! This index answers the questions that walk asks — which slots may need work, the first
//! unavailable slot, the slot a rolling update stops at, the status counts, the revisions
//! pods still use — with work proportional to what changed. The sync algorithm itself is
//! unchanged: it still runs upstream's per-pod logic on every slot that may need it, and
//! skips only slots whose outcome is known to be "nothing to do, carry on".
//!
//! Two layers, each invalidated by what it depends on:
//! * **members** — the pods the set claims (controller reference to the set's uid, selector
//!   and name match), re-read by name when a pod changes; all of them when the set's uid
//!   changes;
//! * **facts** — per pod [`Facts`] and per in-range slot membership of the `blocked`,
//!   `unavailable` and `stale_or_missing` sets, recomputed for changed pods, for pods whose
//!   claims changed, for ready pods still waiting out `minReadySeconds` (time makes them
//!   available), and for everything when the [`FactContext`] changes.
//!
//! Members hold the store's own [`PodRecord`] of their pod, not a copy and not the pod: a
//! member marked as changed lets its superseded record go at once, so the index keeps no
//! old version alive beside the stored one, and a sync that must write a pod fetches it
//! from the store.
//!
//! Unit tests rebuild the index from scratch at every sync and require it to equal the
//! incremental one.

use super::lister::PodLister;
use super::stateful_set_utils::{get_ordinal, get_pod_revision};
use crate::model::pod_record::{PodRecord, PodView};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included, Unbounded};
use std::sync::Arc;

/// What a pod's [`Facts`] depend on besides the pod, its claims and the time: a change
/// recomputes every fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactContext {
    /// The set's uid.
    pub uid: String,
    /// The set's generation: every spec change (templates, policies, minReadySeconds,
    /// replicas and ordinals) bumps it.
    pub generation: i64,
    /// The update revision's name.
    pub update_revision: String,
    /// `spec.minReadySeconds`.
    pub min_ready: i32,
    /// The in-range ordinals are `start..=end` (none when `end < start`).
    pub start: i32,
    pub end: i32,
}

impl FactContext {
    fn in_range(&self, ordinal: i32) -> bool {
        self.start <= ordinal && ordinal <= self.end
    }
}

/// What one sync needs to know about one claimed pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Has a phase (`isCreated`).
    pub created: bool,
    /// Running and Ready.
    pub ready: bool,
    /// Running and available at the sync's time.
    pub available: bool,
    /// Has a deletionTimestamp.
    pub terminating: bool,
    /// `processReplica` would neither write nor stop the scan: healthy, identity, storage
    /// and claim ownership all as they should be.
    pub quiet: bool,
    /// Not at the update revision and not terminating: the rolling update would delete it.
    pub stale: bool,
    /// The `controller-revision-hash` label.
    pub revision: String,
}

#[derive(Debug, Clone)]
struct Member {
    /// The store's record of the pod as last read; `None` once superseded, until re-read.
    record: Option<Arc<PodRecord>>,
    /// The resourceVersion last read: an unchanged pod is not re-read.
    resource_version: String,
    /// The `controller-revision-hash` label last read.
    revision: String,
    ordinal: Option<i32>,
    facts: Option<Facts>,
}

impl PartialEq for Member {
    /// Equal members read the same version, whether or not either still holds its record.
    fn eq(&self, other: &Member) -> bool {
        self.resource_version == other.resource_version
            && self.revision == other.revision
            && self.ordinal == other.ordinal
            && self.facts == other.facts
    }
}

/// The running totals status is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: i32,
    pub ready: i32,
    pub available: i32,
    /// Created and not terminating pods by revision.
    pub live: BTreeMap<String, i32>,
}

impl Counts {
    fn apply(&mut self, facts: &Facts, sign: i32) {
        self.created += sign * i32::from(facts.created);
        self.ready += sign * i32::from(facts.ready);
        self.available += sign * i32::from(facts.available);
        if facts.created && !facts.terminating {
            let live = self.live.entry(facts.revision.clone()).or_insert(0);
            *live += sign;
            if *live == 0 {
                self.live.remove(&facts.revision);
            }
        }
    }

    /// Created, not terminating pods at `revision`.
    pub fn at_revision(&self, revision: &str) -> i32 {
        self.live.get(revision).copied().unwrap_or(0)
    }
}

/// One StatefulSet's pods, as its controller knows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodIndex {
    /// The uid of the set the members belong to.
    owner_uid: Option<String>,
    members: BTreeMap<String, Member>,
    by_ordinal: BTreeMap<i32, Claimants>,
    /// Pods controlled by the set that no longer match it: to be released.
    release: BTreeSet<String>,
    /// How many members carry each revision label (live revisions survive truncation).
    revisions: BTreeMap<String, usize>,
    /// Pods changed since they were last read.
    unread: BTreeSet<String>,
    /// Members whose name has no ordinal that fits an i32: in no slot.
    unordered: BTreeSet<String>,
    /// Ordinals more than one member claims (`web-7` and `web-007`).
    crowded: BTreeSet<i32>,

    context: Option<FactContext>,
    /// Members whose facts must be recomputed.
    stale_facts: BTreeSet<String>,
    /// Ordinals whose slot sets must be recomputed.
    dirty_slots: BTreeSet<i32>,
    /// Ready members not yet available: time alone may change their facts.
    awaiting: BTreeSet<String>,
    /// In-range slots that are missing or whose pod is not quiet.
    blocked: BTreeSet<i32>,
    /// In-range slots that are missing or whose pod is unavailable (`isUnavailable`).
    unavailable: BTreeSet<i32>,
    /// In-range slots that are missing or whose pod is stale.
    stale_or_missing: BTreeSet<i32>,
    counts: Counts,
}

/// The uid of the pod's controller reference, if any.
fn controller_uid(pod: &impl PodView) -> Option<&str> {
    pod.owner_references()
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| o.uid.as_str())
}

/// Counts one more member at `revision`.
fn count_revision(revisions: &mut BTreeMap<String, usize>, revision: &str) {
    match revisions.get_mut(revision) {
        Some(n) => *n += 1,
        None => {
            revisions.insert(revision.to_owned(), 1);
        }
    }
}

/// Counts one member fewer at `revision`; a revision no member carries is dropped.
fn uncount_revision(revisions: &mut BTreeMap<String, usize>, revision: &str) {
    if let Some(n) = revisions.get_mut(revision) {
        *n -= 1;
        if *n == 0 {
            revisions.remove(revision);
        }
    }
}

/// The members claiming one ordinal, in name order: almost always exactly one, so a
/// sorted vector (one 24-byte allocation) rather than a `BTreeSet` (a 280-byte node per
/// slot, 28 MB at 100,000 replicas).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Claimants(Vec<String>);

impl Claimants {
    fn insert(&mut self, name: &str) {
        if let Err(at) = self.0.binary_search_by(|n| n.as_str().cmp(name)) {
            self.0.insert(at, name.to_owned());
        }
    }

    fn remove(&mut self, name: &str) {
        if let Ok(at) = self.0.binary_search_by(|n| n.as_str().cmp(name)) {
            self.0.remove(at);
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn last(&self) -> Option<&String> {
        self.0.last()
    }

    fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a Claimants {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl PodIndex {
    /// Notes that pod `name` changed (informer handler).
    pub fn mark_pod(&mut self, name: &str) {
        // The version held is superseded: let it go now rather than at the next read.
        if let Some(member) = self.members.get_mut(name) {
            member.record = None;
        }
        if !self.unread.contains(name) {
            self.unread.insert(name.to_owned());
        }
    }

    /// Notes that a claim of the pods at `ordinal` changed (their claim ownership facts).
    pub fn mark_ordinal(&mut self, ordinal: i32) {
        if let Some(names) = self.by_ordinal.get(&ordinal) {
            self.stale_facts.extend(names.iter().cloned());
        }
    }

    /// Brings the members up to date with the store: re-reads changed pods (and pods
    /// awaiting release), or every pod controlled by `set_uid` when the index is new or
    /// belonged to an earlier set of that name. `matches` is the claim test (selector and
    /// name); pods it rejects are queued for release.
    pub fn read_members<L: PodLister + ?Sized>(
        &mut self,
        lister: &L,
        namespace: &str,
        set_uid: &str,
        matches: impl Fn(&PodRecord) -> bool,
    ) {
        if self.owner_uid.as_deref() != Some(set_uid) {
            *self = PodIndex {
                owner_uid: Some(set_uid.to_owned()),
                ..PodIndex::default()
            };
            self.unread = lister
                .pods_owned_by(namespace, set_uid)
                .into_iter()
                .collect();
        }
        let mut names = std::mem::take(&mut self.unread);
        names.extend(self.release.iter().cloned());
        for name in names {
            self.reread(lister, namespace, set_uid, &name, &matches);
        }
    }

    fn reread<L: PodLister + ?Sized>(
        &mut self,
        lister: &L,
        namespace: &str,
        set_uid: &str,
        name: &str,
        matches: &impl Fn(&PodRecord) -> bool,
    ) {
        let controlled = lister
            .pod_record(namespace, name)
            .filter(|pod| controller_uid(&**pod) == Some(set_uid));
        if let (Some(member), Some(current)) = (self.members.get_mut(name), controlled.as_ref())
            && !current.resource_version().is_empty()
            && member.resource_version == current.resource_version()
        {
            if member.record.is_none() {
                member.record = Some(current.clone());
            }
            return;
        }
        let pod = controlled;
        if let Some(pod) = pod.as_ref().filter(|pod| matches(pod))
            && self.update_member(name, pod)
        {
            return;
        }
        self.release.remove(name);
        self.remove_member(name);
        let Some(pod) = pod else {
            return;
        };
        if !matches(&pod) {
            self.release.insert(name.to_owned());
            return;
        }
        let ordinal = get_ordinal(&*pod);
        let revision = get_pod_revision(&*pod).to_owned();
        count_revision(&mut self.revisions, &revision);
        match ordinal {
            Some(o) => {
                let names = self.by_ordinal.entry(o).or_default();
                names.insert(name);
                if names.len() > 1 {
                    self.crowded.insert(o);
                }
                self.dirty_slots.insert(o);
            }
            None => {
                self.unordered.insert(name.to_owned());
            }
        }
        self.stale_facts.insert(name.to_owned());
        self.members.insert(
            name.to_owned(),
            Member {
                resource_version: pod.resource_version().to_owned(),
                record: Some(pod),
                revision,
                ordinal,
                facts: None,
            },
        );
    }

    /// Takes a new version of member `name` that still belongs: its name, and so its
    /// ordinal and slot, stay; its revision count and facts follow the new version. False
    /// when `name` is no member.
    fn update_member(&mut self, name: &str, pod: &Arc<PodRecord>) -> bool {
        let Some(member) = self.members.get_mut(name) else {
            return false;
        };
        let revision = get_pod_revision(&**pod);
        if member.revision != revision {
            let old = std::mem::replace(&mut member.revision, revision.to_owned());
            uncount_revision(&mut self.revisions, &old);
            count_revision(&mut self.revisions, revision);
        }
        member.resource_version = pod.resource_version().to_owned();
        member.record = Some(pod.clone());
        // The old facts stay counted until refresh_facts replaces them.
        self.stale_facts.insert(name.to_owned());
        if let Some(o) = member.ordinal {
            self.dirty_slots.insert(o);
        }
        true
    }

    fn remove_member(&mut self, name: &str) {
        let Some(member) = self.members.remove(name) else {
            return;
        };
        if let Some(facts) = &member.facts {
            self.counts.apply(facts, -1);
        }
        self.awaiting.remove(name);
        self.stale_facts.remove(name);
        uncount_revision(&mut self.revisions, &member.revision);
        self.unordered.remove(name);
        if let Some(o) = member.ordinal {
            if let Some(names) = self.by_ordinal.get_mut(&o) {
                names.remove(name);
                if names.len() < 2 {
                    self.crowded.remove(&o);
                }
                if names.is_empty() {
                    self.by_ordinal.remove(&o);
                }
            }
            self.dirty_slots.insert(o);
        }
    }

    /// Names of pods to release (controlled by the set, no longer matching it).
    pub fn to_release(&self) -> impl Iterator<Item = &String> {
        self.release.iter()
    }

    /// How many pods the set claims.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Revision labels of the claimed pods (each once).
    pub fn revisions(&self) -> impl Iterator<Item = &str> {
        self.revisions.keys().map(String::as_str)
    }

    /// Brings every fact up to date for `context` at the sync's time; `compute` derives
    /// one pod's facts.
    pub fn refresh_facts(
        &mut self,
        context: FactContext,
        mut compute: impl FnMut(&PodRecord) -> Facts,
    ) {
        if self.context.as_ref() != Some(&context) {
            self.blocked.clear();
            self.unavailable.clear();
            self.stale_or_missing.clear();
            self.awaiting.clear();
            self.counts = Counts::default();
            for member in self.members.values_mut() {
                member.facts = None;
            }
            self.stale_facts = self.members.keys().cloned().collect();
            self.dirty_slots = self.by_ordinal.keys().copied().collect();
            if context.start <= context.end {
                self.dirty_slots.extend(context.start..=context.end);
            }
            self.context = Some(context);
        }
        let mut names = std::mem::take(&mut self.stale_facts);
        names.extend(std::mem::take(&mut self.awaiting));
        for name in names {
            let Some(member) = self.members.get_mut(&name) else {
                continue;
            };
            if let Some(old) = member.facts.take() {
                self.counts.apply(&old, -1);
            }
            // Every member is read before its facts are computed.
            let Some(pod) = member.record.as_deref() else {
                debug_assert!(false, "pod {name} has facts to compute but was never read");
                continue;
            };
            let facts = compute(pod);
            self.counts.apply(&facts, 1);
            if facts.ready && !facts.available {
                self.awaiting.insert(name.clone());
            }
            member.facts = Some(facts);
            if let Some(o) = member.ordinal {
                self.dirty_slots.insert(o);
            }
        }
        for ordinal in std::mem::take(&mut self.dirty_slots) {
            self.place_slot(ordinal);
        }
    }

    /// Recomputes which slot sets `ordinal` belongs to.
    fn place_slot(&mut self, ordinal: i32) {
        self.blocked.remove(&ordinal);
        self.unavailable.remove(&ordinal);
        self.stale_or_missing.remove(&ordinal);
        if !self.context.as_ref().is_some_and(|c| c.in_range(ordinal)) {
            return;
        }
        let facts = self
            .winner(ordinal)
            .and_then(|name| self.members.get(name))
            .and_then(|m| m.facts.as_ref());
        let (blocked, unavailable, stale) = match facts {
            None => (true, true, true),
            Some(f) => (!f.quiet, !f.available || f.terminating, f.stale),
        };
        if blocked {
            self.blocked.insert(ordinal);
        }
        if unavailable {
            self.unavailable.insert(ordinal);
        }
        if stale {
            self.stale_or_missing.insert(ordinal);
        }
    }

    /// The pod that fills slot `ordinal`: with duplicates (`web-7` and `web-007`), the last
    /// by name, as a scan in name order would leave it.
    fn winner(&self, ordinal: i32) -> Option<&String> {
        self.by_ordinal.get(&ordinal)?.last()
    }

    /// The pod in slot `ordinal`, if any.
    pub fn slot(&self, ordinal: i32) -> Option<&PodRecord> {
        let name = self.winner(ordinal)?;
        self.members.get(name)?.record.as_deref()
    }

    /// Claimed pods outside `start..=end`, highest ordinal first.
    pub fn condemned(&self, start: i32, end: i32) -> Vec<&PodRecord> {
        let above = self.by_ordinal.range((Excluded(end), Unbounded)).rev();
        let below = self.by_ordinal.range(..start).rev();
        above
            .chain(below)
            .filter(|(o, _)| **o < start || **o > end)
            .flat_map(|(_, names)| names.iter())
            .filter_map(|n| self.members.get(n)?.record.as_deref())
            .collect()
    }

    /// In-range ordinals in `from..=to` that may need `processReplica`, ascending.
    pub fn blocked(&self, from: i32, to: i32) -> impl Iterator<Item = i32> + '_ {
        let range = (from <= to).then_some(from..=to);
        range
            .into_iter()
            .flat_map(|r| self.blocked.range(r).copied())
    }

    /// The lowest in-range slot that is missing or unavailable.
    pub fn first_unavailable(&self) -> Option<i32> {
        self.unavailable.first().copied()
    }

    /// How many in-range slots are missing or unavailable.
    pub fn unavailable_count(&self) -> usize {
        self.unavailable.len()
    }

    /// The highest slot in `from..=to` where the rolling update stops: missing,
    /// unavailable or stale.
    pub fn last_update_stop(&self, from: i32, to: i32) -> Option<i32> {
        if from > to {
            return None;
        }
        let last = |set: &BTreeSet<i32>| {
            set.range((Included(from), Included(to)))
                .next_back()
                .copied()
        };
        last(&self.unavailable).max(last(&self.stale_or_missing))
    }

    /// Slots in `from..=to` that are missing or stale, highest first.
    pub fn stale_or_missing_desc(&self, from: i32, to: i32) -> impl Iterator<Item = i32> + '_ {
        let range = (from <= to).then_some(from..=to);
        range
            .into_iter()
            .flat_map(|r| self.stale_or_missing.range(r).rev().copied())
    }

    /// Status totals over every claimed pod.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Status totals over the pods in slots: the in-range pod of each slot and every
    /// condemned pod — leaving out pods whose name has no usable ordinal and the losers of
    /// a crowded slot, as upstream's recount over `replicas` and `condemned` does.
    pub fn slotted_counts(&self) -> Counts {
        let mut counts = self.counts.clone();
        let in_range = |o: i32| self.context.as_ref().is_some_and(|c| c.in_range(o));
        let winners: BTreeSet<&String> = self
            .crowded
            .iter()
            .filter_map(|o| self.winner(*o))
            .collect();
        let losers = self
            .crowded
            .iter()
            .filter(|o| in_range(**o))
            .flat_map(|o| self.by_ordinal.get(o).into_iter().flatten())
            .filter(|n| !winners.contains(n));
        for name in self.unordered.iter().chain(losers) {
            if let Some(facts) = self.members.get(name).and_then(|m| m.facts.as_ref()) {
                counts.apply(facts, -1);
            }
        }
        counts
    }

    /// Drops every fact, so the next refresh recomputes all of them (a rebuild to compare
    /// the incremental index against).
    #[cfg(any(test, debug_assertions))]
    pub fn forget_facts(&mut self) {
        self.context = None;
    }

    /// Whether the member layers of two indexes agree (pods, release queue, revisions).
    #[cfg(any(test, debug_assertions))]
    pub fn same_members(&self, other: &PodIndex) -> bool {
        let pods = |i: &PodIndex| -> Vec<(String, String)> {
            i.members
                .iter()
                .map(|(n, m)| (n.clone(), m.resource_version.clone()))
                .collect()
        };
        pods(self) == pods(other)
            && self.by_ordinal == other.by_ordinal
            && self.release == other.release
            && self.revisions == other.revisions
    }

    /// Whether nothing is waiting to be read or recomputed (what a rebuild compares).
    #[cfg(any(test, debug_assertions))]
    pub fn is_settled(&self) -> bool {
        self.unread.is_empty() && self.stale_facts.is_empty() && self.dirty_slots.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::names::CONTROLLER_REVISION_HASH_LABEL;
    use crate::model::object::{Kind, Object};
    use crate::sim::fixtures::web;
    use crate::sim::{Cluster, ClusterConfig};
    use serde_json::json;
    use std::time::Duration;

    fn context(start: i32, end: i32) -> FactContext {
        FactContext {
            uid: "u".into(),
            generation: 1,
            update_revision: "web-1".into(),
            min_ready: 0,
            start,
            end,
        }
    }

    fn healthy(_: &PodRecord) -> Facts {
        Facts {
            created: true,
            ready: true,
            available: true,
            terminating: false,
            quiet: true,
            stale: false,
            revision: "web-1".into(),
        }
    }

    #[test]
    fn claimants_stay_sorted_and_unique_and_the_last_by_name_wins() {
        let mut slot = Claimants::default();
        for name in ["web-7", "web-007", "web-07", "web-007"] {
            slot.insert(name);
        }
        assert_eq!(
            slot.iter().collect::<Vec<_>>(),
            ["web-007", "web-07", "web-7"]
        );
        assert_eq!(slot.last().map(String::as_str), Some("web-7"));
        slot.remove("web-7");
        slot.remove("web-8");
        assert_eq!(slot.len(), 2);
        assert_eq!(slot.last().map(String::as_str), Some("web-07"));
        slot.remove("web-007");
        slot.remove("web-07");
        assert!(slot.is_empty());
    }

    #[test]
    fn missing_slots_are_blocked_unavailable_and_stale() {
        let mut index = PodIndex::default();
        index.refresh_facts(context(0, 2), healthy);
        assert_eq!(index.blocked(0, 2).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(index.first_unavailable(), Some(0));
        assert_eq!(index.last_update_stop(0, 2), Some(2));
        assert_eq!(
            index.stale_or_missing_desc(1, 2).collect::<Vec<_>>(),
            [2, 1]
        );
        assert_eq!(
            index.blocked(2, 1).count(),
            0,
            "an empty range yields nothing"
        );
    }

    /// A cluster running a three-pod Parallel `web` for `secs` virtual seconds.
    fn steady_parallel_web(secs: u64) -> Cluster {
        let mut cluster = Cluster::new(ClusterConfig::default());
        cluster
            .create(Object::StatefulSet(Box::new(web(
                3,
                json!({"spec": {"podManagementPolicy": "Parallel"}}),
            ))))
            .unwrap();
        cluster.run_for(Duration::from_secs(secs)).unwrap();
        cluster
    }

    #[test]
    fn members_follow_the_store_and_facts_follow_members() {
        let mut cluster = steady_parallel_web(30);
        let set = match cluster.get_object(Kind::StatefulSet, "default", "web") {
            Some(Object::StatefulSet(s)) => s,
            _ => panic!("no set"),
        };
        let uid = set.metadata.uid.clone().unwrap();
        let mut index = PodIndex::default();
        index.read_members(cluster.store(), "default", &uid, |_| true);
        assert_eq!(index.member_count(), 3);
        index.refresh_facts(context(0, 1), healthy);
        assert_eq!(index.blocked(0, 1).count(), 0);
        assert_eq!(index.counts().created, 3);
        assert_eq!(
            index.condemned(0, 1).len(),
            1,
            "web-2 is outside a two-replica range"
        );
        // A pod whose labels stop matching is queued for release and leaves the counts.
        let Some(Object::Pod(mut relabelled)) = cluster.get_object(Kind::Pod, "default", "web-1")
        else {
            panic!("no web-1");
        };
        relabelled.metadata.labels = None;
        cluster
            .store
            .update(Object::Pod(relabelled), cluster.now())
            .unwrap();
        let has_labels = |p: &PodRecord| p.label("app").is_some();
        index.read_members(cluster.store(), "default", &uid, has_labels);
        assert_eq!(index.member_count(), 3);
        assert_eq!(
            index.to_release().count(),
            0,
            "unmarked changes are not seen"
        );
        index.mark_pod("web-1");
        index.read_members(cluster.store(), "default", &uid, has_labels);
        index.refresh_facts(context(0, 1), healthy);
        assert_eq!(index.to_release().collect::<Vec<_>>(), ["web-1"]);
        assert_eq!(index.counts().created, 2);
        assert_eq!(index.blocked(0, 1).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn a_member_changed_in_place_keeps_its_slot_and_moves_its_revision() {
        let mut cluster = steady_parallel_web(30);
        let uid = match cluster.get_object(Kind::StatefulSet, "default", "web") {
            Some(Object::StatefulSet(s)) => s.metadata.uid.clone().unwrap(),
            _ => panic!("no set"),
        };
        let mut index = PodIndex::default();
        index.read_members(cluster.store(), "default", &uid, |_| true);
        index.refresh_facts(context(0, 2), healthy);
        let before: Vec<String> = index.revisions().map(str::to_owned).collect();
        assert_eq!(before.len(), 1);
        // web-1's revision label is edited: the same member, at another revision.
        let Some(Object::Pod(mut edited)) = cluster.get_object(Kind::Pod, "default", "web-1")
        else {
            panic!("no web-1");
        };
        edited
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert(CONTROLLER_REVISION_HASH_LABEL.into(), "web-edited".into());
        cluster
            .store
            .update(Object::Pod(edited), cluster.now())
            .unwrap();
        index.mark_pod("web-1");
        index.read_members(cluster.store(), "default", &uid, |_| true);
        index.refresh_facts(context(0, 2), healthy);
        let mut rebuilt = PodIndex::default();
        rebuilt.read_members(cluster.store(), "default", &uid, |_| true);
        rebuilt.refresh_facts(context(0, 2), healthy);
        assert!(index.same_members(&rebuilt));
        assert_eq!(index, rebuilt);
        let mut after: Vec<&str> = index.revisions().collect();
        after.sort_unstable();
        let mut expected = vec![before[0].as_str(), "web-edited"];
        expected.sort_unstable();
        assert_eq!(after, expected);
        assert_eq!(index.member_count(), 3);
        assert_eq!(index.counts().created, 3);
    }

    #[test]
    fn members_hold_the_stores_own_records_and_let_superseded_ones_go() {
        let mut cluster = steady_parallel_web(60);
        let key = ("default".to_owned(), "web".to_owned());
        let stored = |c: &Cluster, name: &str| {
            c.store()
                .version(Kind::Pod, "default", name)
                .and_then(|v| v.pod_record().cloned())
                .unwrap()
        };
        let index = &cluster.statefulsets.sets.get(&key).unwrap().pods;
        for name in ["web-0", "web-1", "web-2"] {
            let ordinal = get_ordinal(&*stored(&cluster, name)).unwrap();
            let held = index.slot(ordinal).unwrap();
            assert!(
                std::ptr::eq(held, &*stored(&cluster, name)),
                "{name}: the index holds a record of its own"
            );
        }

        // After a change the sync holds the new version's record; marking a change lets
        // the held record go before the next read.
        let old = stored(&cluster, "web-1");
        cluster.set_pod_readiness("default", "web-1", false);
        cluster.settle().unwrap();
        let new = stored(&cluster, "web-1");
        assert_ne!(old.resource_version(), new.resource_version());
        let index = &mut cluster.statefulsets.sets.get_mut(&key).unwrap().pods;
        assert!(std::ptr::eq(index.slot(1).unwrap(), &*new));
        index.mark_pod("web-1");
        assert_eq!(
            index.slot(1),
            None,
            "the superseded record is dropped on marking"
        );
    }
}
