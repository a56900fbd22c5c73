//! The guarantee catalogue (`spec/guarantees.md`, compiled into the binary): its areas,
//! guarantees (id, title, Markdown body, what the Kubernetes docs say about it) and the
//! documentation errata, each erratum tied to the guarantee ids it names.

use regex::Regex;
use std::sync::LazyLock;

/// The catalogue the binary documents, a copy of the shared spec kept in the repository so
/// the binary works from any folder (`tests/docs.rs` holds it to the shared original).
pub const CATALOGUE: &str = include_str!("../../spec/guarantees.md");

/// One area of the catalogue (`## 4. OrderedReady creation, scaling and blocking (ORD)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Area {
    /// The heading without its number: `OrderedReady creation, scaling and blocking`.
    pub title: String,
    /// The id prefix: `ORD`.
    pub code: String,
    pub guarantees: Vec<Guarantee>,
}

/// One checkable guarantee (`#### ORD-01 · Ascending, one-at-a-time creation`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Guarantee {
    pub id: String,
    /// The title as Markdown (it may hold code spans).
    pub title: String,
    /// The entry's bullets, as Markdown.
    pub body: String,
    /// What the Kubernetes docs say: `Y` stated, `P` partly, `N` not, `C` contradicted.
    pub docs_state: Option<char>,
}

/// A statement of the Kubernetes docs that upstream code contradicts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erratum {
    /// The bullet as Markdown.
    pub text: String,
    /// The guarantee ids it names.
    pub ids: Vec<String>,
}

/// The parsed catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Catalogue {
    pub areas: Vec<Area>,
    pub errata: Vec<Erratum>,
}

/// Failures to read a catalogue.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A guarantee heading appeared before any area heading.
    #[error("line {line}: guarantee {id} comes before any `## N. Area (CODE)` heading")]
    GuaranteeOutsideArea { line: usize, id: String },
    /// The same id twice.
    #[error("line {line}: guarantee {id} is listed twice")]
    Duplicate { line: usize, id: String },
    /// Nothing found at all.
    #[error("the catalogue lists no guarantee (`#### ID-01 · title` headings)")]
    Empty,
}

static AREA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^## \d+\.\s+(.+?)\s+\(([A-Z]+)\)\s*$").expect("valid regex"));
static GUARANTEE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#### ([A-Z]+-\d+) · (.+?)\s*$").expect("valid regex"));
static DOCS_STATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bSeed: ([YPNC])\b").expect("valid regex"));
/// A guarantee id as tags and prose write it.
pub static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z]{2,3}-\d{2})\b").expect("valid regex"));

static WHOLE_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z]{2,3}-\d{2}$").expect("valid regex"));

/// Whether a tag (without `@`) has the shape of a guarantee id.
pub fn is_id(tag: &str) -> bool {
    WHOLE_ID.is_match(tag)
}

/// Where the parser is.
enum Section {
    Other,
    Area,
    Guarantee,
    Errata,
}

impl Catalogue {
    /// The catalogue compiled into the binary.
    ///
    /// # Errors
    /// A malformed catalogue (see [`Catalogue::parse`]).
    pub fn embedded() -> Result<Catalogue, CatalogueError> {
        Catalogue::parse(CATALOGUE)
    }

