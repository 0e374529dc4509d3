//! Who may reach what. The web layer keeps the one table of routes and the
//! access each admits (`web::routes`); this is the vocabulary and the rule.

use super::Role;

/// The access a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login, setup, health, assets).
    Public,
    /// Any signed-in user, whatever the role (their own account, logout).
    SignedIn,
    /// Signed-in users with one of these roles.
    Roles(&'static [Role]),
}

/// Every role: reading content and history.
pub const READERS: Access = Access::Roles(&[Role::Admin, Role::Editor, Role::Reviewer]);
/// Changing content.
pub const EDITORS: Access = Access::Roles(&[Role::Admin, Role::Editor]);
/// Users, settings, the security log.
pub const ADMINS: Access = Access::Roles(&[Role::Admin]);

impl Access {
    /// Whether a visitor with `role` (`None`: no session) is admitted.
    pub fn admits(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
        }
    }

    pub fn needs_session(self) -> bool {
        self != Access::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_admit_as_the_issue_says() {
        assert!(READERS.admits(Some(Role::Reviewer)));
        assert!(!EDITORS.admits(Some(Role::Reviewer)));
        assert!(EDITORS.admits(Some(Role::Editor)));
        assert!(!ADMINS.admits(Some(Role::Editor)));
        assert!(ADMINS.admits(Some(Role::Admin)));
        assert!(!Access::SignedIn.admits(None));
        assert!(Access::Public.admits(None));
        assert!(!READERS.admits(None));
    }
}
