//! All YAML knowledge lives here: parsing a YAML mapping into values that
//! remember where they came from in the source, and writing scalars so that
//! both YAML 1.1 (Ruby's Psych, which Jekyll uses) and YAML 1.2 read them back
//! as the editor meant.
//!
//! Nothing here re-serializes a document: callers splice the text this module
//! renders into the bytes of the original file.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::ops::Range;

/// Deeper nesting than this is refused: no real front matter needs it, and it
/// keeps hostile input cheap to reject.
const MAX_DEPTH: usize = 64;
/// Upper bound on parser events, so a hostile document is refused quickly.
const MAX_EVENTS: usize = 200_000;

/// A YAML value as read from the source, with byte ranges into that source.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar; `style` tells how it was written.
    Scalar {
        value: String,
        style: Style,
        span: Range<usize>,
    },
    Sequence {
        items: Vec<Node>,
        flow: bool,
        span: Range<usize>,
    },
    Mapping {
        entries: Vec<(String, Node)>,
        /// Each entry's key text, in the same order as `entries`.
        keys: Vec<Range<usize>>,
        flow: bool,
        span: Range<usize>,
    },
    /// A reference to an anchor (`*name`): kept as written, never edited.
    /// `target` is the anchored value's text, for display.
    Alias {
        span: Range<usize>,
        target: Option<Range<usize>>,
    },
}

/// How a scalar was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Node {
    /// The byte range of the value's text. Block collections end at the end of
    /// their last content, not at the line that follows them.
    pub fn span(&self) -> Range<usize> {
        match self {
            Node::Scalar { span, .. }
            | Node::Sequence { span, .. }
            | Node::Mapping { span, .. }
            | Node::Alias { span, .. } => span.clone(),
        }
    }
}

/// One top-level key of a mapping and its value, with positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// Byte range of the key's text.
    pub key_span: Range<usize>,
    pub value: Node,
    /// The value carries an anchor or a tag: it is shown but never edited,
    /// so the document cannot be written in a way that breaks them.
    pub locked: bool,
}

/// Why a YAML text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line})")]
pub struct YamlError {
    pub message: String,
    /// 1-based line within the parsed text.
    pub line: usize,
}

/// The top level of a YAML text: a mapping, or nothing at all.
#[derive(Debug, Clone, PartialEq)]
pub struct TopLevel {
    pub entries: Vec<Entry>,
    /// The mapping is written in flow style (`{a: 1}`): readable, not editable.
    pub flow: bool,
}

/// Parses `src` as a single YAML document whose root is a mapping (or empty).
///
/// Refuses tags (`!ruby/object`, ...), duplicate top-level keys, non-string
/// keys at the top level, deep nesting and oversize event streams.
pub fn parse_top_level(src: &str) -> Result<TopLevel, YamlError> {
    let offsets = ByteOffsets::new(src);
    Builder::new(src, &offsets)?.top_level()
}

/// Parses `src` as a single YAML document of any shape (a data file whose
/// root is a list); `None` when it is empty. Same limits as
/// [`parse_top_level`].
pub fn parse_value(src: &str) -> Result<Option<Node>, YamlError> {
    let offsets = ByteOffsets::new(src);
    let mut builder = Builder::new(src, &offsets)?;
    loop {
        match builder.peek() {
            Some(Event::StreamStart | Event::DocumentStart(_) | Event::Nothing) => {
                builder.next()?;
            }
            None | Some(Event::StreamEnd | Event::DocumentEnd) => return Ok(None),
            Some(_) => return builder.node().map(|b| Some(b.node)),
        }
    }
}

/// The parser's events for `src`, bounded in depth and number.
fn events_of(src: &str) -> Result<Vec<(Event<'_>, Span)>, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut events: Vec<(Event<'_>, Span)> = Vec::new();
    let mut depth = 0usize;
    loop {
        let next = parser.next();
        let Some(item) = next else { break };
        let (event, span) = item.map_err(|e| YamlError {
            message: e.info().to_string(),
            line: e.marker().line(),
        })?;
        match &event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        line: span.start.line(),
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        if events.len() >= MAX_EVENTS {
            return Err(YamlError {
                message: "front matter is too large".into(),
                line: span.start.line(),
            });
        }
        let end = matches!(event, Event::StreamEnd);
        events.push((event, span));
        if end {
            break;
        }
    }
    Ok(events)
}

