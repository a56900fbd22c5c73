//! HTML for the site model: minijinja templates (compiled into the binary) filled page by
//! page, plus the stylesheet and the filter script, written into the output folder.

use super::catalogue::is_id;
use super::site::Site;
use super::timeline_svg::{self, State};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use std::path::{Path, PathBuf};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("index.html", include_str!("templates/index.html")),
    ("feature.html", include_str!("templates/feature.html")),
    ("scenario.html", include_str!("templates/scenario.html")),
    ("steps.html", include_str!("templates/steps.html")),
];

const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("assets/style.css")),
    ("filter.js", include_str!("assets/filter.js")),
];

/// Failures while writing the site.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template did not compile or render (a defect of the templates, not of the input).
    #[error("failed to render {page}: {source:#}")]
    Template {
        page: String,
        #[source]
        source: minijinja::Error,
    },
    /// A file could not be written.
    #[error("failed to write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(serde::Serialize)]
struct LegendEntry {
    swatch: String,
    label: &'static str,
}

#[derive(Debug, serde::Serialize)]
struct GlossaryGroup {
    name: &'static str,
    steps: Vec<crate::steps::catalog::StepDoc>,
}

fn environment() -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|source| RenderError::Template {
                page: (*name).to_owned(),
                source,
            })?;
    }
    env.add_test("guarantee_id", |tag: &str| is_id(tag));
    let legend: Vec<LegendEntry> = State::ALL
        .iter()
        .map(|s| LegendEntry {
            swatch: timeline_svg::swatch(*s),
            label: s.label(),
        })
        .collect();
    env.add_global("legend_states", Value::from(Serde(legend)));
    Ok(env)
}

/// The glossary's groups in catalogue order, each step once.
fn glossary() -> Vec<GlossaryGroup> {
    let mut groups: Vec<GlossaryGroup> = Vec::new();
    for step in crate::steps::catalog::steps() {
        match groups.iter_mut().find(|g| g.name == step.group) {
            Some(g) => g.steps.push(step),
            None => groups.push(GlossaryGroup {
                name: step.group,
                steps: vec![step],
            }),
        }
    }
    groups
}

fn write(dir: &Path, name: &str, content: &str) -> Result<PathBuf, RenderError> {
    let path = dir.join(name);
    std::fs::write(&path, content).map_err(|source| RenderError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
}

/// Writes the whole site into `dir` (created if missing); returns the files written.
///
/// # Errors
/// [`RenderError::Write`] naming the file; [`RenderError::Template`] for a template defect.
pub fn write_site(site: &Site, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    std::fs::create_dir_all(dir).map_err(|source| RenderError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    let env = environment()?;
    let render = |template: &str, page: &str, ctx: Value| {
        env.get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|source| RenderError::Template {
                page: page.to_owned(),
                source,
            })
    };
    let mut written = Vec::new();
    for (name, content) in ASSETS {
        written.push(write(dir, name, content)?);
    }
    let defs = timeline_svg::defs();
    let html = render("index.html", "index.html", context! { site => Serde(site) })?;
    written.push(write(dir, "index.html", &html)?);
    let html = render(
        "steps.html",
        "steps.html",
        context! { groups => Serde(glossary()) },
    )?;
    written.push(write(dir, "steps.html", &html)?);
    for feature in &site.features {
        let html = render(
            "feature.html",
            &feature.page,
            context! { feature => Serde(feature), defs => &defs },
        )?;
        written.push(write(dir, &feature.page, &html)?);
    }
    for scenario in site.scenarios() {
        let html = render(
            "scenario.html",
            &scenario.page,
            context! { s => Serde(scenario), defs => &defs },
        )?;
        written.push(write(dir, &scenario.page, &html)?);
    }
    Ok(written)
}
