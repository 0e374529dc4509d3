//! `/`: the collections of the site.

use super::layout::{Layout, render};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::site::CollectionSummary;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Layout,
    site_title: String,
    collections: Vec<CollectionSummary>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Html<String>, AppError> {
    let config = state.site.config().await?;
    let collections = state.site.collections().await?;
    render(&DashboardPage {
        ctx: Layout::signed_in(&current).await?,
        site_title: config.title.clone().unwrap_or_else(|| "Your site".into()),
        collections,
    })
}
