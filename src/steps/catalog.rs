//! The step catalogue behind `stsconform steps`: every step pattern with its one-line
//! meaning (the `///` line above its definition) and an example, read from the step
//! sources compiled into the binary, so the catalogue cannot drift from the code.

/// One documented step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepDoc {
    /// `Given`, `When` or `Then`.
    pub keyword: &'static str,
    /// The cucumber expression.
    pub pattern: String,
    /// What the step means.
    pub meaning: String,
    /// The pattern with typical values filled in.
    pub example: String,
    /// The concept file it lives in.
    pub group: &'static str,
}

const SOURCES: &[(&str, &str)] = &[
    ("objects", include_str!("objects.rs")),
    ("pods", include_str!("pods.rs")),
    ("rollout", include_str!("rollout.rs")),
    ("status", include_str!("status.rs")),
    ("storage", include_str!("storage.rs")),
    ("network", include_str!("network.rs")),
    ("api", include_str!("api.rs")),
    ("snapshots", include_str!("../runner/snapshot.rs")),
    ("identity and storage", include_str!("ext_identity.rs")),
    ("rollout", include_str!("ext_rollout.rs")),
    ("api and tutorial", include_str!("ext_api.rs")),
];

/// Fills parameters with typical values.
pub fn example(pattern: &str) -> String {
    let mut out = pattern
        .replace("{string}", "\"web\"")
        .replace("{int}", "3")
        .replace("{pods}", "web-0, web-1 and web-2")
        .replace("{seconds}", "30")
        .replace("{word}", "rev2")
        .replace("{propagation}", "Orphan")
        .replace("\\(", "(")
        .replace("\\)", ")");
    // Optional text `replica(s)`: show the plural; alternatives `is/are`: the first.
    for (from, to) in [("(s)", "s"), ("(es)", "es"), ("is/are", "are")] {
        out = out.replace(from, to);
    }
    out
}

/// Every step defined in the step library, in source order.
pub fn steps() -> Vec<StepDoc> {
    let mut out = Vec::new();
    for (group, source) in SOURCES {
        let mut doc: Vec<&str> = Vec::new();
        let mut pending: Option<String> = None;
        for line in source.lines() {
            let line = line.trim();
            // rustfmt may wrap a long attribute over several lines: gather it first.
            let attribute = match pending.take() {
                Some(mut partial) => {
                    partial.push_str(line);
                    partial
                }
                None if ["#[given(", "#[when(", "#[then("]
                    .iter()
                    .any(|p| line.starts_with(p)) =>
                {
                    line.to_owned()
                }
                None => {
                    if let Some(text) = line.strip_prefix("///") {
                        doc.push(text.trim());
                    } else if line.starts_with("async fn")
                        || line.starts_with("fn ")
                        || line.is_empty()
                    {
                        doc.clear();
                    }
                    continue;
                }
            };
            if !attribute.ends_with(")]") {
                pending = Some(attribute);
                continue;
            }
            let keyword = ["given", "when", "then"]
                .into_iter()
                .find(|k| attribute.starts_with(&format!("#[{k}(")));
            let (Some(keyword), Some(start), Some(end)) =
                (keyword, attribute.find('"'), attribute.rfind('"'))
            else {
                continue;
            };
            if end <= start {
                continue;
            }
            let pattern = attribute[start + 1..end].replace("\\\\", "\\");
            out.push(StepDoc {
                keyword: match keyword {
                    "given" => "Given",
                    "when" => "When",
                    _ => "Then",
                },
                example: example(&pattern),
                pattern,
                meaning: doc.join(" "),
                group,
            });
        }
    }
    out
}

/// The catalogue as text: grouped, one step a paragraph.
pub fn render() -> String {
    let mut out = String::new();
    let mut group = "";
    for s in steps() {
        if s.group != group {
            group = s.group;
            out.push_str(&format!("\n## {group}\n\n"));
        }
        out.push_str(&format!("{} {}\n", s.keyword, s.pattern));
        if !s.meaning.is_empty() {
            out.push_str(&format!("    {}\n", s.meaning));
        }
        out.push_str(&format!("    e.g. {} {}\n", s.keyword, s.example));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_documented_once() {
        let steps = steps();
        assert!(steps.len() > 50, "found {} steps", steps.len());
        let undocumented: Vec<_> = steps
            .iter()
            .filter(|s| s.meaning.is_empty())
            .map(|s| &s.pattern)
            .collect();
        assert!(
            undocumented.is_empty(),
            "steps without a /// meaning: {undocumented:#?}"
        );
        let mut seen = std::collections::BTreeSet::new();
        for s in &steps {
            assert!(
                seen.insert((s.keyword, s.pattern.clone())),
                "duplicate step {} {}",
                s.keyword,
                s.pattern
            );
        }
    }

    #[test]
    fn examples_fill_every_parameter() {
        for s in steps() {
            assert!(
                !s.example.contains('{'),
                "{} leaves a parameter: {}",
                s.pattern,
                s.example
            );
        }
    }
}
