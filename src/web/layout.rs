//! What every page's layout needs (the user, the CSRF token for the logout
//! form, the flash message), and rendering that turns template errors into
//! `AppError`.

use crate::http::AppError;
use crate::http::{CurrentUser, csrf, session};
use askama::Template;
use axum::response::Html;
use tower_sessions::Session;

/// The signed-in user as the layout shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    pub name: String,
    pub role: &'static str,
}

/// Shared context of every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub user: Option<UserView>,
    pub csrf: String,
    pub flash: Option<String>,
}

impl Layout {
    /// For a signed-in page; takes the pending flash message.
    pub async fn signed_in(current: &CurrentUser) -> Result<Layout, AppError> {
        Ok(Layout {
            user: Some(UserView {
                name: current.user.display_name.clone(),
                role: current.user.role.as_str(),
            }),
            csrf: csrf::token(&current.session).await?,
            flash: session::take_flash(&current.session).await?,
        })
    }

    /// For the login and setup pages.
    pub async fn anonymous(session: &Session) -> Result<Layout, AppError> {
        Ok(Layout {
            user: None,
            csrf: csrf::token(session).await?,
            flash: session::take_flash(session).await?,
        })
    }
}

/// Renders a template to HTML.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}
