//! Run results for the site: the Cucumber JSON that `stsconform run --json` writes (on any
//! target), read into one pass/fail/skip outcome per scenario, keyed by feature file name
//! and scenario line so a report from another checkout or folder still matches.

use std::path::{Path, PathBuf};

/// A scenario's outcome on one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Skipped,
    Failed,
}

impl Outcome {
    /// The worse of two outcomes: failed over skipped over passed.
    fn worst(self, other: Outcome) -> Outcome {
        self.max(other)
    }

    /// Cucumber's step status words: undefined and pending steps did not run, which a
    /// report counts as skipped; ambiguous steps fail.
    fn from_status(status: &str) -> Outcome {
        match status {
            "passed" => Outcome::Passed,
            "failed" | "ambiguous" => Outcome::Failed,
            _ => Outcome::Skipped,
        }
    }
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioResult {
    /// The feature file's name (`tutorial.feature`), without its folder.
    pub file: String,
    /// The scenario's line in that file.
    pub line: usize,
    /// The scenario's name as the report gives it (a rule's name may precede it).
    pub name: String,
    pub outcome: Outcome,
    /// The first line of the first failing step's error.
    pub message: Option<String>,
}

/// Every scenario result of one report, for one target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetResults {
    /// The target's name: given as `NAME=FILE`, else the file's stem.
    pub target: String,
    pub scenarios: Vec<ScenarioResult>,
}

impl TargetResults {
    /// The result of the scenario at `file:line`.
    pub fn find(&self, file: &str, line: usize) -> Option<&ScenarioResult> {
        self.scenarios
            .iter()
            .find(|s| s.line == line && s.file == file)
    }
}

/// Failures to read a results file.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read.
    #[error("failed to read results file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not Cucumber JSON.
    #[error(
        "failed to read results file {path}: line {line}, column {column}, at `{field}`: {message} (expected the Cucumber JSON that `stsconform run --json FILE` writes)"
    )]
    Json {
        path: String,
        line: usize,
        column: usize,
        field: String,
        message: String,
    },
    /// `NAME=FILE` with an empty name.
    #[error("invalid --results {0:?}: write FILE.json or NAME=FILE.json with a non-empty NAME")]
    Argument(String),
}

/// A `--results` argument: `FILE.json` (target named after the file) or `NAME=FILE.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsSource {
    pub target: String,
    pub path: PathBuf,
}

impl std::str::FromStr for ResultsSource {
    type Err = ResultsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // A path may itself hold `=`; only a name made of name characters counts as one.
        if let Some((name, path)) = s.split_once('=')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            if name.is_empty() || path.is_empty() {
                return Err(ResultsError::Argument(s.to_owned()));
            }
            return Ok(ResultsSource {
                target: name.to_owned(),
                path: PathBuf::from(path),
            });
        }
        let path = PathBuf::from(s);
        let target = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ResultsError::Argument(s.to_owned()))?;
        Ok(ResultsSource { target, path })
    }
}

#[derive(serde::Deserialize)]
struct JsonFeature {
    uri: Option<String>,
    #[serde(default)]
    elements: Vec<JsonElement>,
}

#[derive(serde::Deserialize)]
struct JsonElement {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    name: String,
    line: usize,
    #[serde(default)]
    before: Vec<JsonStep>,
    #[serde(default)]
    steps: Vec<JsonStep>,
    #[serde(default)]
    after: Vec<JsonStep>,
}

#[derive(serde::Deserialize)]
struct JsonStep {
    result: JsonResult,
}

#[derive(serde::Deserialize)]
struct JsonResult {
    status: String,
    error_message: Option<String>,
}

/// The outcome and first error of a list of steps.
fn judge<'a>(steps: impl Iterator<Item = &'a JsonStep>) -> (Outcome, Option<String>) {
    let mut outcome = Outcome::Passed;
    let mut message = None;
    for step in steps {
        let this = Outcome::from_status(&step.result.status);
        if this == Outcome::Failed && message.is_none() {
            message = step
                .result
                .error_message
                .as_deref()
                .and_then(|m| m.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().to_owned());
        }
        outcome = outcome.worst(this);
    }
    (outcome, message)
}

/// Reads one report.
///
/// # Errors
/// [`ResultsError::Read`], or [`ResultsError::Json`] naming line, column and field.
pub fn read(source: &ResultsSource) -> Result<TargetResults, ResultsError> {
    let path = source.path.display().to_string();
    let text = std::fs::read_to_string(&source.path).map_err(|e| ResultsError::Read {
        path: path.clone(),
        source: e,
    })?;
    parse(&source.target, &path, &text)
}

