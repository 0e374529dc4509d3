//! The one table of every route, the access it admits and its handler. The
//! router is built from it, and one check (`authorize`) enforces it before
//! any handler runs: no session is sent to the login page, a role the route
//! does not admit gets 403. Tests walk this same table.

use super::{
    account, assets, builds, collections, dashboard, documents, health, history, hooks, login,
    media, search,
};
use super::{
    publishing, security_log, set_password, setup, site_health, site_preview, tokens, users,
};
use crate::auth::policy::{ADMINS, Access, EDITORS, READERS};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::error::{Message, PageUser};
use crate::http::page::UserView;
use crate::http::session::{Notice, Signed};
use crate::http::{CurrentUser, csrf, session};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use std::sync::LazyLock;
use tower_sessions::Session;

/// One route: method, path pattern (axum syntax), access, handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

fn get_(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
    Route {
        method: Method::GET,
        path,
        access,
        handler,
    }
}

fn post_(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Route {
    Route {
        method: Method::POST,
        path,
        access,
        handler,
    }
}

/// Every route of the admin interface.
pub fn routes() -> Vec<Route> {
    use Access::{Public, SignedIn};
    vec![
        get_("/login", Public, get(login::show)),
        post_("/login", Public, post(login::submit)),
        post_("/logout", SignedIn, post(login::logout)),
        get_("/setup", Public, get(setup::show)),
        post_("/setup", Public, post(setup::submit)),
        get_("/set-password", Public, get(set_password::show)),
        post_("/set-password", Public, post(set_password::submit)),
        get_("/healthz", Public, get(health::healthz)),
        // Authenticated by the forge's signature, not a session.
        post_("/hooks/push", Public, post(hooks::push)),
        get_("/static/style.css", Public, get(assets::style)),
        get_("/static/builds.js", Public, get(assets::builds_js)),
        get_("/static/edit.js", Public, get(assets::edit_js)),
        get_("/", READERS, get(dashboard::show)),
        get_("/search", READERS, get(search::show)),
        get_("/collections/{collection}", READERS, get(collections::show)),
        get_(
            "/collections/{collection}/new",
            EDITORS,
            get(documents::new_form),
        ),
        post_(
            "/collections/{collection}/new",
            EDITORS,
            post(documents::create),
        ),
        get_(
            "/collections/{collection}/{slug}",
            READERS,
            get(documents::show),
        ),
        post_(
            "/collections/{collection}/{slug}",
            EDITORS,
            // A form with files: their own limit, read as they stream in
            // (the rest of the form stays within `--max-body`).
            post(documents::save).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        get_(
            "/collections/{collection}/{slug}/delete",
            EDITORS,
            get(documents::confirm_delete),
        ),
        post_(
            "/collections/{collection}/{slug}/delete",
            EDITORS,
            post(documents::delete),
        ),
        post_(
            "/collections/{collection}/{slug}/rename",
            EDITORS,
            post(documents::rename),
        ),
        get_(
            "/collections/{collection}/{slug}/history",
            READERS,
            get(history::document_history),
        ),
        get_(
            "/collections/{collection}/{slug}/restore",
            EDITORS,
            get(history::confirm_restore),
        ),
        post_(
            "/collections/{collection}/{slug}/restore",
            EDITORS,
            post(history::restore),
        ),
        // A relation field's entries matching what is typed (JSON, for the
        // form's suggestions as you type).
        get_(
            "/choices/{collection}/{field}",
            READERS,
            get(documents::choices),
        ),
        // The edit form's Markdown preview (an HTML fragment).
        post_("/preview", EDITORS, post(documents::preview)),
        // A page built by the site's Jekyll for a preview, and the built
        // site's files (its own checks: the key, and the page's owner).
        get_(
            "/site-preview/{key}/{*path}",
            Public,
            get(site_preview::file),
        ),
        // A media file of the site, served safely (issue 16).
        get_("/media", READERS, get(media::library)),
        // Its own limit (`--max-upload-bytes`), read as the file streams in.
        post_(
            "/media",
            EDITORS,
            post(media::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        post_("/media/delete", EDITORS, post(media::delete)),
        post_("/media/rename", EDITORS, post(media::rename)),
        get_("/media/file/{*path}", READERS, get(media::file)),
        get_("/media/pending/{id}", EDITORS, get(media::pending)),
        get_("/history", READERS, get(history::site_history)),
        post_("/publishing/settle", ADMINS, post(publishing::settle)),
        get_("/builds", READERS, get(builds::list)),
        get_("/builds/{id}", READERS, get(builds::show)),
        get_("/builds/{id}/events", READERS, get(builds::events)),
        get_("/commits/{sha}", READERS, get(history::commit)),
        get_(
            "/commits/{sha}/revert",
            EDITORS,
            get(history::confirm_revert),
        ),
        post_("/commits/{sha}/revert", EDITORS, post(history::revert)),
        get_("/account", SignedIn, get(account::show)),
        post_("/account", SignedIn, post(account::update)),
        post_(
            "/account/password",
            SignedIn,
            post(account::change_password),
        ),
        post_("/account/language", SignedIn, post(account::set_language)),
        post_("/account/timezone", SignedIn, post(account::set_timezone)),
        get_("/users", ADMINS, get(users::list)),
        post_("/users", ADMINS, post(users::create)),
        get_("/users/{username}", ADMINS, get(users::show)),
        post_("/users/{username}/role", ADMINS, post(users::set_role)),
        post_("/users/{username}/disable", ADMINS, post(users::disable)),
        post_("/users/{username}/enable", ADMINS, post(users::enable)),
        post_(
            "/users/{username}/reset-password",
            ADMINS,
            post(users::reset_password),
        ),
        get_("/security-log", ADMINS, get(security_log::show)),
        get_("/site-health", ADMINS, get(site_health::show)),
        get_("/tokens", ADMINS, get(tokens::list)),
        post_("/tokens", ADMINS, post(tokens::create)),
        post_("/tokens/{id}/revoke", ADMINS, post(tokens::revoke)),
    ]
}

/// (method, path, access) of every route, for the check and for tests.
pub fn table() -> &'static [(Method, &'static str, Access)] {
    static TABLE: LazyLock<Vec<(Method, &'static str, Access)>> = LazyLock::new(|| {
        routes()
            .into_iter()
            .map(|r| (r.method, r.path, r.access))
            .collect()
    });
    &TABLE
}

/// The router, built from the table.
pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
}

