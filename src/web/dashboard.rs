//! `/`: the collections of the site.

use super::builds::BuildView;
use crate::auth::Role;
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::i18n::{Lang, ToArg};
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
    fn of(c: &RemoteConflict, now: i64, lang: Lang) -> Self {
        let by = |commit: &Option<CommitSummary>| match commit {
            Some(c) => format!(
                "{}, {}: {} ({})",
                c.author.name,
                ago(now - c.time, lang),
                c.summary,
                &c.id.as_str()[..7]
            ),
            None => String::new(),
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| lang.t("dash-removed"));
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
fn publishing_lines(
    status: &crate::site::publish::PublishStatus,
    now: i64,
    lang: Lang,
) -> Vec<String> {
    let Some(target) = &status.target else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if let Some(reason) = &status.paused {
        lines.push(lang.t_with("dash-paused", &[("reason", reason.to_arg())]));
    }
    match &status.published {
        Some((_, at)) => {
            lines.push(lang.t_with("dash-published", &[("when", ago(now - at, lang).into())]))
        }
        None => lines.push(lang.t_with(
            "dash-nothing-published",
            &[("remote", target.remote.to_arg())],
        )),
    }
    if status.waiting > 0 {
        lines.push(lang.t_with("dash-waiting", &[("count", status.waiting.to_arg())]));
    }
    if let Some(error) = &status.failing {
        lines.push(lang.t_with("dash-failing", &[("error", error.to_arg())]));
    }
    if status.stopped {
        lines.push(lang.t_with(
            "dash-stopped",
            &[("count", crate::site::publish::PERMANENT_TRIES.to_arg())],
        ));
    }
    lines
}

/// How long ago, in words: "just now", "3 minutes ago".
fn ago(secs: i64, lang: Lang) -> String {
    match secs {
        s if s < 60 => lang.t("ago-now"),
        s if s < 3600 => lang.t_with("ago-minutes", &[("count", (s / 60).into())]),
        s => lang.t_with("ago-hours", &[("count", (s / 3600).into())]),
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
            .map(|c| ConflictRow::of(c, now, current.lang))
            .collect()
    } else {
        Vec::new()
    };
    let last_build = state
        .builds
        .recent(1)
        .await?
        .first()
        .map(|r| BuildView::of(r, &current));
    render(&DashboardPage {
        ctx: Layout::signed_in(&current).await?,
        site_title: config
            .title
            .clone()
            .unwrap_or_else(|| current.lang.t("dashboard-site")),
        collections,
        publishing: publishing_lines(&status, now, current.lang),
        conflicts,
        last_build,
    })
}
