//! What a request asks for, decoded leniently: query parameters, the response format the
//! `Accept` header negotiates (plain JSON, server-side `Table`, `PartialObjectMetadata`)
//! and the media type of a body.

use super::status::StatusError;
use std::collections::HashMap;

/// Decoded query parameters (`a=1&b=x%3Dy`); the first value of a repeated key wins.
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Query {
        let mut params = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params.entry(percent_decode(k)).or_insert(percent_decode(v));
        }
        Query { params }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// Whether `key` is `true` or `1`.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    /// An integer parameter.
    ///
    /// # Errors
    /// 400 when the value is not an integer.
    pub fn int(&self, key: &str) -> Result<Option<i64>, StatusError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                StatusError::bad_request(format!("invalid value {v:?} for parameter {key}"))
            }),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding: `%XX` escapes and `+` as space.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The representation a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The objects themselves.
    Json,
    /// A `meta.k8s.io` `Table` of that version (`v1` or `v1beta1`).
    Table(&'static str),
    /// `PartialObjectMetadata` (or its list) of that version.
    Metadata(&'static str),
}

impl Format {
    /// The Content-Type of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Table("v1beta1") => "application/json;as=Table;v=v1beta1;g=meta.k8s.io",
            Format::Table(_) => "application/json;as=Table;v=v1;g=meta.k8s.io",
            Format::Metadata(_) => "application/json",
        }
    }
}

/// One media range of an Accept header: `type/subtype` plus lower-cased parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRange {
    /// `application/json`, `*/*`, …
    pub essence: String,
    /// Parameters (`as`, `v`, `g`, `q`, …).
    pub params: Vec<(String, String)>,
}

impl MediaRange {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an Accept (or Content-Type) header into media ranges, in order.
pub fn media_ranges(header: &str) -> Vec<MediaRange> {
    header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let essence = parts.next()?.trim().to_ascii_lowercase();
            if essence.is_empty() {
                return None;
            }
            let params = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    Some((
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_owned(),
                    ))
                })
                .collect();
            Some(MediaRange { essence, params })
        })
        .collect()
}

/// Picks the response format from an Accept header; `None` when nothing offered is served.
pub fn negotiate(accept: Option<&str>) -> Option<Format> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Format::Json);
    };
    for range in media_ranges(accept) {
        if range.param("q") == Some("0") {
            continue;
        }
        let json_like = matches!(
            range.essence.as_str(),
            "application/json" | "application/*" | "*/*"
        );
        if !json_like {
            continue;
        }
        let version = match range.param("v") {
            Some("v1beta1") => "v1beta1",
            Some("v1") | None => "v1",
            Some(_) => continue,
        };
        match (range.param("as"), range.param("g")) {
            (None, _) => return Some(Format::Json),
            (Some("Table"), Some("meta.k8s.io")) => return Some(Format::Table(version)),
            (Some("PartialObjectMetadata" | "PartialObjectMetadataList"), Some("meta.k8s.io")) => {
                return Some(Format::Metadata(version));
            }
            _ => continue,
        }
    }
    None
}

/// The media type (essence) of a Content-Type header.
pub fn essence(content_type: Option<&str>) -> String {
    content_type
        .and_then(|c| media_ranges(c).into_iter().next())
        .map(|r| r.essence)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decodes_selectors() {
        let q = Query::parse(Some(
            "labelSelector=app%3Dnginx&limit=500&x=a+b&watch=true&bad=%zz",
        ));
        assert_eq!(q.get("labelSelector"), Some("app=nginx"));
        assert_eq!(q.int("limit").unwrap(), Some(500));
        assert_eq!(q.get("x"), Some("a b"));
        assert!(q.flag("watch"));
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert!(Query::parse(Some("limit=x")).int("limit").is_err());
    }

    #[test]
    fn kubectl_accept_headers_negotiate() {
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(negotiate(Some(table)), Some(Format::Table("v1")));
        assert_eq!(negotiate(Some("application/json, */*")), Some(Format::Json));
        assert_eq!(negotiate(None), Some(Format::Json));
        assert_eq!(negotiate(Some("application/vnd.kubernetes.protobuf")), None);
        assert_eq!(
            negotiate(Some("application/json;as=Foo;g=x;v=v1,application/json")),
            Some(Format::Json)
        );
    }
}
