//! `/collections/{collection}`: the documents of a collection, as a table:
//! the title and a few columns (the configuration's `sortable_fields`, else
//! the fields whose values the documents share, and dates), sortable.

use crate::content::Widget;
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::i18n::ToArg;
use crate::site::DocumentSummary;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;

/// Columns shown besides the title, at most.
const COLUMNS: usize = 3;
/// Rows on one page of the table.
const PER_PAGE: usize = 100;

/// A column's header: its label, the address that sorts by it, and how the
/// list is sorted by it now (`ascending`, `descending` or `none`).
struct Column {
    label: String,
    href: String,
    sorted: &'static str,
}

#[derive(Template)]
#[template(path = "collection.html")]
struct CollectionPage {
    ctx: Layout,
    collection: String,
    collection_label: String,
    /// "New project", from the configuration's singular label.
    new_label: String,
    title_column: Column,
    columns: Vec<Column>,
    /// Each row, after the heading of the folder it starts, if it starts one.
    documents: Vec<(Option<String>, DocumentSummary)>,
    /// How many documents the collection has (all pages).
    total: usize,
    /// "Documents 101-200 of 5,000", when there is more than one page.
    range: Option<String>,
    previous: Option<String>,
    next: Option<String>,
    /// Whether the user may add documents, and the site lets Cairn.
    can_edit: bool,
    /// The filter typed, kept in its box.
    filter: String,
    /// How many documents the collection has (`total`: how many match).
    all: usize,
}