/// The access the table gives a matched route. `None`: the method is not
/// routed there (axum answers 405).
fn access_of(method: &Method, path: &str) -> Option<Access> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    table()
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, a)| *a)
}

/// Enforces the table before any handler runs (a `route_layer`, so only
/// matched routes pass here).
pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let matched_path = matched.as_ref().map(|m| m.as_str().to_string());
    let Some(access) = matched.and_then(|m| access_of(request.method(), m.as_str())) else {
        return next.run(request).await;
    };
    if !access.needs_session() {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return AppError::internal("authorize", "no session layer").into_response();
    };
    let signed = match session::resolve_session(&session, &state).await {
        Ok(signed) => signed,
        Err(e) => return e.into_response(),
    };
    let user = match signed {
        Signed::In(user) => Some(user),
        Signed::Ended { user, csrf } if keeps_edits(request.method(), matched_path.as_deref()) => {
            return keep_edit(&state, &session, user, csrf, request).await;
        }
        Signed::Ended { .. } | Signed::Out => None,
    };
    let Some(user) = user else {
        let next_path = if request.method() == Method::GET {
            request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string()
        } else {
            "/".to_string()
        };
        return AppError::LoginRequired { next: next_path }.into_response();
    };
    // An error page keeps the navigation of whoever is signed in.
    let page_user = PageUser {
        user: UserView {
            name: user.display_name.clone(),
            role: user.role.as_str(),
        },
        csrf: match csrf::token(&session).await {
            Ok(token) => token,
            Err(e) => return e.into_response(),
        },
    };
    if !access.admits(Some(user.role)) {
        tracing::info!(user = %user.username, role = %user.role, path = %request.uri().path(), "refused by role");
        let mut refused = AppError::Forbidden(Message::key("error-role")).into_response();
        refused.extensions_mut().insert(page_user);
        return refused;
    }
    let browser = request
        .extensions()
        .get::<crate::i18n::Lang>()
        .copied()
        .unwrap_or(state.default_language);
    let current = CurrentUser::of(user, session, browser, &state.default_zone);
    // The account's language, when it chose one, over the browser's.
    request.extensions_mut().insert(current.lang);
    request.extensions_mut().insert(current);
    let mut response = next.run(request).await;
    response.extensions_mut().insert(page_user);
    response
}

/// The forms whose content is kept when they are posted after the
/// session ended: a document's edit and a new document.
fn keeps_edits(method: &Method, path: Option<&str>) -> bool {
    method == Method::POST
        && matches!(
            path,
            Some("/collections/{collection}/{slug}" | "/collections/{collection}/new")
        )
}

/// A form posted after its session timed out: when it comes from this site
/// with that session's CSRF token, it is kept for the same account, and
/// the browser is sent to sign in again; the form is saved once they have.
async fn keep_edit(
    state: &AppState,
    session: &Session,
    user: crate::auth::User,
    csrf: Option<String>,
    request: Request,
) -> Response {
    let lang = request
        .extensions()
        .get::<crate::i18n::Lang>()
        .copied()
        .unwrap_or(state.default_language);
    let path = request.uri().path().to_string();
    // Back to the page the form was on (the same address), once signed in.
    let next = path.clone();
    let login = |flash: Option<String>| async move {
        if let Some(text) = flash
            && let Err(e) = session::set_notice(session, Notice::Warning, text).await
        {
            return e.into_response();
        }
        AppError::LoginRequired { next }.into_response()
    };
    // Nothing from another site is ever kept.
    if csrf::check_same_origin(request.headers()).is_err() {
        return login(None).await;
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), state.max_body).await else {
        return login(None).await;
    };
    let given = csrf::form_token(&body).ok().flatten();
    let valid = csrf::tokens_match(given.as_deref(), csrf.as_deref());
    if !valid {
        return login(None).await;
    }
    let kept =
        crate::auth::pending::keep(&state.db, user.id, &path, body.to_vec(), state.clock.now())
            .await;
    match kept {
        Ok(id) => {
            if let Err(e) = session::set_pending(session, &id).await {
                return e.into_response();
            }
            tracing::info!(user = %user.username, %path, "session ended during an edit: kept until they sign in");
            login(Some(lang.t("session-ended-kept"))).await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_in_the_table_once_and_changes_need_a_role() {
        let table = table();
        for (i, (m, p, a)) in table.iter().enumerate() {
            assert!(
                !table[i + 1..].iter().any(|(m2, p2, _)| m2 == m && p2 == p),
                "{m} {p} twice"
            );
            // Nothing public changes state except signing in and setting a
            // first password, which carry their own tokens.
            if *m == Method::POST && *a == Access::Public {
                assert!(
                    ["/login", "/setup", "/set-password", "/hooks/push"].contains(p),
                    "{p}"
                );
            }
        }
        assert_eq!(access_of(&Method::HEAD, "/history"), Some(READERS));
        assert_eq!(access_of(&Method::DELETE, "/history"), None);
    }
}
