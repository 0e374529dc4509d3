//! Markdown as Jekyll's default kramdown (GFM input) would mostly render
//! it, sanitized: for the edit form's preview and the API's `format=html`.
//! Heading ids follow kramdown's `generate_id` (ASCII only, as kramdown
//! without `transliterated_header_ids`).
//!
//! Matched: paragraphs, headings with kramdown's automatic ids (and
//! `{#id}` after a heading), emphasis, links, images, lists, task lists,
//! block quotes, fenced and indented code, tables, strikethrough,
//! footnotes, definition lists and smart quotes. Not matched (pulldown-cmark
//! has no such syntax): kramdown's attribute lists on other blocks
//! (`{: .class}` is shown as text), abbreviations, math blocks, and
//! Markdown inside HTML blocks (`markdown="1"`). Liquid (`{{ }}`, `{% %}`)
//! is never run: it is shown as written.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Where the ids of headings start, so a preview's ids never clash with
/// the page around it (`None`: the ids kramdown would write).
#[derive(Debug, Clone, Copy)]
pub enum Ids {
    AsKramdown,
    Prefixed(&'static str),
}

/// `body` as sanitized HTML: no scripts, no event handlers, no
/// `javascript:` links, and only safe elements and attributes.
pub fn to_html(body: &str, ids: Ids) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST;
    let events: Vec<Event<'_>> = Parser::new_ext(body, options).collect();
    // kramdown's auto_ids: each heading without an id gets one made from
    // its text, made unique with -1, -2...
    let mut out = Vec::with_capacity(events.len());
    let mut used = std::collections::HashSet::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let base = match id {
                    Some(id) => id.to_string(),
                    None => kramdown_id(&text),
                };
                let mut unique = base.clone();
                let mut n = 0;
                while !used.insert(unique.clone()) {
                    n += 1;
                    unique = format!("{base}-{n}");
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(unique.into()),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            e => out.push(e.clone()),
        }
        i += 1;
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    let mut clean = ammonia::Builder::default();
    clean.add_generic_attributes(["id"]);
    clean.add_tag_attributes("input", ["type", "checked", "disabled"]);
    clean.add_tags(["input"]);
    if let Ids::Prefixed(prefix) = ids {
        clean.id_prefix(Some(prefix));
    }
    clean.clean(&html).to_string()
}

/// kramdown's automatic id (`generate_id`): what comes before the first
/// ASCII letter dropped, then everything but ASCII letters, digits, spaces
/// and `-`, spaces to `-`, lower case; `section` when nothing is left.
fn kramdown_id(text: &str) -> String {
    let start = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let id: String = text[start..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .map(|c| {
            if c == ' ' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if id.is_empty() { "section".into() } else { id }
}

/// `body` as the words a reader sees: Markdown's marks and link addresses
/// gone, blocks separated by a space (what search indexes and quotes).
pub fn plain_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    for event in Parser::new_ext(body, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Rule => space(&mut out),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kramdown_and_sanitizes() {
        let html = to_html(
            "# Hello *you*\n\n## Hello you\n\nSee {{ site.title }} and {% include x.html %}.\n\n<script>alert(1)</script>\n\n<a href=\"javascript:x\" onclick=\"y\">l</a>\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\"quoted\" ~~old~~\n",
            Ids::AsKramdown,
        );
        assert!(
            html.contains("<h1 id=\"hello-you\">Hello <em>you</em></h1>"),
            "{html}"
        );
        assert!(html.contains("<h2 id=\"hello-you-1\">"), "{html}");
        assert!(html.contains("{{ site.title }}"));
        assert!(html.contains("{% include x.html %}"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("onclick"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>old</del>"));
        assert!(
            html.contains("\u{201c}quoted\u{201d}"),
            "smart quotes: {html}"
        );
        assert!(html.contains("type=\"checkbox\""), "{html}");
        let preview = to_html("# Top", Ids::Prefixed("preview-"));
        assert!(preview.contains("id=\"preview-top\""), "{preview}");
    }

    #[test]
    fn ids_follow_kramdown() {
        assert_eq!(kramdown_id("1. Introduction à l'IA"), "introduction--lia");
        assert_eq!(kramdown_id("!!!"), "section");
        assert_eq!(kramdown_id("Hello World"), "hello-world");
    }
}
