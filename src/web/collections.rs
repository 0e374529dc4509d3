//! `/collections/{collection}`: the documents of a collection, by title.

use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::site::DocumentSummary;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;

#[derive(Template)]
#[template(path = "collection.html")]
struct CollectionPage {
    ctx: Layout,
    collection: String,
    collection_label: String,
    documents: Vec<DocumentSummary>,
    /// Whether the user may add documents, and the site lets Cairn.
    can_edit: bool,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(collection): Path<String>,
) -> Result<Html<String>, AppError> {
    let name = crate::site::collection_name(&collection)?;
    let documents = state.site.documents(&name).await?;
    let config = state.site.config().await?;
    let creates = config
        .model
        .collection(&collection)
        .is_none_or(|m| m.allows_create());
    render(&CollectionPage {
        ctx: Layout::signed_in(&current).await?,
        collection_label: super::collection_label_of(&state, &collection, current.lang).await?,
        collection,
        documents,
        can_edit: current.user.role.can_edit() && creates,
    })
}
