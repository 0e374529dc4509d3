//! Lossless editing, checked on the project's fixtures and on real documents
//! from public Jekyll sites (`../shared/corpora/real`, skipped when absent):
//! an edit changes only its field's lines, everything else reads back the same.

use cairn::content::{Document, FieldValue, FieldView};
use std::path::{Path, PathBuf};

/// Values an editor may type that naive YAML writers get wrong.
pub const TRICKY: &[&str] = &[
    "plain words",
    "no",
    "Yes",
    "On",
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
    " padded ",
    "It's \"quoted\"",
    "Montréal — 東京 ✓",
    "two\nlines",
    "a\n---\nb\n",
    "trailing newline\n",
    "two breaks\n\n",
    "\n  indented after a blank line",
    "- not a list",
    "[not, a, list]",
    "{not: a map}",
    "50%",
    "C:\\path\\here",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "=",
    "<<",
    "?",
];

/// Every file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The real documents of the shared corpus, or `None` (with a printed reason).
pub fn corpus() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/real");
    if !dir.is_dir() {
        eprintln!("skipping the shared corpus: {} is not here", dir.display());
        return None;
    }
    Some(
        files_below(&dir)
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n != "SOURCES.md"))
            .collect(),
    )
}

/// The project's own fixture documents.
pub fn fixtures() -> Vec<PathBuf> {
    files_below(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site"))
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "md" || e == "markdown" || e == "html")
        })
        .collect()
}

/// Sets `key` to `value` in `before` and checks that only that field's lines
/// changed and that everything else reads back the same. Returns the new text.
pub fn edit_and_check(before: &str, key: &str, value: &FieldValue) -> Result<String, String> {
    let doc = Document::parse(before.as_bytes()).map_err(|e| e.to_string())?;
    let after = doc.with_field(key, value).map_err(|e| e.to_string())?;
    // Bytes outside the field's lines are untouched.
    let (keep_start, keep_end) = match doc.field_lines(key) {
        Some(lines) => (lines.start, lines.end),
        None => {
            // A new key goes right before the closing line.
            let close = before.len() - doc.body().len();
            let close_line = before[..close].trim_end_matches(['\n', '\r']);
            let close_line_start = close_line.rfind('\n').map_or(0, |i| i + 1);
            (close_line_start, close_line_start)
        }
    };
    if !after.starts_with(&before[..keep_start]) {
        return Err(format!("bytes before `{key}` changed"));
    }
    if !after.ends_with(&before[keep_end..]) || after.len() < keep_start + (before.len() - keep_end)
    {
        return Err(format!("bytes after `{key}` changed"));
    }
    let again =
        Document::parse(after.as_bytes()).map_err(|e| format!("no longer a document: {e}"))?;
    if let Some(e) = again.front_matter_error() {
        return Err(format!("front matter no longer parses: {e}\n{after}"));
    }
    match again.field(key).and_then(|v| v.value()) {
        Some(v) if v.same_as(value) => {}
        other => {
            return Err(format!(
                "`{key}` reads back as {other:?}, not {value:?}\n{after}"
            ));
        }
    }
    for field in doc.fields() {
        if field.key != key && again.field(&field.key).as_ref() != Some(&field.view) {
            return Err(format!("`{}` changed when `{key}` was edited", field.key));
        }
    }
    let keys: Vec<_> = doc.keys().filter(|k| *k != key).collect();
    let keys_after: Vec<_> = again.keys().filter(|k| *k != key).collect();
    if keys != keys_after {
        return Err("key order changed".into());
    }
    if again.body() != doc.body() {
        return Err("the body changed".into());
    }
    Ok(after)
}

/// A value of the same kind as `view`, made from `text`.
pub fn value_like(view: &FieldView, text: &str) -> FieldValue {
    match view {
        FieldView::List(_) => FieldValue::List(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        ),
        _ => FieldValue::text(text),
    }
}

