//! `GET /healthz`: 200 when the site and the database can be read.

use crate::http::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub(super) async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let site = state.site.check().await;
    let db = crate::db::ping(&state.db).await;
    match (site, db) {
        (Ok(()), Ok(())) => (StatusCode::OK, "ok\n"),
        (site, db) => {
            tracing::warn!(site = ?site.err(), db = ?db.err(), "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n")
        }
    }
}
