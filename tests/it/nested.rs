//! Nested values edited losslessly: on every fixture and every real document
//! (`../shared/corpora/real`, skipped when absent) that has a map or a list
//! of maps, each of these edits changes only the lines it must, and Ruby
//! (Jekyll's YAML) reads the edited value as meant and every other value as
//! before:
//! - one leaf set to a tricky text,
//! - the first two items of a list swapped,
//! - the last item removed,
//! - a copy of the first item added at the end.

use crate::fidelity::{TRICKY, corpus, files_below, fixtures};
use crate::oracle::ruby_read;
use crate::support::tool_available;
use cairn::content::nested::{Item, Tree};
use cairn::content::{Document, FieldValue};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A step into a nested value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The project's nested fixtures, the site fixtures and the real corpus.
fn sources() -> Vec<PathBuf> {
    let mut out = fixtures();
    out.extend(files_below(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nested"),
    ));
    out.extend(corpus().unwrap_or_default());
    out
}

/// Whether a field's value is more than a list of texts.
fn is_nested(tree: &Tree) -> bool {
    match tree {
        Tree::Map(_) => true,
        Tree::List(items) => items.iter().any(|i| !matches!(i.value, Tree::Scalar(_))),
        Tree::Scalar(_) => false,
    }
}

/// The first scalar leaf, depth first.
fn first_leaf(tree: &Tree, path: &mut Vec<Step>) -> bool {
    match tree {
        Tree::Scalar(_) => true,
        Tree::List(items) => items.iter().enumerate().any(|(i, item)| {
            path.push(Step::Index(i));
            let found = first_leaf(&item.value, path);
            if !found {
                path.pop();
            }
            found
        }),
        Tree::Map(entries) => entries.iter().any(|(k, v)| {
            path.push(Step::Key(k.clone()));
            let found = first_leaf(v, path);
            if !found {
                path.pop();
            }
            found
        }),
    }
}

fn tree_at<'a>(tree: &'a mut Tree, path: &[Step]) -> &'a mut Tree {
    let Some((step, rest)) = path.split_first() else {
        return tree;
    };
    match (tree, step) {
        (Tree::List(items), Step::Index(i)) => tree_at(&mut items[*i].value, rest),
        (Tree::Map(entries), Step::Key(k)) => {
            let (_, v) = entries
                .iter_mut()
                .find(|(key, _)| key == k)
                .expect("the key");
            tree_at(v, rest)
        }
        _ => panic!("no such step"),
    }
}

/// The same place in Ruby's tagged reading.
fn ruby_at<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    let Some((step, rest)) = path.split_first() else {
        return value;
    };
    match step {
        Step::Index(i) => ruby_at(&mut value["v"][*i], rest),
        Step::Key(k) => {
            let pair = value["v"]
                .as_array_mut()
                .expect("a map")
                .iter_mut()
                .find(|p| p[0] == json!(k))
                .expect("the key");
            ruby_at(&mut pair[1], rest)
        }
    }
}

/// The first list in the value (itself, or inside it), with its path.
fn first_list(tree: &Tree, path: &mut Vec<Step>) -> bool {
    match tree {
        Tree::List(items) if items.len() >= 2 => true,
        Tree::Scalar(_) | Tree::List(_) => false,
        Tree::Map(entries) => entries.iter().any(|(k, v)| {
            path.push(Step::Key(k.clone()));
            let found = first_list(v, path);
            if !found {
                path.pop();
            }
            found
        }),
    }
}

/// One edit to check.
struct Case {
    source: PathBuf,
    output: PathBuf,
    key: String,
    what: &'static str,
    /// Ruby's reading of the key expected after the edit (from its reading
    /// before), or `None` when Ruby is not run.
    expected: Option<Value>,
}

/// Lines of `a` and `b` that differ, after their common first and last lines.
fn changed_lines<'a>(a: &'a str, b: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let a: Vec<&str> = a.split_inclusive('\n').collect();
    let b: Vec<&str> = b.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (
        a[head..a.len() - tail].to_vec(),
        b[head..b.len() - tail].to_vec(),
    )
}

/// Checks one edit without Ruby: the file parses, the key reads back as
/// `wanted`, every other key reads as before in the same order, the body is
/// untouched and nothing outside the field's lines moved.
fn check(doc: &Document, key: &str, wanted: &Tree, after: &str) -> Result<(), String> {
    let again = Document::parse(after.as_bytes()).map_err(|e| e.to_string())?;
    if let Some(e) = again.front_matter_error() {
        return Err(format!("no longer parses: {e}\n{after}"));
    }
    let now = again.tree(key).ok_or("no longer a nested value")?;
    if !now.same_as(wanted) {
        return Err(format!("reads back as {now:?}\n{after}"));
    }
    for other in doc.keys().filter(|k| *k != key) {
        if again.json_field(other) != doc.json_field(other) {
            return Err(format!("`{other}` changed"));
        }
    }
    if doc.keys().collect::<Vec<_>>() != again.keys().collect::<Vec<_>>() {
        return Err("key order changed".into());
    }
    if again.body() != doc.body() {
        return Err("the body changed".into());
    }
    let lines = doc.field_lines(key).ok_or("no lines")?;
    let before = doc.as_str();
    if !after.starts_with(&before[..lines.start]) || !after.ends_with(&before[lines.end..]) {
        return Err("bytes outside the field changed".into());
    }
    Ok(())
}