#[test]
fn every_editable_field_of_every_real_document_edits_losslessly() {
    let Some(files) = corpus() else { return };
    let mut failures = Vec::new();
    let mut edits = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        if doc.front_matter_error().is_some() {
            continue;
        }
        let text = doc.as_str().to_string();
        for (i, field) in doc.fields().into_iter().enumerate() {
            if matches!(field.view, FieldView::ReadOnly(_)) {
                continue;
            }
            let tricky = TRICKY[i % TRICKY.len()];
            for value in [value_like(&field.view, tricky), FieldValue::Null] {
                edits += 1;
                if let Err(e) = edit_and_check(&text, &field.key, &value) {
                    failures.push(format!("{}: {e}", path.display()));
                }
            }
        }
    }
    eprintln!("{edits} edits over {} real documents", files.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_editable_field_of_every_fixture_edits_losslessly() {
    let files = fixtures();
    assert!(
        files.len() >= 20,
        "the fixture site has {} documents",
        files.len()
    );
    let mut failures = Vec::new();
    let mut edits = 0;
    for path in &files {
        let text = match std::fs::read(path).map(|b| Document::parse(&b)) {
            Ok(Ok(doc)) if doc.front_matter_error().is_none() => doc.as_str().to_string(),
            _ => continue,
        };
        let doc = Document::parse(text.as_bytes()).expect("parsed");
        for field in doc.fields() {
            if matches!(field.view, FieldView::ReadOnly(_)) {
                continue;
            }
            for tricky in TRICKY {
                edits += 1;
                if let Err(e) = edit_and_check(&text, &field.key, &value_like(&field.view, tricky))
                {
                    failures.push(format!("{}: {tricky:?}: {e}", path.display()));
                }
            }
        }
        // A key the document does not have yet.
        edits += 1;
        if let Err(e) = edit_and_check(&text, "added_by_cairn", &FieldValue::text("new value")) {
            failures.push(format!("{}: new key: {e}", path.display()));
        }
    }
    eprintln!("{edits} edits over {} fixtures", files.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// A fixture's text and its editable fields.
    type Editable = (String, Vec<(String, FieldView)>);

    /// Fixtures whose front matter Cairn can edit, read once.
    fn editable() -> &'static [Editable] {
        static EDITABLE: std::sync::OnceLock<Vec<Editable>> = std::sync::OnceLock::new();
        EDITABLE.get_or_init(load_editable)
    }

    fn load_editable() -> Vec<Editable> {
        fixtures()
            .iter()
            .filter_map(|p| {
                let doc = Document::parse(&std::fs::read(p).ok()?).ok()?;
                if doc.front_matter_error().is_some() {
                    return None;
                }
                let fields: Vec<_> = doc
                    .fields()
                    .into_iter()
                    .filter(|f| !matches!(f.view, FieldView::ReadOnly(_)))
                    .map(|f| (f.key, f.view))
                    .collect();
                (!fields.is_empty()).then(|| (doc.as_str().to_string(), fields))
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn one_random_edit_changes_only_that_fields_lines(
            doc_index in any::<usize>(),
            field_index in any::<usize>(),
            text in "[ -~\t\nàéü東✓—]{0,40}",
        ) {
            let docs = editable();
            let (source, fields) = &docs[doc_index % docs.len()];
            let (key, view) = &fields[field_index % fields.len()];
            let value = value_like(view, &text);
            if let Err(e) = edit_and_check(source, key, &value) {
                return Err(TestCaseError::fail(format!("`{key}` = {value:?}: {e}\n{source}")));
            }
        }
    }
}

#[test]
fn the_corpus_deliberately_broken_documents_are_reported_not_edited() {
    let Some(files) = corpus() else { return };
    let mut broken = 0;
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let deliberately_broken = [
            "duplicate-key",
            "ruby-tag",
            "four-dash",
            "broken-front-matter",
        ]
        .iter()
        .any(|marker| name.contains(marker));
        if !deliberately_broken {
            continue;
        }
        broken += 1;
        let bytes = std::fs::read(&path).expect("read");
        match Document::parse(&bytes) {
            Err(_) => {}
            Ok(doc) => {
                assert!(doc.front_matter_error().is_some(), "{name} must be refused");
                assert!(
                    doc.with_field("title", &FieldValue::text("x")).is_err(),
                    "{name}"
                );
                assert!(doc.without_field("title").is_err(), "{name}");
            }
        }
    }
    assert!(broken >= 4, "the corpus names {broken} broken documents");
}
