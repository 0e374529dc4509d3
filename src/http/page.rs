//! What every page's layout needs (the user, the CSRF token for the logout
//! form, the flash message, the language), and rendering that turns
//! template errors into `AppError`. Error pages use it too, so they keep
//! the navigation.

use super::{AppError, CurrentUser, csrf, session};
use crate::i18n::{Lang, ToArg};
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
    pub flash: Option<session::Flash>,
    /// The language the page is written in.
    pub lang: Lang,
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
            lang: current.lang,
        })
    }

    /// For the login and setup pages.
    pub async fn anonymous(session: &Session, lang: Lang) -> Result<Layout, AppError> {
        Ok(Layout {
            user: None,
            csrf: csrf::token(session).await?,
            flash: session::take_flash(session).await?,
            lang,
        })
    }

    /// A role's name (`admin`, `editor`, `reviewer`) in the page's language.
    pub fn role(&self, role: &str) -> String {
        self.lang.role(role)
    }

    /// A message from the domain (a field check, an error) in the page's
    /// language.
    pub fn say(&self, message: &crate::i18n::Message) -> String {
        message.in_lang(self.lang)
    }

    /// A security log event's name (as recorded: `token created`) in the
    /// page's language; one the catalogue does not know, as recorded.
    pub fn event(&self, event: &str) -> String {
        self.lang
            .try_t(&format!("event-{}", event.replace(' ', "-")))
            .unwrap_or_else(|| event.to_string())
    }

    /// The message `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The message `key` with two arguments.
    pub fn t2(&self, key: &str, n1: &str, v1: impl ToArg, n2: &str, v2: impl ToArg) -> String {
        self.lang
            .t_with(key, &[(n1, v1.to_arg()), (n2, v2.to_arg())])
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ToArg) -> String {
        self.lang.t_with(key, &[(name, value.to_arg())])
    }
}

/// Renders a template to HTML.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}
