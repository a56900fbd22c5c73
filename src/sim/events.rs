//! The event recorder: `Event` objects on the StatefulSet, aggregated like client-go's
//! recorder does (a repeat of the same reason and message bumps `count`) (EVT-01).

use super::Cluster;
use crate::model::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::HashMap;

/// Remembers which event object carries which (object, type, reason, message).
#[derive(Debug, Default)]
pub struct Recorder {
    seen: HashMap<(String, String, String, String, String), String>,
    counter: u64,
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
        let key = (
            involved.uid.clone(),
            type_.to_owned(),
            reason.to_owned(),
            message.to_owned(),
            component.to_owned(),
        );
        let time = self.now_time();
        if let Some(name) = self.events.seen.get(&key).cloned()
            && let Some(Object::Event(mut event)) =
                self.get_object(Kind::Event, &involved.namespace, &name)
        {
            event.count = Some(event.count.unwrap_or(1) + 1);
            event.last_timestamp = Some(time);
            event.metadata.resource_version = None;
            let _ = self.update(Object::Event(event));
            return;
        }
        self.events.counter += 1;
        let name = format!("{}.{:016x}", involved.name, self.events.counter);
        let event = Event {
            metadata: ObjectMeta {
                name: Some(name.clone()),
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
            message: Some(message.into()),
            count: Some(1),
            first_timestamp: Some(time.clone()),
            last_timestamp: Some(time),
            source: Some(EventSource {
                component: Some(component.into()),
                host: None,
            }),
            reporting_component: Some(component.into()),
            ..Default::default()
        };
        if self.create(Object::Event(event)).is_ok() {
            self.events.seen.insert(key, name);
        }
    }
}
