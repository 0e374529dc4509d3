//! `GET /api/v1/status`: where publishing stands (the dashboard's line, as
//! data), how many commits wait for the remote, and the last build, for a
//! front end or a monitor. A remote's URL is given without credentials.

use super::Caller;
use crate::http::AppState;
use crate::http::Problem;
use crate::http::problem::rfc3339;
use crate::site::publish::without_credentials;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /api/v1/status`.
pub(super) async fn status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, Problem> {
    let publishing = state.site.publish_status();
    let tip = state.site.tip().await?;
    // Why publishing fails can name hosts and paths: for signed-in callers.
    let known = caller.role.is_some();
    let reason = publishing
        .paused
        .as_deref()
        .or(publishing.failing.as_deref())
        .filter(|_| known)
        .map(without_credentials);
    let last_build = match state.builds.recent(1).await {
        Ok(rows) => rows.into_iter().next(),
        Err(e) => return Err(Problem::internal("builds", e)),
    };
    Ok(Json(json!({
        "branch": state.site.branch(),
        "commit": tip.as_str(),
        "publishing": {
            "state": publishing.state().as_str(),
            "remote": publishing.target.as_ref().map(|t| without_credentials(&t.remote)),
            "remote_branch": publishing.target.as_ref().map(|t| t.branch.clone()),
            "waiting": publishing.waiting,
            "published": publishing.published.as_ref().map(|(commit, at)| json!({
                "commit": commit.as_str(), "time": rfc3339(*at)})),
            "stopped": publishing.stopped,
            "conflicts": publishing.conflicts.len(),
            "reason": reason,
        },
        "builds": {
            "enabled": state.builds.enabled(),
            "last": last_build.map(|b| json!({
                "id": b.id,
                "commit": b.commit_id,
                "trigger": b.trigger,
                "status": b.status,
                "started": rfc3339(b.started_at),
                "ended": b.ended_at.map(rfc3339),
                "exit_code": b.exit_code,
            })),
        },
    })))
}
