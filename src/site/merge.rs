//! Taking in the remote's commits when both sides have commits the other
//! lacks: every file only one side changed is taken from that side, a
//! document both changed is merged field by field (`content::merge`), and
//! the result is one merge commit whose parents are the branch tip and the
//! remote's commit. Anything that cannot merge leaves both histories as
//! they are and is described for admins.

use super::{Ctx, Identity, ObjectId, SiteError, with_retries};
pub use crate::content::merge::Side;
use crate::content::merge::{self as field_merge, Part};
pub use crate::git::merge::CommitSummary;
use crate::git::merge::{MergeFile, MergeRequest, Resolution};
use crate::git::{FastForward, Writer};
use std::collections::HashMap;

/// What taking in the remote's commits did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakenIn {
    /// Nothing new there.
    UpToDate,
    /// The branch moved forward to the remote's commits.
    FastForwarded,
    /// Both sides had commits: they were joined by this merge commit.
    Merged(ObjectId),
    /// Both sides changed the same things differently: nothing was done.
    Conflicted(Vec<RemoteConflict>),
    /// The remote's branch shares no history with the site's.
    Unrelated,
}

/// One thing both Cairn's commits and the remote's changed, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConflict {
    pub path: String,
    /// What clashes: "the field `name`", "the text", ...
    pub part: String,
    /// Cairn's version (a field's lines, the text; `None`: removed or not
    /// shown).
    pub ours: Option<String>,
    /// The remote's version.
    pub theirs: Option<String>,
    /// The newest commit on each side that changed the file.
    pub ours_commit: Option<CommitSummary>,
    pub theirs_commit: Option<CommitSummary>,
}

/// A person's choices for conflicts: `(path, part as shown)` -> side.
#[derive(Debug, Clone)]
pub struct Choices {
    pub by: Identity,
    pub sides: HashMap<(String, String), Side>,
}

/// How a merge is made: by whom, from which remote, with what choices.
pub(super) struct MergeBy<'a> {
    pub committer: &'a Identity,
    pub now: i64,
    /// Names the remote in the merge commit's message.
    pub from: &'a str,
    pub choices: Option<&'a Choices>,
}

/// Brings `theirs` (fetched, in the repository) into the branch: a
/// fast-forward when the branch has nothing new, else a merge.
pub(super) fn take_in(
    cx: &Ctx<'_>,
    theirs: &ObjectId,
    how: &MergeBy<'_>,
) -> Result<(TakenIn, Vec<String>), SiteError> {
    let mut writer = cx.repo.write_lock()?;
    with_retries(
        || match writer.fast_forward(theirs, how.committer, how.now)? {
            FastForward::UpToDate => Ok((TakenIn::UpToDate, Vec::new())),
            FastForward::Moved { local_edits } => Ok((TakenIn::FastForwarded, local_edits)),
            FastForward::Diverged => merge(cx, &mut writer, theirs, how),
        },
    )
}

/// How a part is named to people (and in their choices).
fn label(part: &Part) -> String {
    match part {
        Part::Field(key) => format!("the field `{key}`"),
        Part::Body => "the text below the fields".to_string(),
        Part::Layout => "the comments or order of the fields".to_string(),
        Part::File(why) => format!("the whole file: {why}"),
    }
}

