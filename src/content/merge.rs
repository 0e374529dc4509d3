//! Three-way merge of one document, field by field, for histories that
//! diverged (Cairn's commits and someone else's). The other side's file is
//! kept as it is and each field only this side changed is spliced into it
//! as this side wrote it, byte for byte: a top-level field's lines are
//! replaced, inserted after the field that precedes it here, or removed.
//! A field both sides changed differently, a body both changed, or a change
//! to the front matter's comments or order on this side is a clash, and
//! nothing is merged.

use super::Document;
use std::collections::HashMap;

/// What both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub part: Part,
    /// This side's version (a field's lines or the body; `None`: removed, or
    /// not shown for a whole file).
    pub ours: Option<String>,
    /// The other side's version.
    pub theirs: Option<String>,
}

/// Which part of a file clashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A top-level front matter field.
    Field(String),
    /// The text after the front matter.
    Body,
    /// Comments, blank lines or the order of fields in the front matter.
    Layout,
    /// The whole file: one side removed it, it is not a document both can
    /// read, or the merge could not be checked.
    File(&'static str),
}

/// Which side's version a person chose for a part that clashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
}

/// The merged file, or what clashes. `base` is the common ancestor's
/// version of the file.
pub fn three_way(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<Vec<u8>, Vec<Clash>> {
    three_way_choosing(base, ours, theirs, &|_| None)
}

/// The same, with a person's choice for parts that clash: a field or the
/// body chosen takes that side's version; a whole file or its layout chosen
/// takes that side's whole file.
pub fn three_way_choosing(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    choose: &dyn Fn(&Part) -> Option<Side>,
) -> Result<Vec<u8>, Vec<Clash>> {
    match merge_parts(base, ours, theirs, choose) {
        Err(clashes) if clashes.len() == 1 => {
            let whole = match &clashes[0].part {
                part @ (Part::Layout | Part::File(_)) => choose(part),
                _ => None,
            };
            match whole {
                Some(Side::Ours) => Ok(ours.to_vec()),
                Some(Side::Theirs) => Ok(theirs.to_vec()),
                None => Err(clashes),
            }
        }
        other => other,
    }
}

fn merge_parts(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    choose: &dyn Fn(&Part) -> Option<Side>,
) -> Result<Vec<u8>, Vec<Clash>> {
    if ours == theirs || ours == base {
        return Ok(theirs.to_vec());
    }
    if theirs == base {
        return Ok(ours.to_vec());
    }
    let whole = |why| {
        vec![Clash {
            part: Part::File(why),
            ours: None,
            theirs: None,
        }]
    };
    let parse = |bytes: &[u8]| {
        Document::parse(bytes)
            .ok()
            .filter(|d| d.front_matter_error().is_none() && d.is_block_mapping())
    };
    let (Some(b), Some(o), Some(t)) = (parse(base), parse(ours), parse(theirs)) else {
        return Err(whole(
            "both sides changed it and it is not a document Cairn can merge",
        ));
    };
    // Comments and blank lines, and the order of the fields both this side
    // and the ancestor have: what splicing fields cannot carry over.
    let comments_changed = comments(&o) != comments(&b) && comments(&o) != comments(&t);
    let common = |x: &Document, y: &Document| {
        x.keys()
            .filter(|k| y.field_lines(k).is_some())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    if comments_changed || common(&o, &b) != common(&b, &o) {
        return Err(vec![Clash {
            part: Part::Layout,
            ours: Some(front_matter(&o)),
            theirs: Some(front_matter(&t)),
        }]);
    }

    let ours_order: Vec<&str> = o.keys().collect();
    let mut keys: Vec<&str> = ours_order.clone();
    for key in t.keys().chain(b.keys()) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut clashes = Vec::new();
    let mut merged = t.clone();
    // What each field must read in the result.
    let mut expected: HashMap<&str, Option<String>> = HashMap::new();
    for key in &keys {
        let (bv, ov, tv) = (lines(&b, key), lines(&o, key), lines(&t, key));
        let chosen = || choose(&Part::Field(key.to_string()));
        if ov == bv || ov == tv || chosen() == Some(Side::Theirs) {
            expected.insert(key, tv);
        } else if tv == bv || chosen() == Some(Side::Ours) {
            let Some(next) = splice(&merged, key, ov.as_deref(), &ours_order) else {
                return Err(whole("the merged file could not be read back"));
            };
            merged = next;
            expected.insert(key, ov);
        } else {
            clashes.push(Clash {
                part: Part::Field(key.to_string()),
                ours: ov,
                theirs: tv,
            });
        }
    }
    let (bb, ob, tb) = (b.body(), o.body(), t.body());
    let body_choice = choose(&Part::Body);
    let take_ours_body = ob != bb && ob != tb && body_choice != Some(Side::Theirs);
    if take_ours_body {
        if tb == bb || body_choice == Some(Side::Ours) {
            let head = &merged.as_str()[..merged.as_str().len() - merged.body().len()];
            let text = format!("{head}{ob}");
            match Document::parse(text.as_bytes()) {
                Ok(doc) => merged = doc,
                Err(_) => return Err(whole("the merged file could not be read back")),
            }
        } else {
            clashes.push(Clash {
                part: Part::Body,
                ours: Some(ob.to_string()),
                theirs: Some(tb.to_string()),
            });
        }
    }
    if !clashes.is_empty() {
        return Err(clashes);
    }
    // Read the result back: every field as decided, the body as decided.
    let body = if take_ours_body { ob } else { tb };
    let sound = merged.front_matter_error().is_none()
        && merged.body() == body
        && expected
            .iter()
            .all(|(key, want)| lines(&merged, key) == *want);
    if !sound {
        return Err(whole("the merged file could not be checked"));
    }
    Ok(merged.as_str().as_bytes().to_vec())
}

/// A field's lines in the file, or `None` when it has no such field.
fn lines(doc: &Document, key: &str) -> Option<String> {
    doc.field_lines(key).map(|r| doc.as_str()[r].to_string())
}

/// The front matter's text without its fields' lines: comments and blank
/// lines between them.
fn comments(doc: &Document) -> String {
    let text = doc.as_str();
    let mut ranges: Vec<_> = doc.keys().filter_map(|k| doc.field_lines(k)).collect();
    ranges.sort_by_key(|r| r.start);
    let mut rest = String::new();
    let mut at = doc.front_matter_start();
    for r in ranges {
        rest.push_str(&text[at..r.start]);
        at = r.end;
    }
    let end = text.len() - doc.body().len();
    rest.push_str(&text[at.min(end)..end]);
    rest
}

/// The front matter as written (shown when layouts clash).
fn front_matter(doc: &Document) -> String {
    let text = doc.as_str();
    text[doc.front_matter_start()..text.len() - doc.body().len()].to_string()
}

/// `doc` with field `key` set to `value` (its lines as the other version
/// writes them; `None` removes it). A new field goes after the nearest
/// field before it in `order` that `doc` has, or first.
fn splice(doc: &Document, key: &str, value: Option<&str>, order: &[&str]) -> Option<Document> {
    let text = doc.as_str();
    let (at, end) = match doc.field_lines(key) {
        Some(r) => (r.start, r.end),
        None => {
            let before = order
                .iter()
                .take_while(|k| **k != key)
                .filter_map(|k| doc.field_lines(k))
                .last();
            let at = before.map_or(doc.front_matter_start(), |r| r.end);
            (at, at)
        }
    };
    let mut out = String::with_capacity(text.len() + value.map_or(0, str::len));
    out.push_str(&text[..at]);
    if let Some(value) = value {
        out.push_str(value);
    }
    out.push_str(&text[end..]);
    Document::parse(out.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "---\n# A comment\nname: Old\nmission: Help\ncategory: research\n---\nBody text.\n";

    fn merge(ours: &str, theirs: &str) -> Result<String, Vec<Clash>> {
        choosing(ours, theirs, &|_| None)
    }

    fn choosing(
        ours: &str,
        theirs: &str,
        choose: &dyn Fn(&Part) -> Option<Side>,
    ) -> Result<String, Vec<Clash>> {
        three_way_choosing(BASE.as_bytes(), ours.as_bytes(), theirs.as_bytes(), choose)
            .map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn different_fields_merge_byte_for_byte() {
        let ours = BASE.replace("name: Old", "name: New");
        let theirs = BASE.replace("mission: Help", "mission: \"Help more\"  # quoted");
        let merged = merge(&ours, &theirs).unwrap();
        assert_eq!(
            merged,
            "---\n# A comment\nname: New\nmission: \"Help more\"  # quoted\ncategory: research\n---\nBody text.\n"
        );
    }

    #[test]
    fn the_same_field_changed_differently_clashes() {
        let ours = BASE.replace("name: Old", "name: Ours");
        let theirs = BASE.replace("name: Old", "name: Theirs");
        let clashes = merge(&ours, &theirs).unwrap_err();
        assert_eq!(
            clashes,
            vec![Clash {
                part: Part::Field("name".into()),
                ours: Some("name: Ours\n".into()),
                theirs: Some("name: Theirs\n".into()),
            }]
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_clash() {
        let both = BASE.replace("name: Old", "name: Same");
        let theirs = both.replace("Body text.", "Their body.");
        assert_eq!(merge(&both, &theirs).unwrap(), theirs);
    }

    #[test]
    fn added_and_removed_fields_and_bodies() {
        // Ours adds `video` after `mission` and removes `category`; theirs
        // changes the body and adds `dates` at the end.
        let ours = BASE
            .replace(
                "mission: Help\n",
                "mission: Help\nvideo: https://v.example/1\n",
            )
            .replace("category: research\n", "");
        let theirs = BASE
            .replace(
                "category: research\n",
                "category: research\ndates:\n  - 2024-01-01\n",
            )
            .replace("Body text.", "Their body.");
        assert_eq!(
            merge(&ours, &theirs).unwrap(),
            "---\n# A comment\nname: Old\nmission: Help\nvideo: https://v.example/1\ndates:\n  - 2024-01-01\n---\nTheir body.\n"
        );
        // Our body with their field.
        let ours = BASE.replace("Body text.", "Our body.");
        let theirs = BASE.replace("name: Old", "name: Theirs");
        assert_eq!(
            merge(&ours, &theirs).unwrap(),
            BASE.replace("name: Old", "name: Theirs")
                .replace("Body text.", "Our body.")
        );
    }

    #[test]
    fn a_choice_settles_a_clash() {
        let ours = BASE
            .replace("name: Old", "name: Ours")
            .replace("Body text.", "Ours.");
        let theirs = BASE
            .replace("name: Old", "name: Theirs")
            .replace("mission: Help", "mission: More")
            .replace("Body text.", "Theirs.");
        let keep_ours = |_: &Part| Some(Side::Ours);
        let merged = choosing(&ours, &theirs, &keep_ours).unwrap();
        assert_eq!(
            merged,
            theirs
                .replace("name: Theirs", "name: Ours")
                .replace("Theirs.", "Ours.")
        );
        let take_theirs = |_: &Part| Some(Side::Theirs);
        let merged = choosing(&ours, &theirs, &take_theirs).unwrap();
        assert_eq!(merged, theirs);
        // Only the field chosen: the body still clashes.
        let name_only = |p: &Part| (*p == Part::Field("name".into())).then_some(Side::Ours);
        let clashes = choosing(&ours, &theirs, &name_only).unwrap_err();
        assert_eq!(clashes.len(), 1);
        assert_eq!(clashes[0].part, Part::Body);
        // A layout clash chosen: that side's whole file.
        let ours = BASE.replace("# A comment", "# Ours");
        let theirs = BASE.replace("# A comment", "# Theirs");
        let merged = choosing(&ours, &theirs, &keep_ours).unwrap();
        assert_eq!(merged, ours);
    }

    #[test]
    fn bodies_both_changed_clash() {
        let ours = BASE.replace("Body text.", "Ours.");
        let theirs = BASE.replace("Body text.", "Theirs.");
        let clashes = merge(&ours, &theirs).unwrap_err();
        assert_eq!(clashes[0].part, Part::Body);
    }

    #[test]
    fn a_changed_comment_on_our_side_clashes_rather_than_vanish() {
        let ours = BASE.replace("# A comment", "# Our comment");
        let theirs = BASE.replace("name: Old", "name: Theirs");
        let clashes = merge(&ours, &theirs).unwrap_err();
        assert_eq!(clashes[0].part, Part::Layout);
        // Their comment change merges with our field change.
        let ours = BASE.replace("name: Old", "name: Ours");
        let theirs = BASE.replace("# A comment", "# Their comment");
        assert_eq!(
            merge(&ours, &theirs).unwrap(),
            BASE.replace("# A comment", "# Their comment")
                .replace("name: Old", "name: Ours")
        );
    }

    #[test]
    fn crlf_and_unreadable_files() {
        let base = BASE.replace('\n', "\r\n");
        let ours = base.replace("name: Old", "name: New");
        let theirs = base.replace("mission: Help", "mission: More");
        let merged = three_way(base.as_bytes(), ours.as_bytes(), theirs.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(merged).unwrap(),
            base.replace("name: Old", "name: New")
                .replace("mission: Help", "mission: More")
        );
        // Not documents: any change on both sides clashes.
        let clashes = three_way(b"a\n", b"b\n", b"c\n").unwrap_err();
        assert!(matches!(clashes[0].part, Part::File(_)));
        // Broken front matter on one side.
        let broken = BASE.replace("name: Old", "name: [unclosed");
        let ours = BASE.replace("mission: Help", "mission: More");
        assert!(merge(&ours, &broken).is_err());
    }
}
