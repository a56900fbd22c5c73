//! Embeds every `features/*.feature` into the binary, so an installed `stsconform run`
//! works anywhere without the source tree.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=features");
    let mut files: Vec<_> = std::fs::read_dir("features")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "feature"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// Feature files compiled into the binary: (path, text).\npub const EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        let path = file.display().to_string().replace('\\', "/");
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            out,
            "    ({path:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
        println!("cargo::rerun-if-changed={path}");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
        .join("embedded_features.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo::warning=failed to write {}: {e}", dest.display());
    }
}
