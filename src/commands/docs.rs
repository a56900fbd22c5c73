//! `stsconform docs`: writes the living-documentation site (see [`crate::docs`]) and tells
//! the user where it is and what in it needs their attention.

use crate::docs::{self, DocsError, DocsOptions};

/// What to print.
#[derive(Debug, Clone)]
pub struct Printed {
    /// For stdout: where the site is.
    pub lines: Vec<String>,
    /// For stderr: uncovered guarantees, reference failures, unmatched results.
    pub notes: Vec<String>,
}

/// Writes the site.
///
/// # Errors
/// Unreadable features or results files, a folder that cannot be written (see [`DocsError`]).
pub fn docs(options: &DocsOptions) -> Result<Printed, DocsError> {
    let report = docs::build(options)?;
    let index = report.out.join("index.html");
    let mut notes = report.notes;
    if !report.uncovered.is_empty() {
        notes.insert(
            0,
            format!(
                "{} catalogue guarantee(s) have no scenario yet: {}",
                report.uncovered.len(),
                report.uncovered.join(", ")
            ),
        );
    }
    Ok(Printed {
        lines: vec![
            format!(
                "wrote {} files to {} ({} scenarios, {} guarantees)",
                report.files,
                report.out.display(),
                report.scenarios,
                report.guarantees
            ),
            format!("open {}", index.display()),
        ],
        notes,
    })
}
