//! `/`: the collections of the site.

use super::builds::BuildView;
use crate::auth::Role;
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::site::CollectionSummary;
use crate::site::merge::{CommitSummary, RemoteConflict};
use askama::Template;
use axum::extract::State;
use axum::response::Html;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Layout,
    site_title: String,
    collections: Vec<CollectionSummary>,
    /// Lines saying how publishing goes (none without a remote).
    publishing: Vec<String>,
    /// For admins: what conflicts with what while publishing is paused.
    conflicts: Vec<ConflictRow>,
    /// The newest build Cairn ran, if it runs builds.
    last_build: Option<BuildView>,
}

/// One conflict with the remote, as shown to admins.
struct ConflictRow {
    path: String,
    part: String,
    ours: String,
    theirs: String,
    /// "Alice Martin, 2 minutes ago: Update projects/x: name (1a2b3c4)".
    ours_by: String,
    theirs_by: String,
}

impl ConflictRow {
    fn of(c: &RemoteConflict, now: i64) -> Self {
        let by = |commit: &Option<CommitSummary>| match commit {
            Some(c) => format!(
                "{}, {}: {} ({})",
                c.author.name,
                ago(now - c.time),
                c.summary,
                &c.id.as_str()[..7]
            ),
            None => String::new(),
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "(removed)".into());
        ConflictRow {
            path: c.path.clone(),
            part: c.part.clone(),
            ours: text(&c.ours),
            theirs: text(&c.theirs),
            ours_by: by(&c.ours_commit),
            theirs_by: by(&c.theirs_commit),
        }
    }
}

/// "Published 2 minutes ago", "3 changes waiting to publish", ...
fn publishing_lines(status: &crate::site::publish::PublishStatus, now: i64) -> Vec<String> {
    let Some(target) = &status.target else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if let Some(reason) = &status.paused {
        lines.push(format!("Publishing paused: {reason}."));
    }
    match &status.published {
        Some((_, at)) => lines.push(format!("Published {}.", ago(now - at))),
        None => lines.push(format!(
            "Nothing published to {} since Cairn started.",
            target.remote
        )),
    }
    match status.waiting {
        0 => {}
        1 => lines.push("1 change waiting to publish.".into()),
        n => lines.push(format!("{n} changes waiting to publish.")),
    }
    if let Some(error) = &status.failing {
        lines.push(format!(
            "The last attempt to publish failed ({error}). Saving goes on; every change is kept and published once the remote takes it."
        ));
    }
    if status.stopped {
        lines.push(format!(
            "Cairn stopped trying after {} refusals; it tries again with the next change. Check the remote's credentials.",
            crate::site::publish::PERMANENT_TRIES
        ));
    }
    lines
}

fn ago(secs: i64) -> String {
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 120 => "a minute ago".into(),
        s if s < 3600 => format!("{} minutes ago", s / 60),
        s if s < 7200 => "an hour ago".into(),
        s => format!("{} hours ago", s / 3600),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Html<String>, AppError> {
    let config = state.site.config().await?;
    let collections = state.site.collections().await?;
    let status = state.site.publish_status();
    let now = state.clock.now();
    let conflicts = if current.user.role == Role::Admin {
        status
            .conflicts
            .iter()
            .map(|c| ConflictRow::of(c, now))
            .collect()
    } else {
        Vec::new()
    };
    let last_build = state.builds.recent(1).await?.first().map(BuildView::of);
    render(&DashboardPage {
        ctx: Layout::signed_in(&current).await?,
        site_title: config
            .title
            .clone()
            .unwrap_or_else(|| current.lang.t("dashboard-site")),
        collections,
        publishing: publishing_lines(&status, now),
        conflicts,
        last_build,
    })
}
