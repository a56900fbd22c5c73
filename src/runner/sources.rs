//! Where features come from: the files compiled into the binary, or paths on disk; parsed
//! once with gherkin, errors naming the file and line.

use super::{RunError, RunOptions};
use cucumber::gherkin::{self, GherkinEnv};
use futures::stream;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_features.rs"));

/// A feature file: its path and text.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: String,
    pub text: String,
}

/// The features compiled into the binary.
pub fn embedded() -> Vec<Source> {
    EMBEDDED
        .iter()
        .map(|(path, text)| Source {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), RunError> {
    let read = |source| RunError::Read {
        path: path.display().to_string(),
        source,
    };
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(read)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "feature") {
                collect(&entry, out)?;
            }
        }
        Ok(())
    } else {
        std::fs::metadata(path).map_err(read)?;
        out.push(path.to_path_buf());
        Ok(())
    }
}

/// Reads the sources the options name (embedded ones when no path is given).
///
/// # Errors
/// [`RunError::Read`] naming the path.
pub fn sources(options: &RunOptions) -> Result<Vec<Source>, RunError> {
    if options.paths.is_empty() {
        return Ok(embedded());
    }
    let mut files = Vec::new();
    for p in &options.paths {
        collect(p, &mut files)?;
    }
    files
        .into_iter()
        .map(|f| {
            std::fs::read_to_string(&f)
                .map(|text| Source {
                    path: f.display().to_string(),
                    text,
                })
                .map_err(|source| RunError::Read {
                    path: f.display().to_string(),
                    source,
                })
        })
        .collect()
}

/// Parses one source.
///
/// # Errors
/// [`RunError::Parse`] with the file name and gherkin's message (which names the line).
pub fn parse(source: &Source) -> Result<gherkin::Feature, RunError> {
    let mut feature = gherkin::Feature::parse(&source.text, GherkinEnv::default())
        .map_err(|e| RunError::Parse(format!("{}: invalid Gherkin: {e}", source.path)))?;
    feature.path = Some(PathBuf::from(&source.path));
    // A scenario without steps checks nothing; it is a mistake, not a pass.
    let empty = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()))
        .find(|s| s.steps.is_empty());
    if let Some(scenario) = empty {
        return Err(RunError::Parse(format!(
            "{}:{}: scenario {:?} has no steps (a misspelt keyword makes lines plain description)",
            source.path, scenario.position.line, scenario.name
        )));
    }
    // Scenario Outlines become one scenario per Examples row, as cucumber's own parser does.
    use cucumber::feature::Ext as _;
    feature
        .expand_examples()
        .map_err(|e| RunError::Parse(format!("{}: {e}", source.path)))
}

/// Reads and parses every selected source.
///
/// # Errors
/// The first unreadable or unparsable file.
pub fn load(options: &RunOptions) -> Result<Vec<(String, gherkin::Feature)>, RunError> {
    sources(options)?
        .iter()
        .map(|s| parse(s).map(|f| (s.path.clone(), f)))
        .collect()
}

/// A cucumber parser over features parsed beforehand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Preparsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for Preparsed {
    type Cli = cucumber::cli::Empty;
    type Output = stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Vec<gherkin::Feature>, _: Self::Cli) -> Self::Output {
        stream::iter(input.into_iter().map(Ok).collect::<Vec<_>>())
    }
}
