//! API-level rules shared by the simulation and the HTTP API: object kinds, names and
//! ordinals, label selectors, the store's compact encoding, defaulting, validation and manifest loading.

pub mod behaviour;
pub mod compact;
pub mod defaults;
pub mod manifest;
pub mod names;
pub mod object;
pub mod patch;
pub mod selector;
pub mod validation;
