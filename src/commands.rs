//! `cairn user ...`: account administration from the shell.

use crate::auth::audit::{self, Actor, Event};
use crate::auth::{AuthError, HashCost, Hasher, Password, Role, accounts, tokens};
use crate::clock::{Clock, SystemClock};
use crate::config::{TokenCommand, UserCommand};
use std::io::Read;
use std::path::Path;

/// Why a command failed; printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("{0}")]
    Db(#[from] crate::db::DbError),
    #[error("reading the password from standard input: {0}")]
    Stdin(std::io::Error),
    #[error("data folder {0}: {1}")]
    Data(String, std::io::Error),
    #[error("{0}")]
    Site(String),
}

/// Runs one `cairn user` command against the database in `data`.
pub async fn user(data: &Path, command: UserCommand, cost: HashCost) -> Result<(), CommandError> {
    let hasher = Hasher::new(1, cost)?;
    std::fs::create_dir_all(data).map_err(|e| CommandError::Data(data.display().to_string(), e))?;
    let pool = crate::db::open(&data.join("cairn.db")).await?;
    let now = SystemClock.now();
    match command {
        UserCommand::Add {
            name,
            role,
            email,
            display_name,
            password_stdin: _,
        } => {
            let role: Role = role.parse().map_err(AuthError::from)?;
            let password = read_password()?;
            let new = accounts::NewUser::parse(
                &name,
                display_name.as_deref(),
                email.as_deref(),
                role,
                Some(&password),
            )
            .map_err(AuthError::Fields)?;
            let user = accounts::create(&pool, &hasher, &new, now).await?;
            audit::record(
                &pool,
                now,
                Event::UserCreated,
                &user.username,
                &Actor::cli(),
                &format!("role {}", user.role),
            )
            .await;
            println!("Created {} ({}) <{}>", user.username, user.role, user.email);
        }
        UserCommand::List => {
            for user in accounts::list(&pool).await? {
                let status = if user.disabled { "disabled" } else { "active" };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.username, user.role, status, user.display_name, user.email
                );
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin: _,
        } => {
            let password = Password::parse(&read_password()?).map_err(AuthError::from)?;
            let user = accounts::by_username(&pool, &name).await?;
            accounts::set_password(&pool, &hasher, &user, &password).await?;
            audit::record(
                &pool,
                now,
                Event::PasswordChanged,
                &user.username,
                &Actor::cli(),
                "",
            )
            .await;
            println!("Password changed for {name}; their sessions were ended");
        }
        UserCommand::Disable { name } => {
            let user = accounts::by_username(&pool, &name).await?;
            accounts::set_disabled(&pool, &user, true).await?;
            audit::record(
                &pool,
                now,
                Event::UserDisabled,
                &user.username,
                &Actor::cli(),
                "",
            )
            .await;
            println!("Disabled {name}; their sessions were ended");
        }
    }
    Ok(())
}

