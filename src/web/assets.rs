//! Static files, compiled into the binary.

use axum::http::header;
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../../static/style.css");
const BUILDS_JS: &str = include_str!("../../static/builds.js");
const EDIT_JS: &str = include_str!("../../static/edit.js");

pub(super) async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

pub(super) async fn builds_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        BUILDS_JS,
    )
}

pub(super) async fn edit_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        EDIT_JS,
    )
}
