//! `/site-health` (administrators): what Jekyll reads differently from how
//! the files look, at the branch tip, each finding with its file and line,
//! what Jekyll does and what to do; a document's findings link its form.

use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::error::AppError;
use crate::http::page::{Layout, render};
use crate::i18n::ToArg;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// One finding as shown.
struct Row {
    path: String,
    /// "line 12".
    at: String,
    what: String,
    jekyll: String,
    fix: String,
    /// The document's edit form, when it is one Cairn can open.
    form: Option<String>,
}

#[derive(Template)]
#[template(path = "site_health.html")]
struct HealthPage {
    ctx: Layout,
    intro: String,
    summary: String,
    rows: Vec<Row>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let lang = current.lang;
    let report = state.site.health().await?;
    let config = state.site.config().await?;
    let form_of = |path: &str| -> Option<String> {
        let (c, inside) = config.collection_at(path)?;
        Some(super::document_url(&c.name, c.slug_of(inside)?))
    };
    let rows: Vec<Row> = report
        .findings
        .iter()
        .map(|f| Row {
            path: f.path.clone(),
            at: lang.t_with("health-at", &[("line", f.line.to_arg())]),
            what: f.what.in_lang(lang),
            jekyll: f.jekyll(lang),
            fix: f.fix(lang),
            form: form_of(&f.path),
        })
        .collect();
    let files = report.files.to_arg();
    let summary = if rows.is_empty() {
        lang.t_with("health-clean", &[("files", files)])
    } else {
        lang.t_with(
            "health-summary",
            &[("files", files), ("findings", rows.len().to_arg())],
        )
    };
    let page = HealthPage {
        ctx: Layout::signed_in(&current).await?,
        intro: lang.t_with(
            "health-intro",
            &[("commit", report.commit.as_str()[..7].to_arg())],
        ),
        summary,
        rows,
    };
    Ok(render(&page)?.into_response())
}