fn merge(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    theirs: &ObjectId,
    how: &MergeBy<'_>,
) -> Result<(TakenIn, Vec<String>), SiteError> {
    let from = how.from;
    let chosen = |path: &str, part: &str| {
        how.choices
            .and_then(|c| c.sides.get(&(path.to_string(), part.to_string())).copied())
    };
    let decided: std::cell::RefCell<Vec<String>> = std::cell::RefCell::default();
    let repo = cx.repo;
    let ours = repo.tip()?;
    let Some(div) = repo.divergence(&ours, theirs)? else {
        return Ok((TakenIn::Unrelated, Vec::new()));
    };
    let ours_changed: HashMap<&str, &crate::git::merge::FileDelta> =
        div.ours.iter().map(|d| (d.path.as_str(), d)).collect();
    let mut files = Vec::new();
    let mut taken = Vec::new();
    let mut merged = Vec::new();
    let mut clashes: Vec<(String, String, Option<String>, Option<String>)> = Vec::new();
    let read = |id: &ObjectId| -> Result<Vec<u8>, SiteError> {
        repo.read_blob(id)?
            .ok_or_else(|| SiteError::Remote(format!("object {id} is missing")))
    };
    for t in &div.theirs {
        let Some(o) = ours_changed.get(t.path.as_str()) else {
            files.push(MergeFile {
                path: t.path.clone(),
                take: Resolution::Theirs,
            });
            taken.push(t.path.clone());
            continue;
        };
        if o.new == t.new {
            continue;
        }
        let path = t.path.as_str();
        let choose = |part: &Part| {
            let side = chosen(path, &label(part));
            if let Some(side) = side {
                let kept = if side == Side::Ours {
                    "Cairn's"
                } else {
                    "the remote's"
                };
                let line = format!("{path}: {}: kept {kept}", label(part));
                let mut decided = decided.borrow_mut();
                if !decided.contains(&line) {
                    decided.push(line);
                }
            }
            side
        };
        match (&t.old, &o.new, &t.new) {
            (Some(base), Some(ov), Some(tv)) => {
                let ours_bytes = read(ov)?;
                let merged_file =
                    field_merge::three_way_choosing(&read(base)?, &ours_bytes, &read(tv)?, &choose);
                match merged_file {
                    Ok(bytes) => {
                        if bytes != ours_bytes {
                            files.push(MergeFile {
                                path: t.path.clone(),
                                take: Resolution::Content(bytes),
                            });
                        }
                        merged.push(t.path.clone());
                    }
                    Err(found) => {
                        for clash in found {
                            let part = label(&clash.part);
                            clashes.push((t.path.clone(), part, clash.ours, clash.theirs));
                        }
                    }
                }
            }
            (old, ours_new, theirs_new) => {
                let why = match (old, ours_new, theirs_new) {
                    (None, _, _) => "both sides added it, differently",
                    (_, None, _) => "Cairn's side removed it, the remote changed it",
                    _ => "the remote removed it, Cairn's side changed it",
                };
                let part = Part::File(why);
                match choose(&part) {
                    // Cairn's version is the branch's already.
                    Some(Side::Ours) => {}
                    Some(Side::Theirs) => files.push(MergeFile {
                        path: t.path.clone(),
                        take: Resolution::Theirs,
                    }),
                    None => clashes.push((t.path.clone(), label(&part), None, None)),
                }
            }
        }
    }
    if !clashes.is_empty() {
        let mut conflicts = Vec::with_capacity(clashes.len());
        for (path, part, ours_text, theirs_text) in clashes {
            conflicts.push(RemoteConflict {
                ours_commit: repo.last_change(&ours, &div.base, &path)?,
                theirs_commit: repo.last_change(theirs, &div.base, &path)?,
                path,
                part,
                ours: ours_text,
                theirs: theirs_text,
            });
        }
        return Ok((TakenIn::Conflicted(conflicts), Vec::new()));
    }
    let mut message = format!("Merge the changes from {from}\n");
    if !taken.is_empty() {
        message.push_str(&format!("\nTaken from {from}: {}\n", taken.join(", ")));
    }
    if !merged.is_empty() {
        message.push_str(&format!("\nMerged field by field: {}\n", merged.join(", ")));
    }
    let decided = decided.into_inner();
    let author = match how.choices {
        Some(choices) if !decided.is_empty() => {
            message.push_str(&format!("\nConflicts settled by {}:\n", choices.by.name));
            for line in &decided {
                message.push_str(&format!("- {line}\n"));
            }
            choices.by.clone()
        }
        _ => how.committer.clone(),
    };
    let request = MergeRequest {
        ours,
        theirs: theirs.clone(),
        files,
        author,
        committer: how.committer.clone(),
        message,
        time: how.now,
    };
    let (commit, local_edits) = writer.merge(&request)?;
    tracing::info!(%commit, taken = taken.len(), merged = merged.len(), "merged the remote's changes");
    Ok((TakenIn::Merged(commit), local_edits))
}
