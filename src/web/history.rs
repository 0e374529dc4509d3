//! History for reviewers: `/history` (the whole site), a document's
//! `/collections/{collection}/{slug}/history`, `/commits/{sha}` (a change,
//! field by field), and the two actions that make new commits: restore a
//! document to an old version, and revert a change.

use crate::content::SiteConfig;
use crate::content::diff::Line;
use crate::content::{CollectionName, FieldView, Slug};
use crate::http::AppState;
use crate::http::error::{AppError, encode_query};
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::{Lang, ToArg, When};
use crate::site::history::{HistoryEntry, HistoryQuery, PageRef, parse_day};
use crate::site::{ObjectId, SaveOutcome, SiteError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// A file a change touched, as a reader names it.
struct FileLine {
    /// What happened to it (`added`, `modified`, `deleted`, `renamed`).
    change: &'static str,
    /// The document's title, or the file's path when it is no document.
    name: String,
    /// Its edit page, when it is a document still there.
    link: Option<String>,
    /// The changed fields' labels, joined.
    fields: String,
}

/// The catalogue key of what happened to a file.
fn change_label(change: &str) -> &'static str {
    match change {
        "added" => "history-file-added",
        "deleted" => "history-file-deleted",
        "renamed" => "history-file-renamed",
        _ => "history-file-modified",
    }
}

impl FileLine {
    fn change_label(&self) -> &'static str {
        change_label(self.change)
    }
}

impl FileView {
    fn change_label(&self) -> &'static str {
        change_label(self.change)
    }
}

/// A history line as shown (here, and in the dashboard's last changes).
pub(super) struct Row {
    pub(super) sha: String,
    pub(super) when: When,
    pub(super) author: String,
    /// What the change did, in the reader's language.
    pub(super) headline: String,
    files: Vec<FileLine>,
    /// The document's path in this commit (document history only).
    path: String,
}

fn change_key(change: &str) -> &'static str {
    match change {
        "added" => "added",
        "deleted" => "deleted",
        "renamed" => "renamed",
        _ => "modified",
    }
}

/// What a change did, for its line and its page: Cairn's own summary is
/// said again in the reader's words (the first document and what happened
/// to it, and how many other files); a person's message is theirs.
fn headline(
    first: Option<(&str, &str)>,
    files: usize,
    summary: &str,
    by_cairn: bool,
    lang: Lang,
) -> String {
    use crate::site::{Made, Message};
    match first {
        Some((change, title)) if by_cairn || summary.trim().is_empty() => lang.t_with(
            "history-headline",
            &[
                (
                    "change",
                    match Message::made(summary).filter(|_| by_cairn) {
                        Some(Made::Restored) => "restored",
                        Some(Made::Reverted) => "reverted",
                        _ => change,
                    }
                    .to_arg(),
                ),
                ("title", title.to_arg()),
                ("others", (files - 1).to_arg()),
            ],
        ),
        _ => summary.to_string(),
    }
}

/// How a page of history names files: the documents they are (titles,
/// links) and the site's model (field labels), read once per page.
struct Names {
    pages: HashMap<String, PageRef>,
    config: Arc<SiteConfig>,
    lang: Lang,
}

impl Names {
    /// For `paths`, each with the commit it was seen in.
    async fn of(
        state: &AppState,
        paths: Vec<(String, &str)>,
        lang: Lang,
    ) -> Result<Names, AppError> {
        let paths = paths
            .into_iter()
            .map(|(p, sha)| (p, ObjectId::parse(sha)))
            .collect();
        Ok(Names {
            pages: state.site.pages(paths).await?,
            config: state.site.config().await?,
            lang,
        })
    }

    /// The label a changed field of `page` is shown with (the form's).
    fn label(&self, page: Option<&PageRef>, key: &str) -> String {
        let model = page.and_then(|p| self.config.model.collection(&p.collection));
        super::field_label(model, key, self.lang)
    }

    /// A document's title, else the path; and its page, while it exists.
    fn name(&self, path: &str) -> (String, Option<String>) {
        let page = self.pages.get(path);
        (
            page.map_or_else(|| path.to_string(), |p| p.title.clone()),
            page.filter(|p| p.exists)
                .map(|p| super::document_url(&p.collection, &p.slug)),
        )
    }