/// Converts the parser's character indexes into byte offsets.
struct ByteOffsets {
    /// `None` when the text is ASCII and indexes are already byte offsets.
    table: Option<Vec<usize>>,
}

impl ByteOffsets {
    fn new(src: &str) -> Self {
        if src.is_ascii() {
            return Self { table: None };
        }
        let mut table: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        table.push(src.len());
        Self { table: Some(table) }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index,
            Some(t) => t
                .get(char_index)
                .copied()
                .unwrap_or_else(|| t.last().copied().unwrap_or(0)),
        }
    }
}

struct Builder<'s, 'o> {
    src: &'s str,
    offsets: &'o ByteOffsets,
    events: Vec<(Event<'s>, Span)>,
    pos: usize,
    /// Anchor id -> the anchored value's text, so aliases can show it.
    anchors: std::collections::HashMap<usize, Range<usize>>,
}

impl<'s, 'o> Builder<'s, 'o> {
    /// A builder over `src`'s events (bounded as [`events_of`] says).
    fn new(src: &'s str, offsets: &'o ByteOffsets) -> Result<Self, YamlError> {
        Ok(Builder {
            src,
            offsets,
            events: events_of(src)?,
            pos: 0,
            anchors: std::collections::HashMap::new(),
        })
    }
}

/// A node with whether it carried an anchor or tag.
struct Built {
    node: Node,
    locked: bool,
}

impl<'s> Builder<'s, '_> {
    fn err(&self, message: impl Into<String>, span: &Span) -> YamlError {
        YamlError {
            message: message.into(),
            line: span.start.line(),
        }
    }

    fn next(&mut self) -> Result<(Event<'s>, Span), YamlError> {
        let item = self.events.get(self.pos).cloned().ok_or(YamlError {
            message: "unexpected end of YAML".into(),
            line: 0,
        })?;
        self.pos += 1;
        Ok(item)
    }