#[test]
fn every_nested_value_edits_losslessly_and_ruby_reads_it_as_meant() {
    let ruby = tool_available("ruby");
    let sources = sources();
    let scratch = tempfile::tempdir().expect("tempdir");
    let originals = ruby.then(|| ruby_read(&sources, scratch.path()));
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    let mut n = 0usize;
    for source in &sources {
        let Ok(bytes) = std::fs::read(source) else {
            continue;
        };
        let Ok(doc) = Document::parse(&bytes) else {
            continue;
        };
        if doc.front_matter_error().is_some() {
            continue;
        }
        let before_ruby = originals
            .as_ref()
            .and_then(|o| o.get(&source.display().to_string()))
            .filter(|b| !b.contains_key("error"));
        for key in doc.keys().map(str::to_string).collect::<Vec<_>>() {
            let Some(tree) = doc.tree(&key).filter(is_nested) else {
                continue;
            };
            let ruby_before = before_ruby.and_then(|b| b.get(&key)).cloned();
            let mut edits: Vec<(&'static str, Tree, Option<Value>)> = Vec::new();

            // One leaf set to a tricky text.
            let mut path = Vec::new();
            if first_leaf(&tree, &mut path) {
                let tricky = TRICKY[n % TRICKY.len()];
                n += 1;
                let mut t = tree.clone();
                *tree_at(&mut t, &path) = Tree::Scalar(FieldValue::text(tricky));
                let expected = ruby_before.clone().map(|mut r| {
                    *ruby_at(&mut r, &path) = json!({"t": "str", "v": tricky});
                    r
                });
                edits.push(("leaf", t, expected));
            }
            // Swap, remove the last, add a copy of the first.
            let mut path = Vec::new();
            if first_list(&tree, &mut path) {
                let mut t = tree.clone();
                let Tree::List(items) = tree_at(&mut t, &path) else {
                    unreachable!()
                };
                items.swap(0, 1);
                let expected = ruby_before.clone().map(|mut r| {
                    ruby_at(&mut r, &path)["v"]
                        .as_array_mut()
                        .expect("list")
                        .swap(0, 1);
                    r
                });
                edits.push(("swap", t, expected));

                let mut t = tree.clone();
                let Tree::List(items) = tree_at(&mut t, &path) else {
                    unreachable!()
                };
                items.pop();
                let expected = ruby_before.clone().map(|mut r| {
                    ruby_at(&mut r, &path)["v"]
                        .as_array_mut()
                        .expect("list")
                        .pop();
                    r
                });
                edits.push(("remove", t, expected));

                let mut t = tree.clone();
                let Tree::List(items) = tree_at(&mut t, &path) else {
                    unreachable!()
                };
                let copy = Item::new(items[0].value.clone());
                items.push(copy);
                let expected = ruby_before.clone().map(|mut r| {
                    let list = ruby_at(&mut r, &path)["v"].as_array_mut().expect("list");
                    let first = list[0].clone();
                    list.push(first);
                    r
                });
                edits.push(("add", t, expected));
            }
            for (what, wanted, expected) in edits {
                let value = FieldValue::Tree(Box::new(wanted.clone()));
                let after = match doc.with_field(&key, &value) {
                    Ok(a) => a,
                    Err(e) => {
                        failures.push(format!("{} `{key}` {what}: {e}", source.display()));
                        continue;
                    }
                };
                if let Err(e) = check(&doc, &key, &wanted, &after) {
                    failures.push(format!("{} `{key}` {what}: {e}", source.display()));
                    continue;
                }
                let (old, new) = changed_lines(doc.as_str(), &after);
                // A flow value is one line: it changes as a whole.
                let one_line = old.len() == 1 && new.len() == 1;
                let lines_ok = one_line
                    || match what {
                        "leaf" => new.len() <= 1 && old.len() <= 4,
                        "swap" => {
                            let (mut a, mut b) = (old.clone(), new.clone());
                            a.sort();
                            b.sort();
                            a == b
                        }
                        "remove" => new.iter().all(|l| old.contains(l)) && new.len() < old.len(),
                        _ => old.iter().all(|l| new.contains(l)) && new.len() > old.len(),
                    };
                if !lines_ok {
                    failures.push(format!(
                        "{} `{key}` {what}: changed lines {old:?} -> {new:?}",
                        source.display()
                    ));
                }
                let output = scratch.path().join(format!("{}.md", cases.len()));
                std::fs::write(&output, &after).expect("write");
                cases.push(Case {
                    source: source.clone(),
                    output,
                    key: key.clone(),
                    what,
                    expected,
                });
            }
        }
    }
    if let Some(originals) = &originals {
        let outputs: Vec<PathBuf> = cases.iter().map(|c| c.output.clone()).collect();
        let edited = ruby_read(&outputs, scratch.path());
        for case in &cases {
            let Some(expected) = &case.expected else {
                continue;
            };
            let before = &originals[&case.source.display().to_string()];
            let after = &edited[&case.output.display().to_string()];
            let label = format!("{} `{}` {}", case.source.display(), case.key, case.what);
            if let Some(err) = after.get("error") {
                failures.push(format!("{label}: Ruby cannot read it: {err}"));
                continue;
            }
            if after.get(&case.key) != Some(expected) {
                failures.push(format!(
                    "{label}: Ruby reads {:?}, expected {expected}",
                    after.get(&case.key)
                ));
            }
            for (key, value) in before {
                if *key != case.key && after.get(key) != Some(value) {
                    failures.push(format!("{label}: `{key}` changed"));
                }
            }
        }
    }
    eprintln!(
        "{} nested edits checked over {} documents",
        cases.len(),
        sources.len()
    );
    assert!(cases.len() >= 30, "too few cases: {}", cases.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