    fn line(&self, path: &str, change: &str, fields: &[String]) -> FileLine {
        let (name, link) = self.name(path);
        FileLine {
            change: change_key(change),
            name,
            link,
            // A new or deleted document changed every field: saying so says nothing.
            fields: match change_key(change) {
                "modified" | "renamed" => fields
                    .iter()
                    .map(|k| self.label(self.pages.get(path), k))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            },
        }
    }
}

/// A commit's files as its page (and a revert's or restore's preview)
/// shows them, seen in commit `sha`.
async fn file_views(
    state: &AppState,
    files: Vec<crate::site::history::FileDetail>,
    sha: &str,
    lang: Lang,
) -> Result<Vec<FileView>, AppError> {
    let paths = files.iter().map(|f| (f.path.clone(), sha)).collect();
    let names = Names::of(state, paths, lang).await?;
    Ok(files.into_iter().map(|f| file_view(f, &names)).collect())
}

pub(super) async fn rows(
    state: &AppState,
    entries: Vec<HistoryEntry>,
    current: &CurrentUser,
) -> Result<Vec<Row>, AppError> {
    let lang = current.lang;
    let paths = entries
        .iter()
        .flat_map(|e| e.files.iter().map(|f| (f.path.clone(), e.sha.as_str())))
        .collect();
    let names = Names::of(state, paths, lang).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let files: Vec<FileLine> = e
                .files
                .iter()
                .map(|f| names.line(&f.path, &f.change, &f.fields))
                .collect();
            Row {
                when: current.when(e.time),
                author: e.author_name,
                headline: headline(
                    files.first().map(|f| (f.change, f.name.as_str())),
                    files.len(),
                    &e.summary,
                    e.by_cairn,
                    lang,
                ),
                path: e.files.first().map(|f| f.path.clone()).unwrap_or_default(),
                files,
                sha: e.sha,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    ctx: Layout,
    title: String,
    /// The document's title, on a document's history.
    page_title: String,
    /// How its collection is named to the reader, on a document's history.
    collection_label: String,
    /// Set on a document's history: restore buttons post here.
    document: Option<(String, String)>,
    can_edit: bool,
    rows: Vec<Row>,
    next: Option<String>,
    filters: Filters,
    /// Filters that could not be used, said beside the form.
    problems: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub(super) struct Filters {
    author: Option<String>,
    collection: Option<String>,
    /// A document's slug, with `collection`.
    document: Option<String>,
    since: Option<String>,
    until: Option<String>,
    before: Option<String>,
}

impl Filters {
    /// The query string for the next page.
    fn next_query(&self, cursor: &str) -> String {
        let mut q = format!("?before={}", encode_query(cursor));
        for (k, v) in [
            ("author", &self.author),
            ("collection", &self.collection),
            ("document", &self.document),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.push_str(&format!("&{k}={}", encode_query(v)));
            }
        }
        q
    }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub(super) async fn site_history(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(filters): Query<Filters>,
) -> Result<Response, AppError> {
    let lang = current.lang;
    // A filter that cannot be used is said on the page, beside the form,
    // and nothing is listed.
    let mut problems = Vec::new();
    let mut day = |value: &Option<String>, which: &str| match non_empty(value) {
        None => None,
        Some(s) => {
            let parsed = parse_day(s);
            if parsed.is_none() {
                problems.push(lang.t_with(
                    "history-bad-day",
                    &[("which", lang.t(which).into()), ("value", s.to_arg())],
                ));
            }
            parsed
        }
    };
    let since = day(&filters.since, "history-since");
    let until = day(&filters.until, "history-until").map(|u| u + 86_400);
    // A name that can be no collection or document is "not found".
    let mut status = StatusCode::BAD_REQUEST;
    let collection = non_empty(&filters.collection).and_then(|c| {
        let parsed = CollectionName::parse(c).ok();
        if parsed.is_none() {
            problems.push(lang.t_with("error-no-collection", &[("what", c.to_arg())]));
            status = StatusCode::NOT_FOUND;
        }
        parsed
    });
    let slug = match (non_empty(&filters.collection), non_empty(&filters.document)) {
        (Some(_), Some(d)) => {
            let parsed = Slug::parse(d).ok();
            if parsed.is_none() {
                problems.push(lang.t_with("error-no-page", &[("what", d.to_arg())]));
                status = StatusCode::NOT_FOUND;
            }
            parsed
        }
        (None, Some(_)) => {
            problems.push(lang.t("history-document-needs-collection"));
            None
        }
        _ => None,
    };
    let can_edit = current.user.role.can_edit();
    if !problems.is_empty() {
        let page = HistoryPage {
            ctx: Layout::signed_in(&current).await?,
            title: lang.t("history-title"),
            page_title: String::new(),
            collection_label: String::new(),
            document: None,
            can_edit,
            next: None,
            rows: Vec::new(),
            filters,
            problems,
        };
        return Ok((status, render(&page)?).into_response());
    }
    let query = HistoryQuery {
        path: None,
        author: non_empty(&filters.author).map(String::from),
        collection,
        slug,
        since,
        until,
        before: non_empty(&filters.before).and_then(|b| b.parse().ok()),
    };
    let page = state.site.history(&query).await?;
    Ok(render(&HistoryPage {
        ctx: Layout::signed_in(&current).await?,
        title: lang.t("history-title"),
        page_title: String::new(),
        collection_label: String::new(),
        document: None,
        can_edit,
        next: page.next.map(|n| filters.next_query(&n)),
        rows: rows(&state, page.entries, &current).await?,
        filters,
        problems: Vec::new(),
    })?
    .into_response())
}

/// A change named in an address: one that can be no commit is not found.
fn commit_id(sha: &str) -> Result<ObjectId, AppError> {
    ObjectId::parse(sha).ok_or_else(|| {
        AppError::NotFound(crate::i18n::Message::Key(
            "history-no-commit",
            vec![("sha", sha.to_arg())],
        ))
    })
}

/// The version a restore names.
fn version_id(sha: &str) -> Result<ObjectId, AppError> {
    ObjectId::parse(sha)
        .ok_or_else(|| AppError::BadRequest(crate::i18n::Message::key("history-not-a-version")))
}

#[derive(Deserialize)]
pub(super) struct Cursor {
    before: Option<String>,
}

pub(super) async fn document_history(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    Query(cursor): Query<Cursor>,
) -> Result<Html<String>, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let page = state
        .site
        .document_history(&name, &slug_name, cursor.before.as_deref())
        .await?;
    let page_title = match state.site.document(&name, &slug_name).await {
        Ok(loaded) => loaded
            .content
            .as_ref()
            .as_ref()
            .ok()
            .and_then(crate::content::Document::title)
            .unwrap_or_else(|| slug.clone()),
        Err(_) => slug.clone(),
    };
    let collection_label = super::collection_label_of(&state, &collection, current.lang).await?;
    render(&HistoryPage {
        ctx: Layout::signed_in(&current).await?,
        title: current
            .lang
            .t_with("history-of", &[("page", page_title.to_arg())]),
        page_title,
        collection_label,
        document: Some((collection, super::url_slug(&slug))),
        can_edit: current.user.role.can_edit(),
        next: page.next.map(|n| format!("?before={}", encode_query(&n))),
        rows: rows(&state, page.entries, &current).await?,
        filters: Filters::default(),
        problems: Vec::new(),
    })
}

/// A field change as the commit page shows it.
struct FieldRow {
    key: String,
    /// `"old" -> "new"`, `+ item, - item`, `added: "value"`, `removed`.
    text: String,
}

fn show(view: &Option<FieldView>, lang: Lang) -> String {
    match view {
        None => lang.t("commit-absent"),
        Some(FieldView::Empty) => lang.t("commit-empty"),
        Some(FieldView::Text(s) | FieldView::MultiLine(s)) => format!("\"{s}\""),
        Some(FieldView::List(items)) => format!("[{}]", items.join(", ")),
        Some(FieldView::ReadOnly(src)) => src.clone(),
    }
}

struct FileView {
    /// The document's title, or the file's path when it is no document.
    name: String,
    /// The file's path (and its old path, for a rename), for the details.
    path: String,
    /// Its edit page, when it is a document still there.
    link: Option<String>,
    /// What happened to it (`added`, `modified`, `deleted`, `renamed`).
    change: &'static str,
    fields: Vec<FieldRow>,
    /// (`+`, `-`, ` ` or `…` for lines left out, text): the changed lines
    /// with up to [`CONTEXT`] unchanged ones around each.
    lines: Vec<(char, String)>,
    binary: bool,
}

/// Unchanged lines shown around each change in a text's diff.
const CONTEXT: usize = 3;

/// The changed lines of a diff with their context; runs of unchanged lines
/// further from any change become one `…` line.
fn with_context(lines: Vec<Line>) -> Vec<(char, String)> {
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, Line::Same(_))).collect();
    if !changed.contains(&true) {
        return Vec::new();
    }
    let near = |i: usize| {
        let from = i.saturating_sub(CONTEXT);
        let to = (i + CONTEXT).min(changed.len() - 1);
        changed[from..=to].contains(&true)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (i, line) in lines.into_iter().enumerate() {
        if !near(i) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push(('…', String::new()));
            skipped = false;
        }
        out.push(match line {
            Line::Added(t) => ('+', t),
            Line::Removed(t) => ('-', t),
            Line::Same(t) => (' ', t),
        });
    }
    if skipped {
        out.push(('…', String::new()));
    }
    out
}