    fn peek(&self) -> Option<&Event<'s>> {
        self.events.get(self.pos).map(|(e, _)| e)
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.offsets.byte(span.start.index())..self.offsets.byte(span.end.index())
    }

    fn top_level(&mut self) -> Result<TopLevel, YamlError> {
        let mut result = TopLevel {
            entries: Vec::new(),
            flow: false,
        };
        let mut documents = 0;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => return Ok(result),
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(self.err("more than one YAML document", &span));
                    }
                    match self.peek() {
                        Some(Event::MappingStart(..)) => {
                            let (start, mspan) = self.next()?;
                            if let Event::MappingStart(anchor, tag) = start {
                                if tag.is_some() {
                                    return Err(self.err("tags are not supported", &mspan));
                                }
                                let _ = anchor;
                            }
                            result.flow = self.src[self.range(&mspan)].starts_with('{');
                            result.entries = self.top_entries()?;
                        }
                        Some(Event::DocumentEnd) => {}
                        Some(Event::Scalar(v, ScalarStyle::Plain, _, None)) if v.is_empty() => {
                            self.next()?;
                        }
                        _ => {
                            let (_, s) = self.next()?;
                            return Err(self.err("front matter must be a mapping of keys", &s));
                        }
                    }
                }
                other => {
                    return Err(self.err(format!("unexpected YAML event {other:?}"), &span));
                }
            }
        }
    }

    fn top_entries(&mut self) -> Result<Vec<Entry>, YamlError> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let (event, span) = self.next()?;
            let key = match event {
                Event::MappingEnd => return Ok(entries),
                Event::Scalar(key, _, _, None) => key.into_owned(),
                Event::Scalar(_, _, _, Some(_)) => {
                    return Err(self.err("tags are not supported", &span));
                }
                _ => return Err(self.err("only plain text keys are supported", &span)),
            };
            if !seen.insert(key.clone()) {
                return Err(self.err(format!("duplicate key `{key}`"), &span));
            }
            let key_span = self.range(&span);
            let built = self.node()?;
            entries.push(Entry {
                key,
                key_span,
                value: built.node,
                locked: built.locked,
            });
        }
    }

    /// Reads one node, iteratively bounded by `MAX_DEPTH` (checked while scanning).
    fn node(&mut self) -> Result<Built, YamlError> {
        let (event, span) = self.next()?;
        let range = self.range(&span);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() {
                    return Err(self.err("tags are not supported", &span));
                }
                let span = self.exact_end(range, style);
                if anchor != 0 {
                    self.anchors.insert(anchor, span.clone());
                }
                Ok(Built {
                    node: Node::Scalar {
                        value: value.into_owned(),
                        style: match style {
                            ScalarStyle::Plain => Style::Plain,
                            ScalarStyle::SingleQuoted => Style::SingleQuoted,
                            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                            ScalarStyle::Literal => Style::Literal,
                            ScalarStyle::Folded => Style::Folded,
                        },
                        span,
                    },
                    locked: anchor != 0,
                })
            }
            Event::Alias(id) => Ok(Built {
                node: Node::Alias {
                    span: range,
                    target: self.anchors.get(&id).cloned(),
                },
                locked: true,
            }),
            Event::SequenceStart(anchor, tag) => {
                if tag.is_some() {
                    return Err(self.err("tags are not supported", &span));
                }
                let flow = self.src[range.clone()].starts_with('[');
                let mut items = Vec::new();
                let mut locked = anchor != 0;
                let mut end = range.end;
                loop {
                    if matches!(self.peek(), Some(Event::SequenceEnd)) {
                        let (_, end_span) = self.next()?;
                        if flow {
                            end = self.range(&end_span).end;
                        }
                        break;
                    }
                    let item = self.node()?;
                    locked |= item.locked;
                    end = end.max(item.node.span().end);
                    items.push(item.node);
                }
                if anchor != 0 {
                    self.anchors.insert(anchor, range.start..end);
                }
                Ok(Built {
                    node: Node::Sequence {
                        items,
                        flow,
                        span: range.start..end,
                    },
                    locked,
                })
            }
            Event::MappingStart(anchor, tag) => {
                if tag.is_some() {
                    return Err(self.err("tags are not supported", &span));
                }
                let flow = self.src[range.clone()].starts_with('{');
                let mut entries = Vec::new();
                let mut keys = Vec::new();
                let mut locked = anchor != 0;
                let mut end = range.end;
                loop {
                    if matches!(self.peek(), Some(Event::MappingEnd)) {
                        let (_, end_span) = self.next()?;
                        if flow {
                            end = self.range(&end_span).end;
                        }
                        break;
                    }
                    let key = self.node()?;
                    let value = self.node()?;
                    locked |= key.locked | value.locked;
                    end = end.max(key.node.span().end).max(value.node.span().end);
                    keys.push(key.node.span());
                    let key_text = match key.node {
                        Node::Scalar { value, .. } => value,
                        _ => String::from("?"),
                    };
                    entries.push((key_text, value.node));
                }
                if anchor != 0 {
                    self.anchors.insert(anchor, range.start..end);
                }
                Ok(Built {
                    node: Node::Mapping {
                        entries,
                        keys,
                        flow,
                        span: range.start..end,
                    },
                    locked,
                })
            }
            other => Err(self.err(format!("unexpected YAML event {other:?}"), &span)),
        }
    }

    /// The parser's spans overshoot: a quoted scalar's runs over a comment
    /// after it, a block scalar's over its trailing blank lines. The value's
    /// text ends at its closing quote, or with its last line that has content.
    fn exact_end(&self, range: Range<usize>, style: ScalarStyle) -> Range<usize> {
        match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let end = closing_quote(self.src, range.start, style).unwrap_or(range.end);
                return range.start..end.min(range.end.max(end));
            }
            ScalarStyle::Plain => return range,
            ScalarStyle::Literal | ScalarStyle::Folded => {}
        }
        let text = &self.src[range.clone()];
        // End of the last line that has content, before its line break.
        let mut end = 0;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches('\n').trim_end_matches('\r');
            if !content.trim().is_empty() {
                end = offset + content.len();
            }
            offset += line.len();
        }
        // A block scalar's span starts at its content; its header (`|`, `>-`)
        // belongs to it, so widen back to the indicator.
        let before = &self.src[..range.start];
        let header_start = before
            .rfind(['|', '>'])
            .filter(|i| !before[*i..].contains(':'))
            .unwrap_or(range.start);
        header_start..range.start + end
    }
}

