//! Which Kubernetes release (and feature-gate set) the reference cluster behaves like, and
//! the feature gates the harness knows: their names, release defaults and `NAME=BOOL` syntax
//! (shared by `serve --feature-gates`, `run --gate` and the cluster's `/metrics`).

/// The Kubernetes minor release whose behaviour is modelled, and gate overrides.
///
/// The baseline is 1.36 with `MaxUnavailableStatefulSet` off, as in upstream 1.36.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// Kubernetes minor version (1.`minor`), e.g. 36.
    pub minor: u32,
    /// Feature gate `MaxUnavailableStatefulSet` (MU-01).
    pub max_unavailable_stateful_set: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            minor: 36,
            max_unavailable_stateful_set: false,
        }
    }
}

impl Behaviour {
    /// OnDelete rollouts complete (currentRevision advances) from 1.36 on (OND-03).
    pub fn on_delete_completes(&self) -> bool {
        self.minor >= 36
    }

    /// `revisionHistoryLimit` became mutable (and named in the immutable-field message) in 1.33.
    pub fn revision_history_limit_mutable(&self) -> bool {
        self.minor >= 33
    }
}

/// The feature gates the harness knows, with the release from which each is on by default
/// (None: off by default in every release modelled).
pub const GATES: [(&str, Option<u32>); 1] = [
    // MU-01: on in 1.35.0-1.35.3 only, off again from 1.35.4 and in 1.36.
    ("MaxUnavailableStatefulSet", None),
];

/// Whether `gate` is on by default in release 1.`minor`.
pub fn gate_default(gate: &str, minor: u32) -> bool {
    GATES
        .iter()
        .find(|(g, _)| *g == gate)
        .and_then(|(_, since)| *since)
        .is_some_and(|since| minor >= since)
}

/// Parses one `NAME=true|false`, as `--feature-gates` and `--gate` take them.
///
/// # Errors
/// A message naming the known gates, or saying what the value must be.
pub fn parse_gate(s: &str) -> Result<(String, bool), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected NAME=true or NAME=false"))?;
    if !GATES.iter().any(|(g, _)| *g == name) {
        let known: Vec<&str> = GATES.iter().map(|(g, _)| *g).collect();
        return Err(format!(
            "unknown feature gate {name:?}; known: {}",
            known.join(", ")
        ));
    }
    let value = value
        .parse()
        .map_err(|_| format!("{s:?}: the value must be true or false"))?;
    Ok((name.to_owned(), value))
}

/// The gates a Prometheus text exposition reports as `kubernetes_feature_enabled{name="…"} 0|1`
/// (kube-apiserver's `/metrics` since 1.26), restricted to the gates the harness knows.
pub fn gates_from_metrics(metrics: &str) -> Vec<(String, bool)> {
    metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("kubernetes_feature_enabled{")?;
            let (labels, value) = rest.split_once('}')?;
            let name = labels.split(',').find_map(|l| {
                l.trim()
                    .strip_prefix("name=\"")
                    .and_then(|v| v.strip_suffix('"'))
            })?;
            GATES.iter().any(|(g, _)| *g == name).then(|| {
                let on = value.trim().parse::<f64>().is_ok_and(|v| v > 0.0);
                (name.to_owned(), on)
            })
        })
        .collect()
}

/// The `/metrics` lines reporting `behaviour`'s gates, as kube-apiserver writes them.
pub fn metrics_for(behaviour: &Behaviour) -> String {
    let mut out = String::from(
        "# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.\n# TYPE kubernetes_feature_enabled gauge\n",
    );
    let on = u8::from(behaviour.max_unavailable_stateful_set);
    out.push_str(&format!(
        "kubernetes_feature_enabled{{name=\"MaxUnavailableStatefulSet\",stage=\"BETA\"}} {on}\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_parse_and_unknown_ones_are_named() {
        assert_eq!(
            parse_gate("MaxUnavailableStatefulSet=true"),
            Ok(("MaxUnavailableStatefulSet".into(), true))
        );
        assert!(
            parse_gate("Nope=true")
                .unwrap_err()
                .contains("known: MaxUnavailableStatefulSet")
        );
        assert!(parse_gate("MaxUnavailableStatefulSet=yes").is_err());
        assert!(parse_gate("MaxUnavailableStatefulSet").is_err());
    }

    #[test]
    fn metrics_report_the_gates_and_read_back() {
        let on = Behaviour {
            max_unavailable_stateful_set: true,
            ..Behaviour::default()
        };
        assert_eq!(
            gates_from_metrics(&metrics_for(&on)),
            vec![("MaxUnavailableStatefulSet".to_owned(), true)]
        );
        assert_eq!(
            gates_from_metrics(&metrics_for(&Behaviour::default())),
            vec![("MaxUnavailableStatefulSet".to_owned(), false)]
        );
        let upstream = "kubernetes_feature_enabled{name=\"AllAlpha\",stage=\"ALPHA\"} 0\nkubernetes_feature_enabled{name=\"MaxUnavailableStatefulSet\",stage=\"ALPHA\"} 1\nother 1\n";
        assert_eq!(
            gates_from_metrics(upstream),
            vec![("MaxUnavailableStatefulSet".to_owned(), true)]
        );
    }
}