/// Parses one report's text; `path` only names it in errors.
///
/// # Errors
/// [`ResultsError::Json`] naming line, column and field.
pub fn parse(target: &str, path: &str, text: &str) -> Result<TargetResults, ResultsError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let features: Vec<JsonFeature> = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        ResultsError::Json {
            path: path.to_owned(),
            line: inner.line(),
            column: inner.column(),
            field,
            message: inner.to_string(),
        }
    })?;
    let mut scenarios = Vec::new();
    for feature in features {
        let file = feature
            .uri
            .as_deref()
            .map(|u| file_name(Path::new(u)))
            .unwrap_or_default();
        // Cucumber reports a scenario's Background as its own element just before it.
        let mut background: Option<(Outcome, Option<String>)> = None;
        for element in feature.elements {
            let steps = element
                .before
                .iter()
                .chain(&element.steps)
                .chain(&element.after);
            let (outcome, message) = judge(steps);
            if element.keyword == "Background" {
                background = Some((outcome, message));
                continue;
            }
            let (outcome, message) = match background.take() {
                Some((bg, bg_message)) => (bg.worst(outcome), bg_message.or(message)),
                None => (outcome, message),
            };
            scenarios.push(ScenarioResult {
                file: file.clone(),
                line: element.line,
                name: element.name,
                outcome,
                message,
            });
        }
    }
    Ok(TargetResults {
        target: target.to_owned(),
        scenarios,
    })
}

/// A path's last component as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"[
      {"uri": "features/tutorial.feature", "keyword": "Feature", "name": "T", "elements": [
        {"keyword": "Background", "type": "background", "line": 78, "name": "r 1",
         "steps": [{"keyword": "Given ", "line": 30, "name": "x", "result": {"status": "passed"}}]},
        {"keyword": "Scenario", "type": "scenario", "line": 78, "name": "r 1",
         "steps": [{"keyword": "Then ", "line": 80, "name": "y",
                    "result": {"status": "failed", "error_message": "\nexpected web-1\nmore"}}]},
        {"keyword": "Background", "type": "background", "line": 85, "name": "r 2",
         "steps": [{"keyword": "Given ", "line": 30, "name": "x", "result": {"status": "failed", "error_message": "bg broke"}}]},
        {"keyword": "Scenario", "type": "scenario", "line": 85, "name": "r 2",
         "steps": [{"keyword": "Then ", "line": 86, "name": "y", "result": {"status": "skipped"}}]},
        {"keyword": "Scenario", "type": "scenario", "line": 90, "name": "r 3",
         "steps": [{"keyword": "Then ", "line": 91, "name": "y", "result": {"status": "undefined"}}]},
        {"keyword": "Scenario", "type": "scenario", "line": 95, "name": "r 4",
         "steps": [{"keyword": "Then ", "line": 96, "name": "y", "result": {"status": "passed"}}]}
      ]}
    ]"#;

    #[test]
    fn outcomes_merge_backgrounds_and_keep_the_first_error_line() {
        let r = parse("kind", "r.json", REPORT).expect("parses");
        let got: Vec<(usize, Outcome, Option<&str>)> = r
            .scenarios
            .iter()
            .map(|s| (s.line, s.outcome, s.message.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (78, Outcome::Failed, Some("expected web-1")),
                (85, Outcome::Failed, Some("bg broke")),
                (90, Outcome::Skipped, None),
                (95, Outcome::Passed, None),
            ]
        );
        assert_eq!(
            r.find("tutorial.feature", 95).map(|s| s.name.as_str()),
            Some("r 4")
        );
    }

    #[test]
    fn a_malformed_report_names_the_field() {
        let err = parse(
            "kind",
            "r.json",
            r#"[{"uri": "a", "elements": [{"line": "x"}]}]"#,
        )
        .expect_err("line must be a number");
        let text = err.to_string();
        assert!(text.contains("r.json"), "{text}");
        assert!(text.contains("at `[0].elements[0].line`"), "{text}");
    }

    #[test]
    fn results_arguments_name_their_target() {
        let plain: ResultsSource = "out/kind.json".parse().expect("plain");
        assert_eq!(plain.target, "kind");
        let named: ResultsSource = "my-controller=out/r.json".parse().expect("named");
        assert_eq!(named.target, "my-controller");
        assert_eq!(named.path, PathBuf::from("out/r.json"));
        assert!("=r.json".parse::<ResultsSource>().is_err());
    }
}
