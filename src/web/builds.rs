//! `/builds`: the static builds Cairn ran, and one run's log, followed live
//! with server-sent events while it runs (the page refreshes itself when
//! JavaScript is off).

use crate::builds::{BuildRow, Follow, LiveEvent};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::i18n::When;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures_util::stream::{self, Stream};
use std::collections::VecDeque;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

/// Runs shown on `/builds`.
const LISTED: i64 = 100;

/// A run as the pages show it.
pub(super) struct BuildView {
    pub id: i64,
    pub commit: String,
    pub short: String,
    /// The catalogue key of why it ran.
    pub trigger: &'static str,
    pub started: When,
    pub ended: Option<When>,
    /// The catalogue key of its status.
    pub status: &'static str,
    /// `failed`, `timed_out`: shown as a problem.
    pub bad: bool,
    pub timed_out: bool,
    pub running: bool,
    pub exit_code: String,
}

impl BuildView {
    pub(super) fn of(row: &BuildRow, current: &CurrentUser) -> Self {
        BuildView {
            id: row.id,
            commit: row.commit_id.clone(),
            short: row.commit_id.chars().take(7).collect(),
            trigger: match row.trigger.as_str() {
                "push" => "build-why-push",
                "commit" => "build-why-commit",
                "fetch" => "build-why-fetch",
                "restart" => "build-why-restart",
                _ => "build-why-other",
            },
            started: current.when(row.started_at),
            ended: row.ended_at.map(|t| current.when(t)),
            status: status_label(&row.status),
            bad: matches!(row.status.as_str(), "failed" | "timed_out"),
            timed_out: row.status == "timed_out",
            running: row.status == "running",
            exit_code: row.exit_code.map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

/// The catalogue key of a run's status.
pub(super) fn status_label(status: &str) -> &'static str {
    match status {
        "running" => "build-running",
        "succeeded" => "build-succeeded",
        "failed" => "build-failed",
        "timed_out" => "build-timed-out",
        "interrupted" => "build-interrupted",
        _ => "build-unknown",
    }
}

#[derive(Template)]
#[template(path = "builds.html")]
struct BuildsPage {
    ctx: Layout,
    enabled: bool,
    builds: Vec<BuildView>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Html<String>, AppError> {
    let rows = state.builds.recent(LISTED).await?;
    render(&BuildsPage {
        ctx: Layout::signed_in(&current).await?,
        enabled: state.builds.enabled(),
        builds: rows.iter().map(|r| BuildView::of(r, &current)).collect(),
    })
}

#[derive(Template)]
#[template(path = "build.html")]
struct BuildPage {
    ctx: Layout,
    build: BuildView,
    running: bool,
    log: String,
    /// The live stream, starting after the lines shown.
    events: String,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let row = state.builds.get(id).await?.ok_or_else(|| {
        AppError::NotFound(crate::i18n::Message::Key(
            "build-none",
            vec![("id", id.into())],
        ))
    })?;
    let (running, log, next) = match state.builds.follow(id, 0) {
        Follow::Running(lines, _) => {
            let next = lines.last().map_or(0, |(n, _)| n + 1);
            let mut log = String::new();
            for (_, line) in lines {
                log.push_str(&line);
                log.push('\n');
            }
            (true, log, next)
        }
        Follow::NotRunning => (false, row.log_tail.clone(), 0),
    };
    render(&BuildPage {
        ctx: Layout::signed_in(&current).await?,
        build: BuildView::of(&row, &current),
        running,
        log,
        events: format!("/builds/{id}/events?from={next}"),
    })
}

#[derive(serde::Deserialize)]
pub(super) struct FromLine {
    from: Option<usize>,
}

/// The run's log lines from `from` on (or after the browser's
/// `Last-Event-ID` when it reconnects), then each new line, then `end`.
pub(super) async fn events(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<FromLine>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .map(|n| n + 1);
    let from = resumed.or(q.from).unwrap_or(0);
    let stream = match state.builds.follow(id, from) {
        Follow::Running(lines, events) => live_stream(lines.into(), Some(events), None),
        // Read after `follow`: a run that just ended has its final status.
        Follow::NotRunning => {
            let row = state.builds.get(id).await?.ok_or_else(|| {
                AppError::NotFound(crate::i18n::Message::Key(
                    "build-none",
                    vec![("id", id.into())],
                ))
            })?;
            live_stream(VecDeque::new(), None, Some(row.status))
        }
    };
    // The server's stop ends the stream, so shutting down never waits for
    // a browser following a log.
    let stream = futures_util::StreamExt::take_until(stream, state.stopping.clone().stopped());
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// Backlog first, then live events, until the end.
fn live_stream(
    backlog: VecDeque<(usize, String)>,
    events: Option<tokio::sync::broadcast::Receiver<LiveEvent>>,
    ended: Option<String>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    struct St {
        backlog: VecDeque<(usize, String)>,
        events: Option<tokio::sync::broadcast::Receiver<LiveEvent>>,
        ended: Option<String>,
        done: bool,
    }
    let line = |n: usize, text: &str| {
        Event::default()
            .event("line")
            .id(n.to_string())
            .data(text.replace('\r', ""))
    };
    let start = St {
        backlog,
        events,
        ended,
        done: false,
    };
    stream::unfold(start, move |mut st| async move {
        if st.done {
            return None;
        }
        if let Some((n, text)) = st.backlog.pop_front() {
            return Some((Ok(line(n, &text)), st));
        }
        if let Some(status) = st.ended.take() {
            st.done = true;
            return Some((Ok(Event::default().event("end").data(status)), st));
        }
        let events = st.events.as_mut()?;
        loop {
            match events.recv().await {
                Ok(LiveEvent::Line(n, text)) => return Some((Ok(line(n, &text)), st)),
                Ok(LiveEvent::End(status)) => {
                    st.done = true;
                    return Some((Ok(Event::default().event("end").data(status)), st));
                }
                // A slow reader missed lines: the page has the full record
                // once the build ends.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
