//! Syntax highlighting for step docstrings (YAML manifests, JSON patches): keys, strings,
//! numbers and booleans, comments and document separators become `<span>`s with classes;
//! everything is HTML-escaped. A line it does not understand is shown as plain text.

use regex::Regex;
use std::sync::LazyLock;

static KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(\s*(?:-\s+)*)("[^"]*"|'[^']*'|[A-Za-z0-9_.\-/$]+)(\s*:)(\s|$)(.*)$"#)
        .expect("valid regex")
});
static SCALAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?:"[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false|null|~)[,\]}]*\s*$"#)
        .expect("valid regex")
});

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value after `key:` or `- `.
fn value(v: &str) -> String {
    let trimmed = v.trim();
    if trimmed.is_empty() {
        return escape(v);
    }
    if let Some(pos) = v.find(" #") {
        let (before, comment) = v.split_at(pos);
        return format!(
            "{}<span class=\"c\">{}</span>",
            value(before),
            escape(comment)
        );
    }
    if SCALAR.is_match(trimmed) {
        let class = if trimmed.starts_with(['"', '\'']) {
            "s"
        } else {
            "n"
        };
        let lead = &v[..v.len() - v.trim_start().len()];
        return format!(
            "{}<span class=\"{class}\">{}</span>",
            escape(lead),
            escape(v.trim_start())
        );
    }
    format!("<span class=\"v\">{}</span>", escape(v))
}

/// Highlights a docstring line by line.
pub fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            out.push_str(&format!("<span class=\"c\">{}</span>", escape(line)));
        } else if trimmed == "---" || trimmed == "..." {
            out.push_str(&format!("<span class=\"d\">{}</span>", escape(line)));
        } else if let Some(caps) = KEY.captures(line) {
            out.push_str(&escape(&caps[1]));
            out.push_str(&format!("<span class=\"k\">{}</span>", escape(&caps[2])));
            out.push_str(&escape(&caps[3]));
            out.push_str(&escape(&caps[4]));
            out.push_str(&value(&caps[5]));
        } else if let Some(rest) = trimmed.strip_prefix("- ") {
            let lead = &line[..line.len() - trimmed.len()];
            out.push_str(&escape(lead));
            out.push_str("- ");
            out.push_str(&value(rest));
        } else {
            out.push_str(&escape(line));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_comments_get_classes() {
        let html = highlight(
            "apiVersion: v1\n# note\n---\nspec:\n  replicas: 3\n  - name: \"a<b\"\n  image: x # why",
        );
        assert_eq!(
            html,
            "<span class=\"k\">apiVersion</span>: <span class=\"v\">v1</span>\n\
             <span class=\"c\"># note</span>\n\
             <span class=\"d\">---</span>\n\
             <span class=\"k\">spec</span>:\n  \
             <span class=\"k\">replicas</span>: <span class=\"n\">3</span>\n  \
             - <span class=\"k\">name</span>: <span class=\"s\">&quot;a&lt;b&quot;</span>\n  \
             <span class=\"k\">image</span>: <span class=\"v\">x</span><span class=\"c\"> # why</span>"
        );
    }

    #[test]
    fn json_keys_are_keys_and_markup_is_escaped() {
        let html = highlight(r#"{"op": "replace", "value": 2}"#);
        assert!(html.contains("&quot;op&quot;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert_eq!(highlight("<script>"), "&lt;script&gt;");
    }
}
