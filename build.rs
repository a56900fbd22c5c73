//! Embeds every `features/*.feature` and every `snapshots/*.snap` into the binary, so an
//! installed `stsconform run` checks the same scenarios against the same reference
//! timelines anywhere, without the source tree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files of `dir` ending in `.extension`, sorted by name.
fn files_of(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == extension))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A `&[(key, include_str!(file))]` constant named `name`.
fn table(name: &str, doc: &str, entries: &[(String, PathBuf)]) -> String {
    let mut out = format!("/// {doc}\npub const {name}: &[(&str, &str)] = &[\n");
    for (key, file) in entries {
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            out,
            "    ({key:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
        println!("cargo::rerun-if-changed={}", file.display());
    }
    out.push_str("];\n");
    out
}

fn write(name: &str, text: &str) {
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join(name);
    if let Err(e) = std::fs::write(&dest, text) {
        println!("cargo::warning=failed to write {}: {e}", dest.display());
    }
}

fn main() {
    println!("cargo::rerun-if-changed=features");
    println!("cargo::rerun-if-changed=snapshots");
    let features: Vec<(String, PathBuf)> = files_of("features", "feature")
        .into_iter()
        .map(|f| (f.display().to_string().replace('\\', "/"), f))
        .collect();
    write(
        "embedded_features.rs",
        &table(
            "EMBEDDED",
            "Feature files compiled into the binary: (path, text).",
            &features,
        ),
    );
    // Keyed by snapshot name and sorted, so a lookup is a binary search.
    let mut snapshots: Vec<(String, PathBuf)> = files_of("snapshots", "snap")
        .into_iter()
        .filter_map(|f| {
            let stem = f.file_stem()?.to_string_lossy().into_owned();
            Some((stem, f))
        })
        .collect();
    snapshots.sort();
    write(
        "embedded_snapshots.rs",
        &table(
            "EMBEDDED_SNAPSHOTS",
            "Reference timeline snapshots compiled into the binary: (name, file text), sorted by name.",
            &snapshots,
        ),
    );
}
