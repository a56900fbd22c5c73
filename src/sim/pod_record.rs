//! The pod record the simulation's components read lives in [`crate::model::pod_record`]
//! (the reference controller's sync reads it over any backend); re-exported here for the
//! simulation's modules.

pub use crate::model::pod_record::*;
