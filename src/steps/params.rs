//! Typed step parameters: pod lists (`web-0, web-1 and web-2`), durations in seconds,
//! pod management policies and delete propagation policies.

use cucumber::Parameter;
use std::str::FromStr;
use std::time::Duration;

/// A list of names written `a`, `a and b` or `a, b and c` (an Oxford comma is fine).
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(
    name = "pods",
    regex = r"[a-z0-9][a-z0-9.-]*(?:(?:, and |, | and )[a-z0-9][a-z0-9.-]*)*"
)]
pub struct PodList(pub Vec<String>);

impl FromStr for PodList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names = s
            .replace(", and ", ",")
            .replace(" and ", ",")
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        Ok(PodList(names))
    }
}

/// A duration written as a number of seconds (`30`, `1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Parameter)]
#[param(name = "seconds", regex = r"\d+(?:\.\d+)?")]
pub struct Seconds(pub Duration);

impl FromStr for Seconds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<f64>()
            .map(|v| Seconds(Duration::from_secs_f64(v)))
            .map_err(|e| e.to_string())
    }
}

/// A delete propagation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Parameter)]
#[param(name = "propagation", regex = "Background|Foreground|Orphan")]
pub struct PropagationParam(pub crate::model::api_error::Propagation);

impl FromStr for PropagationParam {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::model::api_error::Propagation::parse(s)
            .map(PropagationParam)
            .ok_or_else(|| format!("unknown propagation policy {s}"))
    }
}
