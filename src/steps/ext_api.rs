//! Steps added for the api features (see the module list in `steps/mod.rs`).

#[allow(unused_imports)]
use super::{StepResult, StsWorld};
