//! The event recorder: `Event` objects on the StatefulSet, correlated the way client-go's
//! recorder does before they reach the API server (EVT-01):
//!
//! * **aggregation** — from the tenth distinct message on, events with the same source,
//!   object, type and reason seen within ten minutes of each other collapse into one event
//!   whose message reads `(combined from similar events): <latest message>`;
//! * **deduplication** — a repeat of the same event bumps `count` and `lastTimestamp`;
//! * **spam filter** — each source and object gets a token bucket of 25 writes refilled at
//!   one per five minutes; writes beyond it are dropped.
//!
//! So a 10,000-pod scale-up leaves a handful of events on the set, not 20,000, as on a
//! real cluster.
// upstream: client-go tools/record/events_cache.go (EventCorrelator, EventAggregator,
// eventLogger, EventSourceObjectSpamFilter)

use super::Cluster;
use crate::model::object::{Kind, Object};
use crate::sim::FastHashMap;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::BTreeSet;
use std::time::Duration;

/// Distinct messages that make events similar enough to aggregate.
// upstream: defaultAggregateMaxEvents
const AGGREGATE_MAX_EVENTS: usize = 10;
/// How long similar events are remembered for aggregation.
// upstream: defaultAggregateIntervalInSeconds
const AGGREGATE_INTERVAL: Duration = Duration::from_secs(600);
/// Token-bucket size of the spam filter, per source and object.
// upstream: defaultSpamBurst
const SPAM_BURST: f64 = 25.0;
/// Seconds per refilled token.
// upstream: defaultSpamQPS = 1/300
const SPAM_REFILL_SECS: f64 = 300.0;

/// Source component and involved object uid: whose events these are.
type SourceKey = (String, String);
/// Source, object, type, reason: what makes events similar.
type AggregateKey = (String, String, String, String);
/// An aggregate key plus the message (`None` for the aggregated event).
type EventKey = (AggregateKey, Option<String>);

#[derive(Debug)]
struct Similar {
    messages: BTreeSet<String>,
    last: Duration,
}

#[derive(Debug)]
struct Observed {
    name: String,
    count: i32,
    first: Time,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Duration,
}