/// `text` without a leading anchor token (`&name `), for display.
pub fn without_anchor(text: &str) -> &str {
    match text.strip_prefix('&') {
        Some(rest) => rest
            .find(char::is_whitespace)
            .map_or("", |i| rest[i..].trim_start()),
        None => text,
    }
}

/// The offset just past the quote that closes the quoted scalar at `start`.
fn closing_quote(src: &str, start: usize, style: ScalarStyle) -> Option<usize> {
    let bytes = src.as_bytes();
    let quote = *bytes.get(start)?;
    let mut i = start + 1;
    while i < bytes.len() {
        match (style, bytes[i]) {
            (ScalarStyle::DoubleQuoted, b'\\') => i += 2,
            (ScalarStyle::SingleQuoted, b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            (_, b) if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// What a plain (unquoted) scalar resolves to in the YAML readers that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainMeaning {
    /// Both YAML 1.1 (Psych) and YAML 1.2 read it as this same string.
    String,
    Null,
    Bool,
    Number,
    /// `YYYY-MM-DD`: Jekyll reads a Date.
    Date,
    /// `YYYY-MM-DD HH:MM:SS` with optional fraction and zone: a Time.
    Timestamp,
    /// A timestamp or a sexagesimal number, or anything else that is not
    /// safely a string in one of the two readers.
    Other,
}

/// Classifies `text` as a plain scalar would be read. Errs on the side of
/// "not a string": quoting a string that did not need it is harmless.
pub fn plain_meaning(text: &str) -> PlainMeaning {
    if text.is_empty() || text == "~" {
        return PlainMeaning::Null;
    }
    let lower = text.to_ascii_lowercase();
    if lower == "null" {
        return PlainMeaning::Null;
    }
    if matches!(
        lower.as_str(),
        "yes" | "no" | "true" | "false" | "on" | "off" | "y" | "n"
    ) {
        return PlainMeaning::Bool;
    }
    if is_date(text) {
        return PlainMeaning::Date;
    }
    if is_number(text) {
        return PlainMeaning::Number;
    }
    if !is_safe_plain_string(text) {
        return PlainMeaning::Other;
    }
    PlainMeaning::String
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Integers and floats in any notation either reader accepts: decimal with
/// `_` or `,` separators, octal, hex, binary, exponents, `.inf`, `.nan`.
fn is_number(text: &str) -> bool {
    let t = text.strip_prefix(['+', '-']).unwrap_or(text);
    if t.is_empty() {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    let first = t.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'.') {
        return false;
    }
    // Everything a number, a time (`1:20`) or a timestamp can contain.
    t.bytes().all(|c| {
        c.is_ascii_hexdigit() || matches!(c, b'_' | b',' | b'.' | b':' | b'x' | b'X' | b'o' | b'O')
    }) || t
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'_' | b',' | b'.' | b'e' | b'E' | b'+' | b'-'))
}

/// True when `text` read as a plain scalar is that same string, in block
/// context, for both YAML 1.1 and 1.2.
fn is_safe_plain_string(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.trim() != text || text.contains(['\n', '\r', '\t']) {
        return false;
    }
    if text.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return false;
    }
    // Indicators that change the meaning of a plain scalar's first character.
    if "-?:,[]{}#&*!|>'\"%@`=<~.+\\".contains(first) {
        // `-`, `?`, `:` are fine when followed by a non-space in YAML 1.2, but
        // Psych reads `:x` as a symbol and `-1`-like text as numbers: quote.
        return false;
    }
    if first.is_ascii_digit() {
        // A number, date, time or version-like text (`1.2.3`, `1:20:30`) may be
        // read as something else by Psych; text with letters after a digit is
        // fine unless it could be a timestamp.
        let has_alpha = text
            .chars()
            .any(|c| c.is_alphabetic() && c != 'e' && c != 'E');
        if !has_alpha || text.contains(':') {
            return false;
        }
    }
    if text.contains(": ") || text.ends_with(':') || text.contains(" #") {
        return false;
    }
    true
}

/// How the caller would like a scalar quoted when it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Single,
    Double,
}