#[derive(Deserialize, Default)]
pub(super) struct Sort {
    /// A column's key, or `title`.
    sort: Option<String>,
    /// `desc` for the other way round.
    dir: Option<String>,
    /// 1-based.
    page: Option<usize>,
    /// Only rows whose title or columns hold every word of it (accents and
    /// case folded).
    q: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(collection): Path<String>,
    Query(sort): Query<Sort>,
) -> Result<Html<String>, AppError> {
    let lang = current.lang;
    let name = crate::site::collection_name(&collection)?;
    let config = state.site.config().await?;
    let model = config.model.collection(&collection);
    let keys: Vec<String> = match model.map(|m| m.sortable.clone()).unwrap_or_default() {
        configured if !configured.is_empty() => configured
            .into_iter()
            .filter(|k| !matches!(k.as_str(), "title" | "name"))
            .take(COLUMNS)
            .collect(),
        _ => {
            // Short values the documents share (a category), then dates.
            let schema = state.site.schema(&name).await?;
            let shared = schema.fields.iter().filter(|f| !f.suggestions.is_empty());
            let dates = schema.fields.iter().filter(|f| f.widget == Widget::Date);
            let hidden = |key: &str| {
                model
                    .and_then(|m| m.field(key))
                    .is_some_and(|f| f.kind == Some(crate::content::model::Kind::Hidden))
            };
            shared
                .chain(dates)
                .map(|f| f.key.clone())
                .filter(|k| !matches!(k.as_str(), "title" | "name") && !hidden(k))
                .take(COLUMNS)
                .collect()
        }
    };
    let by = sort.sort.as_deref().unwrap_or("title");
    let descending = sort.dir.as_deref() == Some("desc");
    let by_column = keys.iter().any(|k| k == by);
    // By title, only the page's rows need their values read; sorting by a
    // column needs them all.
    let filter: String = sort
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect();
    let rows = (!by_column && !descending && filter.is_empty()).then(|| {
        let start = (sort.page.unwrap_or(1).max(1) - 1).saturating_mul(PER_PAGE);
        start..start.saturating_add(PER_PAGE)
    });
    // The configuration's `summary` names each row; the fields it uses
    // are read with the columns.
    let summary = model.and_then(|m| m.summary.clone());
    let mut wanted = keys.clone();
    for k in summary
        .as_deref()
        .map(crate::content::model::template_names)
        .unwrap_or_default()
    {
        if !matches!(k.as_str(), "slug") && !wanted.contains(&k) {
            wanted.push(k);
        }
    }
    let table = state
        .site
        .table(&name, wanted.clone(), rows.clone())
        .await?;
    let all = table.total;
    let mut total = all;
    let mut documents = table.rows;
    if !filter.is_empty() {
        use crate::content::fold;
        let words: Vec<String> = fold(&filter)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        documents.retain(|d| {
            let text = fold(&format!("{} {} {}", d.title, d.slug, d.values.join(" ")));
            words.iter().all(|w| text.contains(w.as_str()))
        });
        total = documents.len();
    }
    if let Some(summary) = &summary {
        for d in &mut documents {
            let named = crate::content::model::fill_template(summary, &|k| match k {
                "slug" => Some(d.slug.clone()),
                _ => wanted
                    .iter()
                    .position(|w| w == k)
                    .and_then(|i| d.values.get(i).cloned())
                    .filter(|v| !v.is_empty())
                    .or_else(|| matches!(k, "title" | "name").then(|| d.title.clone())),
            });
            if !named.trim().is_empty() {
                d.title = named.trim().to_string();
            }
            d.values.truncate(keys.len());
        }
    }
    if let Some(i) = keys.iter().position(|k| k == by) {
        // Empty values last, whichever way.
        documents.sort_by(|a, b| {
            let (x, y) = (&a.values[i], &b.values[i]);
            match (x.is_empty(), y.is_empty()) {
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if descending => y.to_lowercase().cmp(&x.to_lowercase()),
                _ => x.to_lowercase().cmp(&y.to_lowercase()),
            }
        });
    } else if descending {
        documents.reverse();
    }
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = match rows {
        // The table said which page it gave (past the end: the last).
        Some(_) => table.first / PER_PAGE + 1,
        None => sort.page.unwrap_or(1).clamp(1, pages),
    };
    let first = (page - 1) * PER_PAGE;
    let documents: Vec<DocumentSummary> = if rows.is_some() {
        documents
    } else {
        documents.into_iter().skip(first).take(PER_PAGE).collect()
    };
    // Sorted by title, the rows are grouped by folder: a heading where a
    // folder starts. Addresses write a folder's `/` as `%2F`.
    let by_title = !keys.iter().any(|k| k == by);
    let mut last: Option<String> = None;
    let shown: Vec<(Option<String>, DocumentSummary)> = documents
        .into_iter()
        .map(|mut d| {
            let folder = d.slug.rsplit_once('/').map(|(f, _)| f.to_string());
            let heading = (by_title && folder.is_some() && folder != last)
                .then(|| folder.clone())
                .flatten();
            last = folder;
            d.slug = super::url_slug(&d.slug);
            (heading, d)
        })
        .collect();
    let dir = if descending { "desc" } else { "asc" };
    let filtered = if filter.is_empty() {
        String::new()
    } else {
        format!("&q={}", crate::http::error::encode_query(&filter))
    };
    let page_href = |n: usize| {
        format!(
            "/collections/{collection}?sort={}&dir={dir}&page={n}{filtered}",
            crate::http::error::encode_query(by)
        )
    };
    let range = (pages > 1).then(|| {
        lang.t_with(
            "collection-range",
            &[
                ("first", (first + 1).to_arg()),
                ("last", (first + shown.len()).to_arg()),
                ("total", total.to_arg()),
            ],
        )
    });
    let previous = (page > 1).then(|| page_href(page - 1));
    let next = (page < pages).then(|| page_href(page + 1));
    let column = |key: &str, label: String| {
        let now = by == key || (key == "title" && !keys.iter().any(|k| k == by));
        let (sorted, next) = match (now, descending) {
            (true, false) => ("ascending", "desc"),
            (true, true) => ("descending", "asc"),
            (false, _) => ("none", "asc"),
        };
        Column {
            label,
            href: format!(
                "/collections/{collection}?sort={}&dir={next}{filtered}",
                crate::http::error::encode_query(key)
            ),
            sorted,
        }
    };
    let singular = model
        .and_then(|m| m.label_singular.get(lang.code()))
        .map(str::to_string);
    render(&CollectionPage {
        ctx: Layout::signed_in(&current).await?,
        collection_label: super::collection_label(model, &collection, lang),
        new_label: match singular {
            Some(what) => lang.t_with("collection-new-named", &[("what", what.into())]),
            None => lang.t("collection-new"),
        },
        title_column: column("title", lang.t("collection-title")),
        columns: keys
            .iter()
            .map(|k| column(k, super::field_label(model, k, lang)))
            .collect(),
        can_edit: current.user.role.can_edit() && model.is_none_or(|m| m.allows_create()),
        collection,
        documents: shown,
        total,
        range,
        previous,
        next,
        filter,
        all,
    })
}