    /// Reads a catalogue in the shape of `spec/guarantees.md`.
    ///
    /// # Errors
    /// [`CatalogueError`] naming the line of a misplaced or duplicate guarantee.
    pub fn parse(text: &str) -> Result<Catalogue, CatalogueError> {
        let mut catalogue = Catalogue::default();
        let mut section = Section::Other;
        let mut seen = std::collections::BTreeSet::new();
        for (index, line) in text.lines().enumerate() {
            if let Some(caps) = AREA.captures(line) {
                catalogue.areas.push(Area {
                    title: caps[1].to_owned(),
                    code: caps[2].to_owned(),
                    guarantees: Vec::new(),
                });
                section = Section::Area;
            } else if let Some(caps) = GUARANTEE.captures(line) {
                let id = caps[1].to_owned();
                let Some(area) = catalogue.areas.last_mut() else {
                    return Err(CatalogueError::GuaranteeOutsideArea {
                        line: index + 1,
                        id,
                    });
                };
                if !seen.insert(id.clone()) {
                    return Err(CatalogueError::Duplicate {
                        line: index + 1,
                        id,
                    });
                }
                area.guarantees.push(Guarantee {
                    id,
                    title: caps[2].to_owned(),
                    body: String::new(),
                    docs_state: None,
                });
                section = Section::Guarantee;
            } else if line.starts_with("## ") && line.to_lowercase().contains("errata") {
                section = Section::Errata;
            } else if line.starts_with('#') || line.trim() == "---" {
                section = Section::Other;
            } else {
                match section {
                    Section::Guarantee => {
                        if let Some(g) = catalogue
                            .areas
                            .last_mut()
                            .and_then(|a| a.guarantees.last_mut())
                        {
                            g.body.push_str(line);
                            g.body.push('\n');
                            if let Some(caps) = DOCS_STATE.captures(line) {
                                g.docs_state = caps[1].chars().next();
                            }
                        }
                    }
                    Section::Errata => {
                        if let Some(bullet) = line.strip_prefix("* ") {
                            catalogue.errata.push(Erratum {
                                text: bullet.to_owned(),
                                ids: ID.captures_iter(bullet).map(|c| c[1].to_owned()).collect(),
                            });
                        } else if line.starts_with("  ")
                            && let Some(last) = catalogue.errata.last_mut()
                        {
                            last.text.push(' ');
                            last.text.push_str(line.trim());
                            last.ids = ID
                                .captures_iter(&last.text)
                                .map(|c| c[1].to_owned())
                                .collect();
                        }
                    }
                    Section::Area | Section::Other => {}
                }
            }
        }
        if seen.is_empty() {
            return Err(CatalogueError::Empty);
        }
        // Areas without guarantees (none today) would only be empty sections on the index.
        catalogue.areas.retain(|a| !a.guarantees.is_empty());
        Ok(catalogue)
    }

    /// Every guarantee, in catalogue order.
    pub fn guarantees(&self) -> impl Iterator<Item = &Guarantee> {
        self.areas.iter().flat_map(|a| a.guarantees.iter())
    }

    /// The errata that name `id`.
    pub fn errata_for(&self, id: &str) -> Vec<&Erratum> {
        self.errata
            .iter()
            .filter(|e| e.ids.iter().any(|i| i == id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Title
## How to read this file
#### NOT-01 · ignored: no area yet? no, this is an error
";

    #[test]
    fn the_embedded_catalogue_has_every_area_and_the_tutorial_errata() {
        let c = Catalogue::embedded().expect("the embedded catalogue parses");
        let codes: Vec<&str> = c.areas.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes.first(), Some(&"ID"));
        assert!(
            codes.contains(&"UPD") && codes.contains(&"EVT"),
            "{codes:?}"
        );
        let ord01 = c
            .guarantees()
            .find(|g| g.id == "ORD-01")
            .expect("ORD-01 is catalogued");
        assert_eq!(ord01.title, "Ascending, one-at-a-time creation");
        assert_eq!(ord01.docs_state, Some('Y'));
        assert!(ord01.body.contains("Trigger: OrderedReady set"));
        let upd08 = c.errata_for("UPD-08");
        assert_eq!(upd08.len(), 1, "{:?}", c.errata);
        assert!(upd08[0].text.starts_with("Tutorial 3.1"));
    }

    #[test]
    fn a_guarantee_before_any_area_names_its_line() {
        let err = Catalogue::parse(SAMPLE).expect_err("no area yet");
        assert_eq!(
            err.to_string(),
            "line 3: guarantee NOT-01 comes before any `## N. Area (CODE)` heading"
        );
    }

    #[test]
    fn a_duplicate_id_is_an_error() {
        let text = "## 1. A (A)\n#### A-01 · one\n#### A-01 · again\n";
        let err = Catalogue::parse(text).expect_err("duplicate");
        assert_eq!(err.to_string(), "line 3: guarantee A-01 is listed twice");
    }

    #[test]
    fn errata_bullets_collect_their_ids_and_continuation_lines() {
        let text = "## 1. A (A)\n#### AB-01 · one\n- Seed: C.\n## Seed errata\n* wrong (AB-01,\n  AB-02)\n";
        let c = Catalogue::parse(text).expect("parses");
        assert_eq!(c.errata.len(), 1);
        assert_eq!(c.errata[0].ids, vec!["AB-01", "AB-02"]);
        assert_eq!(c.errata[0].text, "wrong (AB-01, AB-02)");
        assert_eq!(c.areas[0].guarantees[0].docs_state, Some('C'));
    }
}
