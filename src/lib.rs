//! stsconform: a conformance harness and spec checker for Kubernetes StatefulSet semantics.
//!
//! The crate is split one concept a module: [`model`] holds the API-level rules (names,
//! selectors, defaulting, validation, manifests), [`sim`] the reference cluster with its
//! reference StatefulSet controller, [`target`] the seam every feature step talks to, and
//! [`timeline`] the pod timelines that scenarios snapshot.

pub mod api;
pub mod commands;
pub mod controller;
pub mod docs;
pub mod kubeclient;
pub mod model;
pub mod runner;
pub mod sim;
pub mod steps;
pub mod targets;
pub mod timeline;