/// Renders `value` as an inline (single-line) scalar: plain when that reads
/// back as the same string, otherwise quoted with `preferred`. Returns `None`
/// when the value needs a block scalar (it has line breaks).
pub fn render_inline_string(value: &str, preferred: Quote, allow_plain: bool) -> Option<String> {
    if value.contains(['\n', '\r']) {
        return None;
    }
    if allow_plain && plain_meaning(value) == PlainMeaning::String {
        return Some(value.to_string());
    }
    let needs_double = value.chars().any(|c| c.is_control() || c == '\u{feff}');
    Some(match preferred {
        Quote::Single if !needs_double => format!("'{}'", value.replace('\'', "''")),
        _ => double_quoted(value),
    })
}

/// Block list items, one per line, each `indent` then `- `. An item equal to
/// one of `old` (items of the list being replaced, in `src`) keeps that
/// item's original text, so unchanged items keep their quoting.
pub fn render_block_list(
    items: &[String],
    old: &[Node],
    src: &str,
    indent: &str,
    eol: &str,
    quote: Quote,
) -> String {
    let mut used = vec![false; old.len()];
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(eol);
        }
        out.push_str(indent);
        out.push_str("- ");
        let reused = old.iter().enumerate().find_map(|(j, node)| match node {
            Node::Scalar { value, span, .. } if !used[j] && value == item => {
                used[j] = true;
                Some(src[span.clone()].to_string())
            }
            _ => None,
        });
        let text = reused.unwrap_or_else(|| {
            render_inline_string(item, quote, true).unwrap_or_else(|| double_quoted(item))
        });
        out.push_str(&text);
    }
    out
}

/// A flow list (`[a, b]`); items that flow syntax would misread are quoted.
pub fn render_flow_list(items: &[String], quote: Quote) -> String {
    let rendered: Vec<String> = items
        .iter()
        .map(|item| {
            if item.contains([',', '[', ']', '{', '}']) {
                double_quoted(item)
            } else {
                render_inline_string(item, quote, true).unwrap_or_else(|| double_quoted(item))
            }
        })
        .collect();
    format!("[{}]", rendered.join(", "))
}

/// A double-quoted scalar with every character that needs it escaped.
pub fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The type Jekyll reads an existing plain scalar as, judged precisely, so
/// an edit can keep it: only canonical spellings count as typed. Anything
/// else (`1.2.3`, `0042`, `y`) is treated as text, and edits to it are
/// written so that they read back as the text typed.
pub fn typed_meaning(text: &str) -> PlainMeaning {
    match plain_meaning(text) {
        PlainMeaning::Null => PlainMeaning::Null,
        PlainMeaning::Bool if is_bool_word(text) => PlainMeaning::Bool,
        PlainMeaning::Date if is_calendar_date(text) => PlainMeaning::Date,
        PlainMeaning::Number if is_canonical_number(text) => PlainMeaning::Number,
        _ if is_timestamp(text) => PlainMeaning::Timestamp,
        _ => PlainMeaning::String,
    }
}

/// The words Psych reads as booleans (any case).
fn is_bool_word(text: &str) -> bool {
    matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off"
    )
}