/// Runs one `cairn token` command against the database in `data`.
pub async fn token(data: &Path, command: TokenCommand) -> Result<(), CommandError> {
    std::fs::create_dir_all(data).map_err(|e| CommandError::Data(data.display().to_string(), e))?;
    let pool = crate::db::open(&data.join("cairn.db")).await?;
    let now = SystemClock.now();
    match command {
        TokenCommand::Create {
            name,
            role,
            user,
            expires_days,
        } => {
            let role: Role = role.parse().map_err(AuthError::from)?;
            let owner = match user {
                Some(u) => Some(accounts::by_username(&pool, &u).await?),
                None => None,
            };
            let expires = expires_days.map(|d| now + i64::from(d) * 86_400);
            let (token, secret) =
                tokens::create(&pool, &name, role, owner.as_ref(), expires, now).await?;
            let owner_name = owner.as_ref().map_or("", |o| o.username.as_str());
            audit::record(
                &pool,
                now,
                Event::TokenCreated,
                owner_name,
                &Actor::cli(),
                &format!("token {} `{}`, role {}", token.id, token.name, token.role),
            )
            .await;
            println!(
                "Created token {} `{}` ({})",
                token.id, token.name, token.role
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            for t in tokens::list(&pool).await? {
                let status = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at.is_some_and(|e| e <= now) {
                    "expired"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}", t.id, t.name, t.role, status);
            }
        }
        TokenCommand::Revoke { id } => {
            if !tokens::revoke(&pool, id, now).await? {
                return Err(CommandError::Auth(AuthError::InvalidInput(
                    format!("no active token with id {id}").into(),
                )));
            }
            audit::record(
                &pool,
                now,
                Event::TokenRevoked,
                "",
                &Actor::cli(),
                &format!("token {id}"),
            )
            .await;
            println!("Revoked token {id}");
        }
    }
    Ok(())
}

/// `cairn reindex`: empties the history and search indexes and builds them again.
pub async fn reindex(data: &Path, site: Option<&Path>) -> Result<(), CommandError> {
    let site_path = site.map_or_else(|| data.join("site"), Path::to_path_buf);
    let repo = crate::git::Repo::open_reader(&site_path)
        .map_err(|e| CommandError::Site(format!("{}: {e}", site_path.display())))?;
    let pool = crate::db::open(&data.join("cairn.db")).await?;
    let uploads = crate::site::uploads::Uploads::open(&data.join("uploads"))
        .map_err(|e| CommandError::Site(e.to_string()))?;
    let search = crate::search::SearchIndex::open(&data.join("search"))
        .map_err(|e| CommandError::Site(e.to_string()))?;
    let site = crate::site::Site::new(
        repo,
        pool,
        crate::site::default_committer(),
        uploads,
        search,
    );
    let n = site
        .reindex()
        .await
        .map_err(|e| CommandError::Site(e.to_string()))?;
    println!("Indexed {n} commits");
    let documents = site
        .rebuild_search()
        .await
        .map_err(|e| CommandError::Site(e.to_string()))?;
    println!("Indexed {documents} documents for search");
    Ok(())
}

/// `cairn check`: prints what Jekyll reads differently at the site's
/// branch tip, in English; whether there was nothing.
pub fn check(data: &Path, site: Option<&Path>, format: &str) -> Result<bool, CommandError> {
    let site_path = site.map_or_else(|| data.join("site"), Path::to_path_buf);
    let repo = crate::git::Repo::open_reader(&site_path)
        .map_err(|e| CommandError::Site(format!("{}: {e}", site_path.display())))?;
    let report =
        crate::site::check::check_repo(&repo).map_err(|e| CommandError::Site(e.to_string()))?;
    let lang = crate::i18n::Lang::En;
    if format == "json" {
        let findings: Vec<serde_json::Value> = report
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "file": f.path,
                    "line": f.line,
                    "kind": f.kind.code(),
                    "message": f.what.in_lang(lang),
                    "jekyll": f.jekyll(lang),
                    "fix": f.fix(lang),
                })
            })
            .collect();
        let out = serde_json::json!({
            "commit": report.commit.as_str(),
            "files": report.files,
            "findings": findings,
        });
        println!("{out:#}");
    } else {
        for f in &report.findings {
            println!("{}:{}: {}", f.path, f.line, f.what.in_lang(lang));
            println!("  {}", f.jekyll(lang));
            println!("  To do: {}", f.fix(lang));
        }
        let files: std::collections::HashSet<&str> =
            report.findings.iter().map(|f| f.path.as_str()).collect();
        if report.findings.is_empty() {
            println!(
                "{} files checked: Jekyll reads every one as it looks.",
                report.files
            );
        } else {
            println!(
                "{} files checked: {} findings in {} files.",
                report.files,
                report.findings.len(),
                files.len()
            );
        }
    }
    Ok(report.findings.is_empty())
}

/// The password from standard input, without its final line break.
fn read_password() -> Result<String, CommandError> {
    let mut input = String::new();
    // One byte more than the limit, so an over-long password is seen as such.
    std::io::stdin()
        .take((crate::auth::password::MAX_PASSWORD_BYTES + 3) as u64)
        .read_to_string(&mut input)
        .map_err(CommandError::Stdin)?;
    let trimmed = input.strip_suffix('\n').unwrap_or(&input);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok(trimmed.to_string())
}
