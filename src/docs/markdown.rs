//! Markdown for the site (feature descriptions, catalogue entries and titles) rendered with
//! pulldown-cmark; raw HTML in the source is shown as text, never passed through.

use pulldown_cmark::{Event, Options, Parser, html};

/// Renders Markdown as HTML blocks.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        // Feature files and the catalogue are not trusted to carry markup.
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// Renders one line of Markdown (a title) without the surrounding paragraph.
pub fn inline(markdown: &str) -> String {
    let html = to_html(markdown);
    let trimmed = html.trim_end();
    trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .unwrap_or(trimmed)
        .to_owned()
}

/// Removes the indentation Gherkin descriptions carry, so Markdown sees its own structure
/// (a line indented by the feature's two spaces is not a code block).
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Plain text of a line of Markdown (for search and tooltips).
pub fn plain(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_lists_and_code_and_escapes_html() {
        let html = to_html("Where:\n* `a` is <b>bold</b>\n* b");
        assert!(
            html.contains("<li><code>a</code> is &lt;b&gt;bold&lt;/b&gt;</li>"),
            "{html}"
        );
    }

    #[test]
    fn titles_render_inline() {
        assert_eq!(
            inline("Pod name is `<set>-<n>`"),
            "Pod name is <code>&lt;set&gt;-&lt;n&gt;</code>"
        );
        assert_eq!(plain("Pod name is `<set>`"), "Pod name is <set>");
    }

    #[test]
    fn gherkin_indentation_is_removed_but_nesting_kept() {
        assert_eq!(dedent("  Intro\n  * a\n    more\n"), "Intro\n* a\n  more");
    }
}