/// `YYYY-MM-DD[Tt ]HH:MM:SS[.fraction][ ][Z|+HH[:MM]|-HH[:MM]]`, as YAML 1.1 timestamps.
pub fn is_timestamp(text: &str) -> bool {
    if text.len() < 19 || !text.is_char_boundary(10) || !is_calendar_date(&text[..10]) {
        return false;
    }
    let rest = &text[10..];
    let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let b = rest.as_bytes();
    let hms = b.len() >= 8
        && b[2] == b':'
        && b[5] == b':'
        && b[..8]
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
    if !hms {
        return false;
    }
    let mut rest = &rest[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let rest = rest.trim_start_matches(' ');
    if rest.is_empty() || rest == "Z" {
        return true;
    }
    let Some(zone) = rest.strip_prefix(['+', '-']) else {
        return false;
    };
    let (h, m) = zone.split_once(':').unwrap_or((zone, "00"));
    (1..=2).contains(&h.len())
        && h.bytes().all(|c| c.is_ascii_digit())
        && m.len() == 2
        && m.bytes().all(|c| c.is_ascii_digit())
}

/// Renders a scalar that a plain reader would take as `meaning` (a date, a
/// number, a boolean), keeping that type when `value` is a canonical spelling
/// of it (`2022-01-31`, `42`, `-1.5`, `true`); anything else, `0042` or `1e3`
/// included, is written as a string.
pub fn render_typed(value: &str, meaning: PlainMeaning, preferred: Quote) -> Option<String> {
    let keeps_type = match meaning {
        PlainMeaning::Date => is_calendar_date(value),
        PlainMeaning::Number => is_canonical_number(value),
        PlainMeaning::Bool => is_bool_word(value),
        PlainMeaning::Timestamp => is_timestamp(value),
        PlainMeaning::Null | PlainMeaning::String | PlainMeaning::Other => false,
    };
    if keeps_type {
        return Some(value.to_string());
    }
    render_inline_string(value, preferred, true)
}

/// `YYYY-MM-DD` with a month and day that exist in some year.
pub fn is_calendar_date(value: &str) -> bool {
    if !is_date(value) {
        return false;
    }
    let month: u32 = value[5..7].parse().unwrap_or(0);
    let day: u32 = value[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`: read as the same number by every reader.
fn is_canonical_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let int_ok = int == "0"
        || (!int.is_empty() && !int.starts_with('0') && int.bytes().all(|b| b.is_ascii_digit()));
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    int_ok && frac_ok
}

/// Renders a multi-line string as a literal block scalar (`|` header, then
/// lines indented by `indent` spaces joined with `eol`). A value that ends in
/// two or more line breaks, or is only line breaks, is double-quoted instead:
/// a keeping block (`|+`) would also take in any blank lines that follow it
/// in the file.
pub fn render_multiline(value: &str, indent: usize, eol: &str) -> String {
    let content = value.trim_end_matches('\n');
    let trailing = value.len() - content.len();
    if content.is_empty() || trailing > 1 {
        return double_quoted(value);
    }
    let pad = " ".repeat(indent);
    let chomp = if trailing == 0 { "-" } else { "" };
    // The reader takes the indentation from the first line with content; an
    // explicit indicator is needed when that line starts with a space or a
    // line of only spaces comes before it.
    let mut ambiguous = false;
    for line in content.split('\n') {
        if line.trim_matches(' ').is_empty() {
            ambiguous |= !line.is_empty();
            continue;
        }
        ambiguous |= line.starts_with(' ');
        break;
    }
    let indicator = if ambiguous {
        indent.to_string()
    } else {
        String::new()
    };
    let mut out = format!("|{indicator}{chomp}");
    for line in content.split('\n') {
        out.push_str(eol);
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(src: &str) -> TopLevel {
        match parse_top_level(src) {
            Ok(t) => t,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    #[test]
    fn spans_point_at_the_value_text() {
        let src = "name: AI & Cities  # c\nlead:\naxes:\n    - a\n    - b c\n# x\nd: |\n  one\n  two\n\nq: 'it''s'\n";
        let t = top(src);
        let keys: Vec<_> = t.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["name", "lead", "axes", "d", "q"]);
        assert_eq!(&src[t.entries[0].value.span()], "AI & Cities");
        assert_eq!(&src[t.entries[2].value.span()], "- a\n    - b c");
        assert_eq!(&src[t.entries[3].value.span()], "|\n  one\n  two");
        assert_eq!(&src[t.entries[4].value.span()], "'it''s'");
    }

    #[test]
    fn non_ascii_text_maps_to_byte_offsets() {
        let src = "name: Ville intelligente é\nnext: ok\n";
        let t = top(src);
        assert_eq!(&src[t.entries[0].value.span()], "Ville intelligente é");
        assert_eq!(&src[t.entries[1].value.span()], "ok");
    }

    #[test]
    fn aliases_point_at_their_anchor_and_are_never_expanded() {
        let src = "owner: &o Ada\nreviewer: *o\n";
        let t = top(src);
        match &t.entries[1].value {
            Node::Alias {
                target: Some(target),
                ..
            } => assert_eq!(without_anchor(&src[target.clone()]), "Ada"),
            other => panic!("{other:?}"),
        }
        assert!(t.entries[0].locked && t.entries[1].locked);
        // A billion laughs: ten levels of ten aliases each. Nothing expands.
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let t = top(&bomb);
        assert_eq!(t.entries.len(), 10);
    }

    #[test]
    fn refuses_duplicate_keys_tags_and_deep_nesting() {
        assert!(parse_top_level("a: 1\na: 2\n").is_err());
        assert!(parse_top_level("a: !ruby/object:Foo {}\n").is_err());
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert!(parse_top_level(&deep).is_err());
        // Far deeper than any stack would take if either parser recursed.
        let deeper = format!("a: {}\n", "[".repeat(200_000));
        assert!(parse_top_level(&deeper).is_err());
    }

    #[test]
    fn strings_that_other_readers_take_as_something_else_are_quoted() {
        for s in [
            "no",
            "Yes",
            "ON",
            "~",
            "null",
            "2021-09-01",
            "1:20",
            "0042",
            "1_000",
            "1e3",
            ":sym",
            "@x",
            "`x`",
            "# x",
            "key: value",
            " lead",
            "trail ",
            "-1",
            ".5",
            "1,000",
            "=",
        ] {
            let out = render_inline_string(s, Quote::Double, true);
            assert_ne!(out.as_deref(), Some(s), "{s:?} must be quoted");
        }
        for s in [
            "AI & Cities",
            "Safer AI by design",
            "social inclusion",
            "2021 report",
        ] {
            assert_eq!(
                render_inline_string(s, Quote::Double, true).as_deref(),
                Some(s)
            );
        }
    }

    #[test]
    fn typed_values_stay_plain_when_they_keep_their_type() {
        assert_eq!(
            render_typed("2022-01-31", PlainMeaning::Date, Quote::Double).as_deref(),
            Some("2022-01-31")
        );
        assert_eq!(
            render_typed("soon", PlainMeaning::Date, Quote::Double).as_deref(),
            Some("soon")
        );
    }

    #[test]
    fn typed_values_stay_plain_only_when_canonical() {
        let num = |v| render_typed(v, PlainMeaning::Number, Quote::Double);
        assert_eq!(num("42").as_deref(), Some("42"));
        assert_eq!(num("-1.5").as_deref(), Some("-1.5"));
        assert_eq!(
            num("0042").as_deref(),
            Some("\"0042\""),
            "Psych reads 0042 as octal 34"
        );
        assert_eq!(num("1e3").as_deref(), Some("\"1e3\""));
        assert_eq!(num("1_000").as_deref(), Some("\"1_000\""));
        let date = |v| render_typed(v, PlainMeaning::Date, Quote::Double);
        assert_eq!(date("2021-02-28").as_deref(), Some("2021-02-28"));
        assert_eq!(date("2021-13-45").as_deref(), Some("\"2021-13-45\""));
    }

    #[test]
    fn existing_values_count_as_typed_only_in_canonical_spellings() {
        assert_eq!(typed_meaning("2021-09-01"), PlainMeaning::Date);
        assert_eq!(
            typed_meaning("2020-01-15 10:30:00 +01:00"),
            PlainMeaning::Timestamp
        );
        assert_eq!(
            typed_meaning("2012-09-06T06:49:00.000-07:00"),
            PlainMeaning::Timestamp
        );
        assert_eq!(typed_meaning("3"), PlainMeaning::Number);
        assert_eq!(typed_meaning("0.75"), PlainMeaning::Number);
        assert_eq!(typed_meaning("No"), PlainMeaning::Bool);
        for text in ["1.2.3", "0042", "y", "Ongoing", "1:20"] {
            assert_eq!(typed_meaning(text), PlainMeaning::String, "{text}");
        }
    }

    #[test]
    fn literal_blocks_keep_trailing_newlines_and_leading_spaces() {
        assert_eq!(render_multiline("a\nb", 2, "\n"), "|-\n  a\n  b");
        assert_eq!(render_multiline("a\n\nb\n", 2, "\n"), "|\n  a\n\n  b");
        assert_eq!(render_multiline("a\n\n", 2, "\n"), "\"a\\n\\n\"");
        assert_eq!(render_multiline(" a\nb", 2, "\n"), "|2-\n   a\n  b");
        assert_eq!(render_multiline("---\nx", 2, "\n"), "|-\n  ---\n  x");
        assert_eq!(render_multiline("\n", 2, "\n"), "\"\\n\"");
        assert_eq!(render_multiline("\n\n a", 2, "\n"), "|2-\n\n\n   a");
        assert_eq!(render_multiline("   \na", 2, "\n"), "|2-\n     \n  a");
    }
}
