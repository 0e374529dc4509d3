//! What changed between two versions of a document, as a reviewer reads
//! it: field by field (`mission: "old" -> "new"`, `axes: + biodiversity`),
//! and the body line by line.

use super::document::{Document, FieldView};

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub key: String,
    /// `None`: the key was absent.
    pub before: Option<FieldView>,
    pub after: Option<FieldView>,
}

impl FieldChange {
    /// For lists: the items added and removed.
    pub fn list_changes(&self) -> Option<(Vec<String>, Vec<String>)> {
        let items = |v: &Option<FieldView>| match v {
            Some(FieldView::List(items)) => Some(items.clone()),
            Some(FieldView::Empty) | None => Some(Vec::new()),
            _ => None,
        };
        let (before, after) = (items(&self.before)?, items(&self.after)?);
        let added = after
            .iter()
            .filter(|i| !before.contains(i))
            .cloned()
            .collect();
        let removed = before
            .iter()
            .filter(|i| !after.contains(i))
            .cloned()
            .collect();
        Some((added, removed))
    }
}

/// The changes between two versions (`None`: the file did not exist, or
/// was not a document).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentDiff {
    pub fields: Vec<FieldChange>,
    pub body_changed: bool,
}

impl DocumentDiff {
    /// The changed field names, `body` last: what commit messages and the
    /// history index record.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fields.iter().map(|f| f.key.clone()).collect();
        if self.body_changed {
            names.push("body".into());
        }
        names
    }
}

/// Compares two versions field by field, keys in the order of the newer
/// version then the removed ones.
pub fn diff_documents(before: Option<&Document>, after: Option<&Document>) -> DocumentDiff {
    let fields_of = |d: Option<&Document>| d.map(Document::fields).unwrap_or_default();
    let (old, new) = (fields_of(before), fields_of(after));
    let mut fields = Vec::new();
    for field in &new {
        let was = old
            .iter()
            .find(|f| f.key == field.key)
            .map(|f| f.view.clone());
        if was.as_ref() != Some(&field.view) {
            fields.push(FieldChange {
                key: field.key.clone(),
                before: was,
                after: Some(field.view.clone()),
            });
        }
    }
    for field in &old {
        if !new.iter().any(|f| f.key == field.key) {
            fields.push(FieldChange {
                key: field.key.clone(),
                before: Some(field.view.clone()),
                after: None,
            });
        }
    }
    let body = |d: Option<&Document>| d.map(Document::body_normalized);
    DocumentDiff {
        fields,
        body_changed: body(before) != body(after),
    }
}

/// A line of a line diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Added(String),
    Removed(String),
}

/// Above this many lines on both sides, the diff is the whole old text
/// removed and the new added, instead of a quadratic search.
const MAX_LINES: usize = 4_000;

/// A line diff (longest common subsequence) of two texts.
pub fn line_diff(before: &str, after: &str) -> Vec<Line> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Common prefix and suffix first: most edits touch a few lines.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<Line> = a[..prefix]
        .iter()
        .map(|l| Line::Same(l.to_string()))
        .collect();
    if a_mid.len() * b_mid.len() > MAX_LINES * MAX_LINES / 4 {
        out.extend(a_mid.iter().map(|l| Line::Removed(l.to_string())));
        out.extend(b_mid.iter().map(|l| Line::Added(l.to_string())));
    } else {
        // lcs[i][j]: length of the LCS of a_mid[i..] and b_mid[j..].
        let (n, m) = (a_mid.len(), b_mid.len());
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if a_mid[i] == b_mid[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && a_mid[i] == b_mid[j] {
                out.push(Line::Same(a_mid[i].to_string()));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
                out.push(Line::Added(b_mid[j].to_string()));
                j += 1;
            } else {
                out.push(Line::Removed(a_mid[i].to_string()));
                i += 1;
            }
        }
    }
    out.extend(
        a[a.len() - suffix..]
            .iter()
            .map(|l| Line::Same(l.to_string())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn field_changes_name_what_changed() {
        let a = doc("---\ntitle: A\nmission: Old\naxes:\n  - x\n  - y\ngone: 1\n---\nBody\n");
        let b = doc("---\ntitle: A\nmission: New\naxes:\n  - x\n  - z\nadded: 2\n---\nBody\n");
        let d = diff_documents(Some(&a), Some(&b));
        assert_eq!(d.names(), ["mission", "axes", "added", "gone"]);
        assert!(!d.body_changed);
        assert_eq!(
            d.fields[1].list_changes(),
            Some((vec!["z".into()], vec!["y".into()]))
        );
        assert_eq!(d.fields[2].before, None);
        assert_eq!(d.fields[3].after, None);
        let new = diff_documents(None, Some(&b));
        assert_eq!(new.names(), ["title", "mission", "axes", "added", "body"]);
    }

    #[test]
    fn line_diff_keeps_common_lines() {
        let d = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
        assert_eq!(
            d,
            [
                Line::Same("a".into()),
                Line::Added("B".into()),
                Line::Removed("b".into()),
                Line::Same("c".into()),
                Line::Same("d".into()),
                Line::Added("e".into()),
            ]
        );
    }
}
