//! API-level rules shared by the simulation and the HTTP API: object kinds, names and
//! ordinals, label selectors, the store's compact encoding, defaulting, validation, manifest
//! loading, and the vocabulary every target speaks (API errors, DNS records, change types,
//! pod predicates judged from the API definition).

pub mod api_error;
pub mod behaviour;
pub mod change;
pub mod compact;
pub mod defaults;
pub mod dns;
pub mod fixtures;
pub mod manifest;
pub mod names;
pub mod object;
pub mod oracle;
pub mod patch;
pub mod pod_record;
pub mod pod_state;
pub mod selector;
pub mod validation;

/// The reason of the Warning Events `serve`'s invariant monitor records when the controller
/// under test breaks one of upstream's invariants; a scenario that saw one fails.
pub const INVARIANT_VIOLATED: &str = "InvariantViolated";
