//! Taking in the remote's commits when both sides have commits the other
//! lacks: every file only one side changed is taken from that side, a
//! document both changed is merged field by field (`content::merge`), and
//! the result is one merge commit whose parents are the branch tip and the
//! remote's commit. Anything that cannot merge leaves both histories as
//! they are and is described for admins.

use super::{Ctx, Identity, ObjectId, SiteError, with_retries};
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

/// Brings `theirs` (fetched, in the repository) into the branch: a
/// fast-forward when the branch has nothing new, else a merge. `from` names
/// the remote in the merge commit's message.
pub(super) fn take_in(
    cx: &Ctx<'_>,
    theirs: &ObjectId,
    committer: &Identity,
    now: i64,
    from: &str,
) -> Result<(TakenIn, Vec<String>), SiteError> {
    let mut writer = cx.repo.write_lock()?;
    with_retries(|| match writer.fast_forward(theirs, committer, now)? {
        FastForward::UpToDate => Ok((TakenIn::UpToDate, Vec::new())),
        FastForward::Moved { local_edits } => Ok((TakenIn::FastForwarded, local_edits)),
        FastForward::Diverged => merge(cx, &mut writer, theirs, committer, now, from),
    })
}

fn merge(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    theirs: &ObjectId,
    committer: &Identity,
    now: i64,
    from: &str,
) -> Result<(TakenIn, Vec<String>), SiteError> {
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
        let whole = |why: &str| (t.path.clone(), format!("the whole file: {why}"), None, None);
        match (&t.old, &o.new, &t.new) {
            (Some(base), Some(ov), Some(tv)) => {
                let ours_bytes = read(ov)?;
                match field_merge::three_way(&read(base)?, &ours_bytes, &read(tv)?) {
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
                            let part = match clash.part {
                                Part::Field(key) => format!("the field `{key}`"),
                                Part::Body => "the text below the fields".to_string(),
                                Part::Layout => "the comments or order of the fields".to_string(),
                                Part::File(why) => format!("the whole file: {why}"),
                            };
                            clashes.push((t.path.clone(), part, clash.ours, clash.theirs));
                        }
                    }
                }
            }
            (None, _, _) => clashes.push(whole("both sides added it, differently")),
            (_, None, _) => clashes.push(whole("Cairn's side removed it, the remote changed it")),
            (_, _, None) => clashes.push(whole("the remote removed it, Cairn's side changed it")),
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
    let request = MergeRequest {
        ours,
        theirs: theirs.clone(),
        files,
        committer: committer.clone(),
        message,
        time: now,
    };
    let (commit, local_edits) = writer.merge(&request)?;
    tracing::info!(%commit, taken = taken.len(), merged = merged.len(), "merged the remote's changes");
    Ok((TakenIn::Merged(commit), local_edits))
}
