//! `/`: the collections of the site.

use super::builds::BuildView;
use crate::auth::Role;
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::http::session::Notice;
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
    /// The published site, when `_config.yml` says where (`url`).
    site_url: Option<String>,
    /// Each collection with how it is named to the reader.
    collections: Vec<(CollectionSummary, String)>,
    /// The last changes made, newest first.
    recent: Vec<super::history::Row>,
    /// For admins: what the site's configuration files say that Cairn could
    /// not use (file, line, what).
    config_notices: Vec<String>,
    /// The one line saying where publishing stands.
    publishing: (Notice, String),
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

/// The one line that says where publishing stands, and how it reads: the
/// most pressing of paused, failing, waiting and published, in words an
/// editor understands (what is waiting is said with it).
fn publishing_state(
    status: &crate::site::publish::PublishStatus,
    now: i64,
    lang: Lang,
    admin: bool,
    titles: &[String],
) -> (Notice, String) {
    use crate::site::publish::PublishState as S;
    let waiting = (status.waiting > 0)
        .then(|| lang.t_with("dash-waiting", &[("count", status.waiting.to_arg())]));
    let join =
        |parts: Vec<Option<String>>| parts.into_iter().flatten().collect::<Vec<_>>().join(" ");
    let state = status.state();
    match (state, &status.target, &status.paused, &status.failing) {
        (S::Paused, _, Some(reason), _) => {
            let what = if titles.is_empty() {
                lang.t_with("dash-paused", &[("reason", reason.to_arg())])
            } else {
                lang.t_with(
                    "dash-paused-conflict",
                    &[("titles", titles.join(", ").into())],
                )
            };
            let who = lang.t(if admin {
                "dash-paused-admin"
            } else {
                "dash-paused-editor"
            });
            (Notice::Warning, join(vec![Some(what), waiting, Some(who)]))
        }
        (S::Failing, _, _, Some(error)) => {
            let stopped = status.stopped.then(|| {
                lang.t_with(
                    "dash-stopped",
                    &[("count", crate::site::publish::PERMANENT_TRIES.to_arg())],
                )
            });
            (
                Notice::Error,
                join(vec![
                    Some(lang.t_with("dash-failing", &[("error", error.to_arg())])),
                    waiting,
                    stopped,
                    Some(lang.t("dash-saving-goes-on")),
                ]),
            )
        }
        (S::Waiting, ..) => (Notice::Info, waiting.unwrap_or_default()),
        (S::Published, ..) => {
            let at = status.published.as_ref().map_or(now, |(_, at)| *at);
            (
                Notice::Success,
                lang.t_with("dash-published", &[("when", ago(now - at, lang).into())]),
            )
        }
        (S::Unpublished, Some(target), ..) => (
            Notice::Info,
            lang.t_with(
                "dash-nothing-published",
                &[(
                    "remote",
                    crate::site::publish::without_credentials(&target.remote).into(),
                )],
            ),
        ),
        _ => (Notice::Info, lang.t("dash-no-remote")),
    }
}

/// The documents publishing disagrees about, by their titles (a file that
/// is no document by its name).
async fn conflict_titles(
    state: &AppState,
    conflicts: &[RemoteConflict],
) -> Result<Vec<String>, AppError> {
    let seen_in = |c: &RemoteConflict| {
        c.ours_commit
            .as_ref()
            .or(c.theirs_commit.as_ref())
            .map(|k| k.id.clone())
    };
    let pages = state
        .site
        .pages(
            conflicts
                .iter()
                .map(|c| (c.path.clone(), seen_in(c)))
                .collect(),
        )
        .await?;
    let mut titles: Vec<String> = Vec::new();
    for c in conflicts {
        let title = pages.get(&c.path).map_or_else(
            || c.path.rsplit('/').next().unwrap_or(&c.path).to_string(),
            |p| p.title.clone(),
        );
        if !titles.contains(&title) {
            titles.push(title);
        }
    }
    Ok(titles)
}

/// Changes the dashboard lists.
const RECENT: usize = 5;

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
    let titles = conflict_titles(&state, &status.conflicts).await?;
    let mut recent = state
        .site
        .history(&crate::site::history::HistoryQuery::default())
        .await?
        .entries;
    recent.truncate(RECENT);
    let recent = super::history::rows(&state, recent, &current).await?;
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
        site_url: config.site_url(),
        config_notices: if current.user.role == Role::Admin {
            config
                .model
                .notices
                .iter()
                .map(|n| {
                    if n.line == 0 {
                        current.lang.t_with(
                            "dash-config-file",
                            &[
                                ("file", n.file.to_arg()),
                                ("what", n.message.in_lang(current.lang).to_arg()),
                            ],
                        )
                    } else {
                        current.lang.t_with(
                            "dash-config-line",
                            &[
                                ("file", n.file.to_arg()),
                                ("line", n.line.to_arg()),
                                ("what", n.message.in_lang(current.lang).to_arg()),
                            ],
                        )
                    }
                })
                .collect()
        } else {
            Vec::new()
        },
        collections: collections
            .into_iter()
            .map(|c| {
                let label = super::collection_label(
                    config.model.collection(&c.name),
                    &c.name,
                    current.lang,
                );
                (c, label)
            })
            .collect(),
        recent,
        publishing: publishing_state(
            &status,
            now,
            current.lang,
            current.user.role == Role::Admin,
            &titles,
        ),
        conflicts,
        last_build,
    })
}
