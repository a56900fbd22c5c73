//! `stsconform docs`: the living documentation as a static site. The feature files and the
//! guarantee catalogue become pages (an index with the catalogue, the scenarios and the
//! documentation errata; a page per feature and per scenario; the step glossary), every
//! scenario's pod timeline from a reference run is drawn as an SVG chart, and Cucumber
//! JSON reports from any target add pass/fail/skip per scenario and a guarantee × target
//! matrix. No server and no network: open `index.html`.

pub mod catalogue;
pub mod markdown;
pub mod reference_run;
pub mod render;
pub mod results;
pub mod site;
pub mod timeline_svg;
pub mod yaml;

use crate::runner::{RunError, RunOptions, sources};
use std::path::PathBuf;

pub use results::ResultsSource;

/// What to document and where.
#[derive(Debug, Clone, Default)]
pub struct DocsOptions {
    /// Feature files or folders; empty means the features compiled into the binary.
    pub paths: Vec<PathBuf>,
    /// The folder to write.
    pub out: PathBuf,
    /// Cucumber JSON reports, one per target.
    pub results: Vec<ResultsSource>,
}

/// What `docs` did.
#[derive(Debug, Clone)]
pub struct DocsReport {
    pub out: PathBuf,
    pub files: usize,
    pub scenarios: usize,
    pub guarantees: usize,
    /// Catalogue ids no scenario carries.
    pub uncovered: Vec<String>,
    /// Warnings for the user: scenarios that failed on the reference cluster, results that
    /// match no scenario.
    pub notes: Vec<String>,
}

/// Failures that stop `docs`.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// The features could not be read or parsed.
    #[error(transparent)]
    Features(#[from] RunError),
    /// The compiled-in catalogue is malformed (a defect of the build).
    #[error("failed to read the guarantee catalogue (spec/guarantees.md): {0}")]
    Catalogue(#[from] catalogue::CatalogueError),
    /// A results file could not be read.
    #[error(transparent)]
    Results(#[from] results::ResultsError),
    /// The site could not be written.
    #[error(transparent)]
    Render(#[from] render::RenderError),
    /// The async runtime did not start.
    #[error("{0}")]
    Runtime(String),
}

/// Builds the site model: parses features, catalogue and reports, runs every scenario on
/// the reference cluster for its timeline.
///
/// # Errors
/// See [`DocsError`].
pub fn build_site(options: &DocsOptions) -> Result<site::Site, DocsError> {
    let catalogue = catalogue::Catalogue::embedded()?;
    let results = options
        .results
        .iter()
        .map(results::read)
        .collect::<Result<Vec<_>, _>>()?;
    let run_options = RunOptions {
        paths: options.paths.clone(),
        ..RunOptions::default()
    };
    let features: Vec<_> = sources::load(&run_options)?
        .into_iter()
        .map(|(_, f)| f)
        .collect();
    let runtime = crate::commands::runtime(false).map_err(DocsError::Runtime)?;
    let captures = runtime.block_on(reference_run::run(features.clone()));
    let mut site = site::build(&features, &catalogue, &captures, &results);
    let failed: Vec<String> = site
        .scenarios()
        .filter(|s| s.reference_passed == Some(false))
        .map(|s| format!("{}:{} {}", s.file, s.line, s.name))
        .collect();
    if !failed.is_empty() {
        site.notes.push(format!(
            "{} scenario(s) failed on the reference cluster; their charts show how far they got: {}",
            failed.len(),
            failed.join("; ")
        ));
    }
    Ok(site)
}

/// Builds the site and writes it to `options.out`.
///
/// # Errors
/// See [`DocsError`].
pub fn build(options: &DocsOptions) -> Result<DocsReport, DocsError> {
    let site = build_site(options)?;
    let files = render::write_site(&site, &options.out)?;
    Ok(DocsReport {
        out: options.out.clone(),
        files: files.len(),
        scenarios: site.scenario_count,
        guarantees: site.guarantee_count,
        uncovered: site.uncovered.clone(),
        notes: site.notes.clone(),
    })
}
