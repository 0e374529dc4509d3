//! The history index tables: commits, the files they changed, and how far
//! the index has read.

use super::DbError;
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// A file a commit changed, as indexed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FileRow {
    pub path: String,
    pub old_path: Option<String>,
    pub change: String,
    /// Comma-separated field names.
    pub fields: String,
}

/// A commit as indexed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommitRow {
    pub seq: i64,
    pub sha: String,
    pub author_name: String,
    pub author_email: String,
    pub time: i64,
    pub summary: String,
    pub user_id: Option<i64>,
}

/// A commit to add, with its files.
#[derive(Debug, Clone)]
pub struct NewCommit {
    pub sha: String,
    pub author_name: String,
    pub author_email: String,
    pub time: i64,
    pub summary: String,
    pub user_id: Option<i64>,
    pub files: Vec<FileRow>,
}

/// Which commits a history page shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of an author's name or email (case does not matter for
    /// unaccented letters).
    pub author: Option<String>,
    /// Only commits that changed a file under this folder (`_projects/`).
    pub path_prefix: Option<String>,
    /// Only commits that changed this file (under this name or as a rename source).
    pub path: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Only commits indexed before this one (the page cursor).
    pub before_seq: Option<i64>,
}

pub async fn tip(pool: &SqlitePool) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT tip FROM history_state WHERE id = 1")
            .fetch_optional(pool)
            .await?,
    )
}

/// Adds commits (oldest first) and moves the indexed tip, in one
/// transaction; with `reset`, the index is emptied first.
pub async fn append(
    pool: &SqlitePool,
    commits: &[NewCommit],
    tip: &str,
    reset: bool,
) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    if reset {
        sqlx::query("DELETE FROM history_files")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM history_commits")
            .execute(&mut *tx)
            .await?;
    }
    for c in commits {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO history_commits (sha, author_name, author_email, time, summary, user_id)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
        )
        .bind(&c.sha)
        .bind(&c.author_name)
        .bind(&c.author_email)
        .bind(c.time)
        .bind(&c.summary)
        .bind(c.user_id)
        .fetch_one(&mut *tx)
        .await?;
        for f in &c.files {
            sqlx::query("INSERT INTO history_files (seq, path, old_path, change, fields) VALUES (?, ?, ?, ?, ?)")
                .bind(seq)
                .bind(&f.path)
                .bind(&f.old_path)
                .bind(&f.change)
                .bind(&f.fields)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query("INSERT INTO history_state (id, tip) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET tip = excluded.tip")
        .bind(tip)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Empties the index (for `cairn reindex`).
pub async fn clear(pool: &SqlitePool) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM history_files")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM history_commits")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM history_state")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Commits matching `filter`, newest first, at most `limit`.
pub async fn commits(
    pool: &SqlitePool,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<CommitRow>, DbError> {
    let mut q: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
        "SELECT seq, sha, author_name, author_email, time, summary, user_id FROM history_commits c WHERE 1 = 1",
    );
    if let Some(author) = &filter.author {
        let pattern = format!(
            "%{}%",
            author
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (c.author_email LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR c.author_name LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(prefix) = &filter.path_prefix {
        let pattern = format!("{}%", prefix.replace('%', "\\%").replace('_', "\\_"));
        q.push(" AND EXISTS (SELECT 1 FROM history_files f WHERE f.seq = c.seq AND f.path LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(path) = &filter.path {
        q.push(" AND EXISTS (SELECT 1 FROM history_files f WHERE f.seq = c.seq AND (f.path = ")
            .push_bind(path.clone())
            .push(" OR f.old_path = ")
            .push_bind(path.clone())
            .push("))");
    }
    if let Some(since) = filter.since {
        q.push(" AND c.time >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        q.push(" AND c.time < ").push_bind(until);
    }
    if let Some(before) = filter.before_seq {
        q.push(" AND c.seq < ").push_bind(before);
    }
    q.push(" ORDER BY c.seq DESC LIMIT ").push_bind(limit);
    Ok(q.build_query_as().fetch_all(pool).await?)
}

/// The files each of `seqs` changed.
pub async fn files(pool: &SqlitePool, seqs: &[i64]) -> Result<Vec<(i64, FileRow)>, DbError> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: QueryBuilder<'_, Sqlite> = QueryBuilder::new(
        "SELECT seq, path, old_path, change, fields FROM history_files WHERE seq IN (",
    );
    let mut list = q.separated(", ");
    for s in seqs {
        list.push_bind(*s);
    }
    q.push(") ORDER BY seq DESC, path");
    let rows: Vec<(i64, String, Option<String>, String, String)> =
        q.build_query_as().fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(seq, path, old_path, change, fields)| {
            (
                seq,
                FileRow {
                    path,
                    old_path,
                    change,
                    fields,
                },
            )
        })
        .collect())
}

/// A commit joined with one of its files.
#[derive(sqlx::FromRow)]
struct CommitFileRow {
    #[sqlx(flatten)]
    commit: CommitRow,
    path: String,
    old_path: Option<String>,
    change: String,
    fields: String,
}

/// The commits that changed exactly `path`, newest first, before `before_seq`.
pub async fn path_history(
    pool: &SqlitePool,
    path: &str,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<(CommitRow, FileRow)>, DbError> {
    let rows: Vec<CommitFileRow> = sqlx::query_as(
        "SELECT c.seq, c.sha, c.author_name, c.author_email, c.time, c.summary, c.user_id,
                f.path, f.old_path, f.change, f.fields
         FROM history_files f JOIN history_commits c ON c.seq = f.seq
         WHERE f.path = ? AND f.seq < ?
         ORDER BY f.seq DESC LIMIT ?",
    )
    .bind(path)
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.commit,
                FileRow {
                    path: r.path,
                    old_path: r.old_path,
                    change: r.change,
                    fields: r.fields,
                },
            )
        })
        .collect())
}
