//! The CLI's commands as library functions: each takes parsed arguments, does the work and
//! returns what to print plus an exit code, so `main.rs` stays a thin shell and every
//! command is testable without spawning a process.

pub mod bench;
pub mod controller;
pub mod docs;
pub mod gate;
pub mod simulate;
pub mod validate;

use crate::model::manifest::{self, Document, ManifestError};
use std::path::Path;

/// Documented exit codes.
pub mod exit {
    /// Everything passed.
    pub const OK: i32 = 0;
    /// A check failed: invalid objects, failing scenarios, zero selected scenarios.
    pub const FAILED: i32 = 1;
    /// The command could not run: unreadable files, bad arguments, malformed input.
    pub const ERROR: i32 = 2;
}

/// Failures that stop a command before it can check anything.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A file could not be read.
    #[error("failed to read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A manifest did not parse.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The input was understood but cannot be used (e.g. no objects at all).
    #[error("{0}")]
    Input(String),
}

/// Reads and parses manifest files, `-` meaning standard input.
///
/// # Errors
/// [`CommandError::Read`] or [`CommandError::Manifest`], naming the file.
pub fn load_files(paths: &[String]) -> Result<Vec<(String, Vec<Document>)>, CommandError> {
    let mut out = Vec::new();
    for path in paths {
        let text = if path == "-" {
            std::io::read_to_string(std::io::stdin()).map_err(|source| CommandError::Read {
                path: "<stdin>".into(),
                source,
            })?
        } else {
            std::fs::read_to_string(Path::new(path)).map_err(|source| CommandError::Read {
                path: path.clone(),
                source,
            })?
        };
        let docs = manifest::parse_manifests(path, &text)?;
        out.push((path.clone(), docs));
    }
    Ok(out)
}

/// Parses durations written like `500ms`, `2s`, `1.5s`, `3m` or `1h`.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: write it like 500ms, 2s, 1.5s, 3m or 1h"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" | "" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration {s:?}: unknown unit {unit:?} (use ms, s, m or h)"
            ));
        }
    };
    if !seconds.is_finite() || !(0.0..=1e9).contains(&seconds) {
        return Err(format!("invalid duration {s:?}: out of range"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// An async runtime for a command (`multi_thread` for servers, one thread for the
/// runner, whose scenarios are CPU-bound and deterministic anyway).
///
/// # Errors
/// The I/O error of a runtime that cannot start, worded for the user.
pub fn runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("failed to start the async runtime: {e}"))
}
