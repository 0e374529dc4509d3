//! The server-rendered admin interface: one file per screen; `routes` holds
//! the one table of routes and the access each admits. Handlers call `site`
//! and `auth`; none opens a repository.

mod account;
mod assets;
mod builds;
mod collections;
mod dashboard;
mod documents;
mod health;
pub(crate) mod history;
mod hooks;
mod login;
mod media;
mod media_field;
mod nested_form;
mod publishing;
pub mod routes;
mod search;
mod security_log;
mod set_password;
mod setup;
mod site_health;
mod site_preview;
mod tokens;

mod users;

use crate::http::AppState;
use axum::Router;
use axum::middleware;

pub use crate::http::ClientAddress;
pub use crate::http::page::render;

/// The signed-in user as the author of the commits they make: name and
/// email from the database, never from the form.
fn author_of(current: &crate::http::CurrentUser) -> crate::site::Author {
    crate::site::Author {
        user_id: Some(current.user.id),
        token_id: None,
        identity: current.user.identity(),
    }
}

/// Every admin route, each behind the route table's access check. The
/// application adds the fallback and the security headers (`crate::app`).
pub fn router(state: &AppState) -> Router<AppState> {
    routes::router().route_layer(middleware::from_fn_with_state(
        state.clone(),
        routes::authorize,
    ))
}

pub(crate) use crate::http::{media_url, url_slug};

/// The address of a document's edit form.
pub(crate) fn document_url(collection: &str, slug: &str) -> String {
    format!("/collections/{collection}/{}", url_slug(slug))
}

/// The label a field is shown with, everywhere (the form, a change's page,
/// history): the site's configured label in `lang`, else one made from the
/// key; `body` is the text.
pub(crate) fn field_label(
    model: Option<&crate::content::model::CollectionModel>,
    key: &str,
    lang: crate::i18n::Lang,
) -> String {
    if let Some(label) = model
        .and_then(|m| m.field(key))
        .and_then(|f| f.label.get(lang.code()))
    {
        return label.to_string();
    }
    if key == "body" {
        lang.t("doc-body")
    } else {
        crate::content::label_of(key)
    }
}

/// How a collection is named to a person: its configured label in `lang`
/// (`label` in `_cairn.yml` or Decap's file), else its name.
pub(crate) fn collection_label(
    model: Option<&crate::content::model::CollectionModel>,
    name: &str,
    lang: crate::i18n::Lang,
) -> String {
    model
        .and_then(|m| m.label.get(lang.code()))
        .unwrap_or(name)
        .to_string()
}

/// [`collection_label`] from the site's configuration at the tip.
pub(crate) async fn collection_label_of(
    state: &crate::http::AppState,
    name: &str,
    lang: crate::i18n::Lang,
) -> Result<String, crate::http::AppError> {
    let config = state.site.config().await?;
    Ok(collection_label(config.model.collection(name), name, lang))
}
