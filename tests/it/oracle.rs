//! Ruby's YAML as the oracle: Jekyll 4.3 loads front matter with
//! `Psych.safe_load(yaml, permitted_classes: [Date, Time], aliases: true)`.
//! After an edit, Ruby must read the edited field as the editor meant it and
//! every other field exactly as before.

use crate::fidelity::{TRICKY, corpus, fixtures, value_like};
use crate::support::tool_available;
use cairn::content::{Document, FieldValue, FieldView};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Reads each file's front matter as Jekyll does, values tagged with their Ruby class.
const READER: &str = r#"
require "yaml"; require "date"; require "json"
# A per-key budget of nodes: an alias bomb is shared references to shared
# references, which a naive walk would visit ten billion times.
def tag(v, depth = 0)
  $budget -= 1
  return {"t" => "too-big"} if $budget < 0
  return {"t" => "too-deep"} if depth > 60
  case v
  when nil then {"t" => "nil"}
  when true, false then {"t" => "bool", "v" => v}
  when Integer then {"t" => "int", "v" => v}
  when Float then {"t" => "float", "v" => v.to_s}
  when Time then {"t" => "time", "v" => v.utc.strftime("%Y-%m-%dT%H:%M:%S.%N")}
  when Date then {"t" => "date", "v" => v.to_s}
  when String then {"t" => "str", "v" => v}
  when Array then {"t" => "list", "v" => v.map { |x| tag(x, depth + 1) }}
  when Hash then {"t" => "map", "v" => v.map { |k, x| [k.to_s, tag(x, depth + 1)] }}
  else {"t" => "other", "v" => v.inspect}
  end
end
out = {}
File.readlines(ARGV[0], chomp: true).each do |path|
  text = File.read(path, mode: "rb").force_encoding("UTF-8")
  m = text.match(/\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)/m)
  if m.nil?
    out[path] = {"error" => "no front matter"}
    next
  end
  begin
    data = Psych.safe_load(m[1], permitted_classes: [Date, Time], aliases: true) || {}
    out[path] = data.is_a?(Hash) ? data.to_h { |k, v| $budget = 5_000; [k.to_s, tag(v)] } : {"error" => "not a mapping"}
  rescue Exception => e
    out[path] = {"error" => e.message}
  end
end
puts JSON.generate(out, max_nesting: false)
"#;

/// Ruby's reading of each file: path -> key -> tagged value.
pub fn ruby_read(files: &[PathBuf], scratch: &Path) -> BTreeMap<String, BTreeMap<String, Value>> {
    let manifest = scratch.join(format!("manifest-{}.txt", files.len()));
    let list: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(&manifest, list.join("\n")).expect("manifest");
    let out = Command::new("ruby")
        .arg("-e")
        .arg(READER)
        .arg(&manifest)
        .output()
        .expect("run ruby");
    assert!(
        out.status.success(),
        "ruby: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ruby's JSON")
}

/// One edit and what Ruby must read for the edited key afterwards.
struct Case {
    source: PathBuf,
    output: PathBuf,
    key: String,
    expected: Value,
}

fn str_value(s: &str) -> Value {
    json!({"t": "str", "v": s})
}

/// The edit to make to a field Ruby reads as `before`, and what Ruby must
/// read afterwards; `None` when the field is not one to edit this way.
fn plan(view: &FieldView, before: &Value, i: usize) -> Option<(FieldValue, Value)> {
    let tricky = TRICKY[i % TRICKY.len()];
    match (before["t"].as_str()?, view) {
        (_, FieldView::ReadOnly(_)) => None,
        // Text: any text reads back as itself.
        ("str" | "nil", FieldView::Text(_) | FieldView::MultiLine(_) | FieldView::Empty) => {
            let value = FieldValue::text(tricky);
            let expected = if tricky.is_empty() {
                json!({"t": "nil"})
            } else {
                str_value(tricky)
            };
            Some((value, expected))
        }
        ("list" | "nil", FieldView::List(_)) => {
            let value = value_like(view, tricky);
            let FieldValue::List(items) = &value else {
                return None;
            };
            let expected = if items.is_empty() {
                json!({"t": "nil"})
            } else {
                json!({"t": "list", "v": items.iter().map(|s| str_value(s)).collect::<Vec<_>>()})
            };
            Some((value, expected))
        }
        // Typed values keep their type when given in a canonical spelling,
        // and become text otherwise (never `0042` read as 34).
        ("date", FieldView::Text(_)) if i.is_multiple_of(2) => Some((
            FieldValue::text("2023-04-05"),
            json!({"t": "date", "v": "2023-04-05"}),
        )),
        ("int", FieldView::Text(_)) if i.is_multiple_of(2) => {
            Some((FieldValue::text("7"), json!({"t": "int", "v": 7})))
        }
        ("bool", FieldView::Text(_)) => {
            Some((FieldValue::text("false"), json!({"t": "bool", "v": false})))
        }
        ("date" | "int" | "float" | "time", FieldView::Text(_)) => {
            Some((FieldValue::text("0042"), str_value("0042")))
        }
        _ => None,
    }
}

#[test]
pub fn ruby_reads_every_edited_value_as_entered_and_every_other_value_as_before() {
    if !tool_available("ruby") {
        return;
    }
    let mut sources = fixtures();
    let corpus = corpus();
    // The project's own fixtures alone give fewer cases than with the
    // shared corpus of real documents (absent outside the workspace).
    let enough = if corpus.is_some() { 100 } else { 50 };
    sources.extend(corpus.unwrap_or_default());
    let scratch = tempfile::tempdir().expect("tempdir");
    let originals = ruby_read(&sources, scratch.path());

    let mut cases = Vec::new();
    for source in &sources {
        let bytes = std::fs::read(source).expect("read");
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        let Some(before) = originals.get(&source.display().to_string()) else {
            continue;
        };
        if doc.front_matter_error().is_some() || before.contains_key("error") {
            continue;
        }
        for (i, field) in doc.fields().into_iter().enumerate() {
            let Some(ruby_before) = before.get(&field.key) else {
                continue;
            };
            let Some((value, expected)) = plan(&field.view, ruby_before, i) else {
                continue;
            };
            let text = doc.with_field(&field.key, &value).expect("edit");
            let output = scratch.path().join(format!("{}.md", cases.len()));
            std::fs::write(&output, text).expect("write");
            cases.push(Case {
                source: source.clone(),
                output,
                key: field.key,
                expected,
            });
        }
    }
    let outputs: Vec<PathBuf> = cases.iter().map(|c| c.output.clone()).collect();
    let edited = ruby_read(&outputs, scratch.path());

    let mut failures = Vec::new();
    for case in &cases {
        let before = &originals[&case.source.display().to_string()];
        let after = &edited[&case.output.display().to_string()];
        if let Some(err) = after.get("error") {
            failures.push(format!(
                "{} `{}`: Ruby cannot read it: {err}",
                case.source.display(),
                case.key
            ));
            continue;
        }
        if after.get(&case.key) != Some(&case.expected) {
            failures.push(format!(
                "{} `{}`: Ruby reads {:?}, expected {}",
                case.source.display(),
                case.key,
                after.get(&case.key),
                case.expected
            ));
        }
        for (key, value) in before {
            if *key != case.key && after.get(key) != Some(value) {
                failures.push(format!(
                    "{} `{key}` changed when `{}` was edited",
                    case.source.display(),
                    case.key
                ));
            }
        }
    }
    eprintln!(
        "{} edits checked with Ruby over {} documents",
        cases.len(),
        sources.len()
    );
    assert!(cases.len() > enough, "too few cases: {}", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