#[derive(Template)]
#[template(path = "commit.html")]
struct CommitPage {
    ctx: Layout,
    sha: String,
    /// What the change did, in the reader's words.
    headline: String,
    /// The rest of a person's own message (its first line is the headline).
    own_message: Option<String>,
    /// The whole message as recorded, with its trailers (the details).
    message: String,
    author: String,
    /// Name and email, for the details.
    author_full: String,
    committer: String,
    when: When,
    can_edit: bool,
    /// A merge (two parents): not reverted as a whole.
    merge: bool,
    files: Vec<FileView>,
}

pub(super) async fn commit(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(sha): Path<String>,
) -> Result<Html<String>, AppError> {
    let lang = current.lang;
    let id = commit_id(&sha)?;
    let detail = state.site.commit_detail(&id).await?;
    let info = detail.info;
    let files = file_views(&state, detail.files, info.id.as_str(), lang).await?;
    let by_cairn = info.trailer("Cairn-User").is_some();
    let own = info.body_without_trailers();
    render(&CommitPage {
        ctx: Layout::signed_in(&current).await?,
        headline: headline(
            files.first().map(|f| (f.change, f.name.as_str())),
            files.len(),
            info.summary(),
            by_cairn,
            lang,
        ),
        own_message: (!by_cairn && !own.is_empty()).then_some(own),
        message: info.message.trim().to_string(),
        author: info.author.name.clone(),
        author_full: format!("{} <{}>", info.author.name, info.author.email),
        committer: format!("{} <{}>", info.committer.name, info.committer.email),
        when: current.when(info.time),
        can_edit: current.user.role.can_edit(),
        merge: info.parents.len() > 1,
        sha: info.id.to_string(),
        files,
    })
}