impl Bucket {
    fn try_accept(&mut self, now: Duration) -> bool {
        let elapsed = now.saturating_sub(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed / SPAM_REFILL_SECS).min(SPAM_BURST);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The recorder's memory: similar events, observed events and spam buckets.
#[derive(Debug, Default)]
pub struct Recorder {
    similar: FastHashMap<AggregateKey, Similar>,
    observed: FastHashMap<EventKey, Observed>,
    buckets: FastHashMap<SourceKey, Bucket>,
    counter: u64,
    /// Between the object's name and the counter in event names.
    salt: String,
}

/// The object an event is about.
#[derive(Debug, Clone)]
pub struct Involved {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

impl Involved {
    /// The involved-object reference of a stored object.
    pub fn of(object: &Object) -> Involved {
        Involved {
            kind: object.kind(),
            namespace: object.namespace().to_owned(),
            name: object.name().to_owned(),
            uid: object.metadata().uid.clone().unwrap_or_default(),
        }
    }
}

/// What the recorder writes for one event after correlation: the event's name, its
/// count, first time and (possibly combined) message.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlated {
    pub name: String,
    pub count: i32,
    pub first: Time,
    pub message: String,
}

impl Recorder {
    /// A recorder whose event names carry `salt` after the object's name (events of an
    /// earlier recorder in the same namespace keep their names).
    pub fn salted(salt: String) -> Recorder {
        Recorder {
            salt,
            ..Recorder::default()
        }
    }

    /// Correlates one event at `now` (`time` as a Kubernetes `Time`): what to create or
    /// update, or None when the spam filter drops it.
    // upstream: client-go tools/record/events_cache.go EventCorrelator.EventCorrelate
    #[allow(clippy::too_many_arguments)]
    pub fn correlate(
        &mut self,
        now: Duration,
        time: &Time,
        involved: &Involved,
        type_: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) -> Option<Correlated> {
        let aggregate_key: AggregateKey = (
            component.to_owned(),
            involved.uid.clone(),
            type_.to_owned(),
            reason.to_owned(),
        );
        // Aggregate: past ten distinct messages, the event becomes the combined one.
        let similar = self
            .similar
            .entry(aggregate_key.clone())
            .or_insert_with(|| Similar {
                messages: BTreeSet::new(),
                last: now,
            });
        if now.saturating_sub(similar.last) > AGGREGATE_INTERVAL {
            similar.messages.clear();
        }
        similar.messages.insert(message.to_owned());
        similar.last = now;
        let (key, message): (EventKey, String) = if similar.messages.len() < AGGREGATE_MAX_EVENTS {
            (
                (aggregate_key, Some(message.to_owned())),
                message.to_owned(),
            )
        } else {
            similar.messages.pop_first();
            (
                (aggregate_key, None),
                format!("(combined from similar events): {message}"),
            )
        };
        // Observe: a repeat counts on the event seen before, even when not written.
        let counter = &mut self.counter;
        let salt = &self.salt;
        let observed = self.observed.entry(key).or_insert_with(|| {
            *counter += 1;
            Observed {
                name: format!("{}.{salt}{:016x}", involved.name, *counter),
                count: 0,
                first: time.clone(),
            }
        });
        observed.count += 1;
        let correlated = Correlated {
            name: observed.name.clone(),
            count: observed.count,
            first: observed.first.clone(),
            message,
        };
        // Filter: each source and object may write 25 events, then one per five minutes.
        let bucket = self
            .buckets
            .entry((component.to_owned(), involved.uid.clone()))
            .or_insert(Bucket {
                tokens: SPAM_BURST,
                refilled: now,
            });
        bucket.try_accept(now).then_some(correlated)
    }
}

/// The Event to create for a correlated event first written at `time`.
pub fn new_event(
    involved: &Involved,
    type_: &str,
    reason: &str,
    component: &str,
    correlated: Correlated,
    time: Time,
) -> Event {
    Event {
        metadata: ObjectMeta {
            name: Some(correlated.name),
            namespace: Some(involved.namespace.clone()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some(involved.kind.api_version().into()),
            kind: Some(involved.kind.as_str().into()),
            name: Some(involved.name.clone()),
            namespace: Some(involved.namespace.clone()),
            uid: Some(involved.uid.clone()),
            ..Default::default()
        },
        type_: Some(type_.into()),
        reason: Some(reason.into()),
        message: Some(correlated.message),
        count: Some(correlated.count),
        first_timestamp: Some(correlated.first),
        last_timestamp: Some(time),
        source: Some(EventSource {
            component: Some(component.into()),
            host: None,
        }),
        reporting_component: Some(component.into()),
        ..Default::default()
    }
}

impl Cluster {
    /// Records an event (`Normal` or `Warning`) about `involved` from `component`.
    pub fn record_event(
        &mut self,
        involved: &Involved,
        type_: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let now = self.now();
        let time = self.now_time();
        let Some(correlated) = self
            .events
            .correlate(now, &time, involved, type_, reason, message, component)
        else {
            return;
        };
        if let Some(Object::Event(mut event)) =
            self.get_object(Kind::Event, &involved.namespace, &correlated.name)
        {
            event.count = Some(correlated.count);
            event.message = Some(correlated.message);
            event.last_timestamp = Some(time);
            event.metadata.resource_version = None;
            let _ = self.update(Object::Event(event));
            return;
        }
        let event = new_event(involved, type_, reason, component, correlated, time);
        let _ = self.create(Object::Event(Box::new(event)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;

    fn involved() -> Involved {
        Involved {
            kind: Kind::StatefulSet,
            namespace: "default".into(),
            name: "web".into(),
            uid: "set-uid".into(),
        }
    }

    fn events(c: &Cluster) -> Vec<(String, i32)> {
        c.store()
            .list(Kind::Event, Some("default"))
            .filter_map(|o| match o.as_ref() {
                Object::Event(e) => Some((e.message.clone()?, e.count?)),
                _ => None,
            })
            .collect()
    }

    fn create(c: &mut Cluster, pod: usize) {
        let message = format!("create Pod web-{pod} in StatefulSet web successful");
        c.record_event(
            &involved(),
            "Normal",
            "SuccessfulCreate",
            &message,
            "statefulset-controller",
        );
    }

    #[test]
    fn evt_01_similar_events_aggregate_from_the_tenth_message() {
        let mut c = Cluster::new(ClusterConfig::default());
        for pod in 0..12 {
            create(&mut c, pod);
        }
        let events = events(&c);
        assert_eq!(events.len(), 10, "{events:?}");
        assert!(events.contains(&("create Pod web-8 in StatefulSet web successful".into(), 1)));
        assert!(
            events.contains(&(
                "(combined from similar events): create Pod web-11 in StatefulSet web successful"
                    .into(),
                3
            ))
        );
    }

    #[test]
    fn evt_01_repeats_count_and_the_spam_filter_allows_25_then_one_per_five_minutes() {
        let mut c = Cluster::new(ClusterConfig::default());
        for _ in 0..30 {
            create(&mut c, 0);
        }
        assert_eq!(
            events(&c),
            [("create Pod web-0 in StatefulSet web successful".into(), 25)]
        );
        c.run_for(Duration::from_secs(299)).unwrap();
        create(&mut c, 0);
        assert_eq!(events(&c)[0].1, 25, "no token yet after 299 s");
        c.run_for(Duration::from_secs(2)).unwrap();
        create(&mut c, 0);
        assert_eq!(
            events(&c)[0].1,
            32,
            "a refilled token writes the count observed meanwhile"
        );
    }
}