/// A file's changes as a change's page (and a revert's preview) shows them.
fn file_view(f: crate::site::history::FileDetail, names: &Names) -> FileView {
    let (lang, page) = (names.lang, names.pages.get(&f.path));
    let (name, link) = names.name(&f.path);
    FileView {
        name,
        link,
        path: match &f.old_path {
            Some(old) => format!("{old} → {}", f.path),
            None => f.path.clone(),
        },
        change: change_key(f.change.as_str()),
        fields: f
            .document
            .map(|d| {
                d.fields
                    .iter()
                    .map(|c| FieldRow {
                        key: names.label(page, &c.key),
                        text: match (c.list_changes(), &c.before, &c.after) {
                            (Some((added, removed)), Some(_), Some(_)) => added
                                .iter()
                                .map(|a| format!("+ {a}"))
                                .chain(removed.iter().map(|r| format!("− {r}")))
                                .collect::<Vec<_>>()
                                .join(", "),
                            _ => format!("{} → {}", show(&c.before, lang), show(&c.after, lang)),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
        lines: with_context(f.lines),
        binary: f.binary,
    }
}

/// What a restore or revert did, as a flash message (`done`: the
/// catalogue key of what was done, with the commit's short id).
fn outcome_message(outcome: &SaveOutcome, done: &str, lang: Lang) -> String {
    match outcome {
        SaveOutcome::Unchanged => lang.t("history-nothing-to-change"),
        SaveOutcome::Saved { commit, .. } => lang.t_with(
            done,
            &[(
                "commit",
                commit.as_str()[..7.min(commit.as_str().len())].to_arg(),
            )],
        ),
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    ctx: Layout,
    title: String,
    explain: String,
    files: Vec<FileView>,
    /// Where the confirmation posts (`None`: there is nothing to do).
    action: Option<String>,
    hidden: Vec<(&'static str, String)>,
    submit: String,
    /// Where "cancel" leads.
    back: String,
}

/// `GET /collections/{c}/{slug}/restore?sha=&path=`: what restoring that
/// version would change, and the button that does it.
pub(super) async fn confirm_restore(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    Query(form): Query<RestoreForm>,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let lang = current.lang;
    let sha = version_id(&form.sha)?;
    let detail = state
        .site
        .restore_preview(&name, &slug_name, &sha, &form.path)
        .await?;
    let unchanged = detail.document.as_ref().is_none_or(|d| d.fields.is_empty())
        && !detail.lines.iter().any(|l| !matches!(l, Line::Same(_)));
    let page = super::document_url(&collection, &slug);
    render(&ConfirmPage {
        ctx: Layout::signed_in(&current).await?,
        title: lang.t("restore-title"),
        explain: lang.t(if unchanged {
            "history-nothing-to-change"
        } else {
            "restore-explain"
        }),
        files: if unchanged {
            Vec::new()
        } else {
            file_views(&state, vec![detail], &form.sha, lang).await?
        },
        action: (!unchanged).then(|| format!("{page}/restore")),
        hidden: vec![("sha", form.sha.clone()), ("path", form.path.clone())],
        submit: lang.t("history-restore"),
        back: format!("{page}/history"),
    })
    .map(IntoResponse::into_response)
}

/// `GET /commits/{sha}/revert`: what undoing that change would change, and
/// the button that does it.
pub(super) async fn confirm_revert(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(sha): Path<String>,
) -> Result<Response, AppError> {
    let lang = current.lang;
    let id = commit_id(&sha)?;
    let detail = state.site.commit_detail(&id).await?;
    let merge = detail.info.parents.len() > 1;
    let files = file_views(&state, detail.files, &sha, lang).await?;
    render(&ConfirmPage {
        ctx: Layout::signed_in(&current).await?,
        title: lang.t("revert-title"),
        explain: lang.t(if merge {
            "commit-merge-explain"
        } else {
            "revert-explain"
        }),
        files,
        action: (!merge).then(|| format!("/commits/{sha}/revert")),
        hidden: Vec::new(),
        submit: lang.t("commit-revert"),
        back: format!("/commits/{sha}"),
    })
    .map(IntoResponse::into_response)
}

#[derive(Deserialize)]
pub(super) struct RestoreForm {
    sha: String,
    path: String,
}

pub(super) async fn restore(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RestoreForm>,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let sha = version_id(&form.sha)?;
    let outcome = state
        .site
        .restore(
            &name,
            &slug_name,
            &sha,
            &form.path,
            super::author_of(&current),
            state.clock.now(),
        )
        .await?;
    session::set_flash(
        &current.session,
        outcome_message(&outcome, "history-restored", current.lang),
    )
    .await?;
    Ok(Redirect::to(&super::document_url(&collection, &slug)).into_response())
}

#[derive(Deserialize)]
pub(super) struct RevertForm {}

pub(super) async fn revert(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(sha): Path<String>,
    CsrfForm(_): CsrfForm<RevertForm>,
) -> Result<Response, AppError> {
    let id = commit_id(&sha)?;
    match state
        .site
        .revert(&id, super::author_of(&current), state.clock.now())
        .await
    {
        Ok(outcome) => {
            session::set_flash(
                &current.session,
                outcome_message(&outcome, "history-reverted", current.lang),
            )
            .await?;
            Ok(Redirect::to("/history").into_response())
        }
        Err(SiteError::Conflict(c)) => {
            let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
            Err(AppError::Conflict(
                current
                    .lang
                    .t_with(
                        "history-revert-conflict",
                        &[("fields", fields.join(", ").into())],
                    )
                    .into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
