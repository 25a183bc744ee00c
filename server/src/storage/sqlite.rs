//! The embedded default: one SQLite file in the data directory.
//!
//! WAL mode with `synchronous = FULL`: every commit syncs the write-ahead log
//! before it returns, so an acknowledged change survives a power cut as well
//! as a killed process (`NORMAL` would only survive the latter).
//!
//! **Group commit.** Appends (the hot path: every batch of edits in every
//! room) go to one writer thread. It takes every append waiting at that
//! moment, writes them in one transaction and syncs once, then answers each.
//! With 200 busy rooms, one sync serves all of them instead of 200 syncs in
//! a row; a lone append still commits at once.
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    BoardMeta, Chunk, LinkRecord, LinkStatus, MeetingRecord, MeetingVersion, Storage, StorageError,
    StorageFuture, TemplateRecord, WorkspaceMeta, parse_role, role_name,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS boards (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    board_id    TEXT NOT NULL REFERENCES boards(id),
    bytes       BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_board ON chunks(board_id, seq);
CREATE TABLE IF NOT EXISTS links (
    hash        TEXT PRIMARY KEY,
    board_id    TEXT NOT NULL REFERENCES boards(id),
    role        TEXT NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS links_by_board ON links(board_id, role);
CREATE TABLE IF NOT EXISTS participant_keys (
    board_id        TEXT NOT NULL REFERENCES boards(id),
    participant_id  TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (board_id, participant_id)
);
CREATE TABLE IF NOT EXISTS private_state (
    board_id        TEXT NOT NULL REFERENCES boards(id),
    participant_id  TEXT NOT NULL,
    body            TEXT NOT NULL,
    PRIMARY KEY (board_id, participant_id)
);
CREATE TABLE IF NOT EXISTS workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    rotation    TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS workspace_links (
    hash            TEXT PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    role            TEXT NOT NULL,
    revoked         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meetings (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    position        INTEGER NOT NULL,
    board_id        TEXT NOT NULL UNIQUE REFERENCES boards(id),
    date            TEXT NOT NULL,
    theme           TEXT NOT NULL,
    agenda          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, position)
);
CREATE TABLE IF NOT EXISTS templates (
    id              TEXT PRIMARY KEY,
    workspace_id    TEXT REFERENCES workspaces(id),
    name            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    body            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS templates_by_workspace ON templates(workspace_id, created_at);
CREATE TABLE IF NOT EXISTS meeting_summaries (
    board_id    TEXT PRIMARY KEY REFERENCES boards(id),
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL
);
";

#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    appends: std::sync::mpsc::Sender<Append>,
}

/// One room's changes, waiting for the writer thread.
struct Append {
    board: String,
    bytes: Vec<u8>,
    reply: tokio::sync::oneshot::Sender<Result<i64, StorageError>>,
}

/// Most appends in one transaction.
const MAX_GROUP: usize = 256;

/// The writer thread: one transaction and one sync for every append that is
/// waiting. Ends when the last `SqliteStorage` clone is dropped.
fn group_commit(conn: Arc<Mutex<Connection>>, appends: std::sync::mpsc::Receiver<Append>) {
    while let Ok(first) = appends.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match appends.try_recv() {
                Ok(a) => group.push(a),
                Err(_) => break,
            }
        }
        let results = match conn.lock() {
            Ok(mut guard) => write_group(&mut guard, &group),
            Err(_) => Err(StorageError::Task("database lock poisoned".into())),
        };
        match results {
            Ok(results) => {
                for (a, r) in group.into_iter().zip(results) {
                    let _ = a.reply.send(r);
                }
            }
            Err(e) => {
                let message = e.to_string();
                for a in group {
                    let _ = a.reply.send(Err(StorageError::Database(message.clone())));
                }
            }
        }
    }
}

/// Writes a group of appends in one transaction. One append's failure (its
/// board is gone) fails only that append; a failed commit fails them all.
fn write_group(
    conn: &mut Connection,
    group: &[Append],
) -> Result<Vec<Result<i64, StorageError>>, StorageError> {
    let tx = conn.transaction().map_err(db)?;
    let mut results = Vec::with_capacity(group.len());
    {
        let mut stmt = tx
            .prepare_cached("INSERT INTO chunks (board_id, bytes) VALUES (?1, ?2)")
            .map_err(db)?;
        for a in group {
            let r = match stmt.execute(params![a.board, a.bytes]) {
                Ok(_) => Ok(tx.last_insert_rowid()),
                Err(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Err(StorageError::NoSuchBoard(a.board.clone()))
                }
                Err(e) => Err(db(e)),
            };
            results.push(r);
        }
    }
    tx.commit().map_err(db)?;
    Ok(results)
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStorage")
    }
}

fn db(e: rusqlite::Error) -> StorageError {
    StorageError::Database(e.to_string())
}

/// A list of strings as stored in a TEXT column (JSON).
fn list_to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn list_from_json(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn link_status(role: &str, revoked: bool) -> Option<LinkStatus> {
    let role = parse_role(role)?;
    Some(if revoked {
        LinkStatus::Revoked(role)
    } else {
        LinkStatus::Active(role)
    })
}

impl SqliteStorage {
    /// Opens (creating if needed) `samskab.sqlite3` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteStorage, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StorageError::Database(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let conn = Connection::open(data_dir.join("samskab.sqlite3")).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        let conn = Arc::new(Mutex::new(conn));
        let (appends, queue) = std::sync::mpsc::channel();
        let writer = conn.clone();
        std::thread::Builder::new()
            .name("sqlite-group-commit".into())
            .spawn(move || group_commit(writer, queue))
            .map_err(|e| StorageError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStorage { conn, appends })
    }

    /// Runs `f` on the connection on a blocking thread.
    fn run<T, F>(&self, f: F) -> StorageFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let conn = self.conn.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut guard = conn
                    .lock()
                    .map_err(|_| StorageError::Task("database lock poisoned".into()))?;
                f(&mut guard)
            })
            .await
            .map_err(|e| StorageError::Task(e.to_string()))?
        })
    }
}

/// A new board's row, first chunk and links, inside the caller's transaction.
fn insert_board(
    tx: &rusqlite::Transaction<'_>,
    meta: &BoardMeta,
    initial: &[u8],
    links: &[LinkRecord],
) -> Result<(), StorageError> {
    let inserted = tx
        .execute(
            "INSERT OR IGNORE INTO boards (id, title, created_at) VALUES (?1, ?2, ?3)",
            params![meta.id, meta.title, meta.created_at],
        )
        .map_err(db)?;
    if inserted == 0 {
        return Err(StorageError::BoardExists(meta.id.clone()));
    }
    tx.execute(
        "INSERT INTO chunks (board_id, bytes) VALUES (?1, ?2)",
        params![meta.id, initial],
    )
    .map_err(db)?;
    for link in links {
        tx.execute(
            "INSERT INTO links (hash, board_id, role) VALUES (?1, ?2, ?3)",
            params![link.hash, meta.id, role_name(link.role)],
        )
        .map_err(db)?;
    }
    Ok(())
}

impl Storage for SqliteStorage {
    fn create_board(
        &self,
        meta: BoardMeta,
        initial: Vec<u8>,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, ()> {
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            insert_board(&tx, &meta, &initial, &links)?;
            tx.commit().map_err(db)
        })
    }

    fn find_link(&self, board: &str, hash: &str) -> StorageFuture<'_, Option<LinkStatus>> {
        let (board, hash) = (board.to_string(), hash.to_string());
        self.run(move |conn| {
            let row: Option<(String, bool)> = conn
                .query_row(
                    "SELECT role, revoked FROM links WHERE hash = ?1 AND board_id = ?2",
                    params![hash, board],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db)?;
            Ok(row.and_then(|(role, revoked)| {
                let role = parse_role(&role)?;
                Some(if revoked {
                    LinkStatus::Revoked(role)
                } else {
                    LinkStatus::Active(role)
                })
            }))
        })
    }

    fn replace_link(&self, board: &str, link: LinkRecord) -> StorageFuture<'_, ()> {
        let board = board.to_string();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            tx.execute(
                "UPDATE links SET revoked = 1 WHERE board_id = ?1 AND role = ?2",
                params![board, role_name(link.role)],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO links (hash, board_id, role) VALUES (?1, ?2, ?3)",
                params![link.hash, board, role_name(link.role)],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
    }

    fn board_meta(&self, id: &str) -> StorageFuture<'_, Option<BoardMeta>> {
        let id = id.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT id, title, created_at FROM boards WHERE id = ?1",
                params![id],
                |r| {
                    Ok(BoardMeta {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db)
        })
    }

    fn load(&self, id: &str) -> StorageFuture<'_, Vec<Chunk>> {
        let id = id.to_string();
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT seq, bytes FROM chunks WHERE board_id = ?1 ORDER BY seq")
                .map_err(db)?;
            let rows = stmt
                .query_map(params![id], |r| {
                    Ok(Chunk {
                        seq: r.get(0)?,
                        bytes: r.get(1)?,
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn append(&self, id: &str, changes: Vec<u8>) -> StorageFuture<'_, i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = self.appends.send(Append {
            board: id.to_string(),
            bytes: changes,
            reply,
        });
        Box::pin(async move {
            queued.map_err(|_| StorageError::Task("the writer thread has stopped".into()))?;
            answer
                .await
                .map_err(|_| StorageError::Task("the writer thread has stopped".into()))?
        })
    }

    fn bind_participant(
        &self,
        board: &str,
        participant: &str,
        hash: &str,
    ) -> StorageFuture<'_, bool> {
        let (board, participant, hash) =
            (board.to_string(), participant.to_string(), hash.to_string());
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            tx.execute(
                "INSERT OR IGNORE INTO participant_keys (board_id, participant_id, hash) VALUES (?1, ?2, ?3)",
                params![board, participant, hash],
            )
            .map_err(db)?;
            let bound: String = tx
                .query_row(
                    "SELECT hash FROM participant_keys WHERE board_id = ?1 AND participant_id = ?2",
                    params![board, participant],
                    |r| r.get(0),
                )
                .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(crate::auth::constant_time_eq(&bound, &hash))
        })
    }

    fn load_private(&self, board: &str) -> StorageFuture<'_, Vec<(String, String)>> {
        let board = board.to_string();
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT participant_id, body FROM private_state WHERE board_id = ?1",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![board], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn save_private(&self, board: &str, participant: &str, json: String) -> StorageFuture<'_, ()> {
        let (board, participant) = (board.to_string(), participant.to_string());
        self.run(move |conn| {
            if json.is_empty() {
                conn.execute(
                    "DELETE FROM private_state WHERE board_id = ?1 AND participant_id = ?2",
                    params![board, participant],
                )
                .map_err(db)?;
            } else {
                conn.execute(
                    "INSERT INTO private_state (board_id, participant_id, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (board_id, participant_id) DO UPDATE SET body = excluded.body",
                    params![board, participant, json],
                )
                .map_err(db)?;
            }
            Ok(())
        })
    }

    fn create_workspace(
        &self,
        meta: WorkspaceMeta,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, ()> {
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            let inserted = tx
                .execute(
                    "INSERT OR IGNORE INTO workspaces (id, name, created_at, rotation) VALUES (?1, ?2, ?3, ?4)",
                    params![meta.id, meta.name, meta.created_at, list_to_json(&meta.rotation)],
                )
                .map_err(db)?;
            if inserted == 0 {
                return Err(StorageError::BoardExists(meta.id));
            }
            for link in links {
                tx.execute(
                    "INSERT INTO workspace_links (hash, workspace_id, role) VALUES (?1, ?2, ?3)",
                    params![link.hash, meta.id, role_name(link.role)],
                )
                .map_err(db)?;
            }
            tx.commit().map_err(db)
        })
    }

    fn find_workspace_link(
        &self,
        workspace: &str,
        hash: &str,
    ) -> StorageFuture<'_, Option<LinkStatus>> {
        let (workspace, hash) = (workspace.to_string(), hash.to_string());
        self.run(move |conn| {
            let row: Option<(String, bool)> = conn
                .query_row(
                    "SELECT role, revoked FROM workspace_links WHERE hash = ?1 AND workspace_id = ?2",
                    params![hash, workspace],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db)?;
            Ok(row.and_then(|(role, revoked)| link_status(&role, revoked)))
        })
    }

    fn workspace(&self, id: &str) -> StorageFuture<'_, Option<WorkspaceMeta>> {
        let id = id.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT id, name, created_at, rotation FROM workspaces WHERE id = ?1",
                params![id],
                |r| {
                    Ok(WorkspaceMeta {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        created_at: r.get(2)?,
                        rotation: list_from_json(&r.get::<_, String>(3)?),
                    })
                },
            )
            .optional()
            .map_err(db)
        })
    }

    fn set_rotation(&self, workspace: &str, plan: Vec<String>) -> StorageFuture<'_, ()> {
        let workspace = workspace.to_string();
        self.run(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE workspaces SET rotation = ?2 WHERE id = ?1",
                    params![workspace, list_to_json(&plan)],
                )
                .map_err(db)?;
            if changed == 0 {
                return Err(StorageError::NoSuchBoard(workspace));
            }
            Ok(())
        })
    }

    fn meetings(&self, workspace: &str) -> StorageFuture<'_, Vec<MeetingRecord>> {
        let workspace = workspace.to_string();
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT position, board_id, date, theme, agenda, created_at FROM meetings
                     WHERE workspace_id = ?1 ORDER BY position",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![workspace], |r| {
                    Ok(MeetingRecord {
                        position: r.get(0)?,
                        board_id: r.get(1)?,
                        date: r.get(2)?,
                        theme: r.get(3)?,
                        agenda: list_from_json(&r.get::<_, String>(4)?),
                        created_at: r.get(5)?,
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn add_meeting(
        &self,
        workspace: &str,
        meeting: MeetingRecord,
        board: BoardMeta,
        initial: Vec<u8>,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, i64> {
        let workspace = workspace.to_string();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            insert_board(&tx, &board, &initial, &links)?;
            let position: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM meetings WHERE workspace_id = ?1",
                    params![workspace],
                    |r| r.get(0),
                )
                .map_err(db)?;
            tx.execute(
                "INSERT INTO meetings (workspace_id, position, board_id, date, theme, agenda, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    workspace,
                    position,
                    board.id,
                    meeting.date,
                    meeting.theme,
                    list_to_json(&meeting.agenda),
                    meeting.created_at
                ],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StorageError::NoSuchBoard(workspace.clone())
                }
                e => db(e),
            })?;
            tx.commit().map_err(db)?;
            Ok(position)
        })
    }

    fn meeting_versions(&self, workspace: &str) -> StorageFuture<'_, Vec<MeetingVersion>> {
        let workspace = workspace.to_string();
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT m.board_id,
                            (SELECT MAX(c.seq) FROM chunks c WHERE c.board_id = m.board_id),
                            s.version, s.body
                     FROM meetings m LEFT JOIN meeting_summaries s ON s.board_id = m.board_id
                     WHERE m.workspace_id = ?1 ORDER BY m.position",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![workspace], |r| {
                    let cached: Option<i64> = r.get(2)?;
                    let body: Option<String> = r.get(3)?;
                    Ok(MeetingVersion {
                        board_id: r.get(0)?,
                        version: r.get(1)?,
                        cached: cached.zip(body),
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn save_meeting_summary(
        &self,
        board: &str,
        version: i64,
        json: String,
    ) -> StorageFuture<'_, ()> {
        let board = board.to_string();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO meeting_summaries (board_id, version, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT(board_id) DO UPDATE SET version = excluded.version, body = excluded.body",
                params![board, version, json],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn save_template(&self, t: TemplateRecord, max: usize) -> StorageFuture<'_, bool> {
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            let held: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM templates WHERE workspace_id IS ?1",
                    params![t.workspace],
                    |r| r.get(0),
                )
                .map_err(db)?;
            if held as usize >= max {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO templates (id, workspace_id, name, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![t.id, t.workspace, t.name, t.created_at, t.body],
            )
            .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(true)
        })
    }

    fn templates(&self, workspace: Option<&str>) -> StorageFuture<'_, Vec<TemplateRecord>> {
        let workspace = workspace.map(str::to_string);
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT id, workspace_id, name, created_at FROM templates
                     WHERE workspace_id IS NULL OR workspace_id = ?1
                     ORDER BY workspace_id IS NOT NULL, created_at, id",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![workspace], |r| {
                    Ok(TemplateRecord {
                        id: r.get(0)?,
                        workspace: r.get(1)?,
                        name: r.get(2)?,
                        created_at: r.get(3)?,
                        body: String::new(),
                    })
                })
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
    }

    fn template(&self, id: &str) -> StorageFuture<'_, Option<TemplateRecord>> {
        let id = id.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT id, workspace_id, name, created_at, body FROM templates WHERE id = ?1",
                params![id],
                |r| {
                    Ok(TemplateRecord {
                        id: r.get(0)?,
                        workspace: r.get(1)?,
                        name: r.get(2)?,
                        created_at: r.get(3)?,
                        body: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(db)
        })
    }

    fn workspace_of_board(&self, board: &str) -> StorageFuture<'_, Option<String>> {
        let board = board.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT workspace_id FROM meetings WHERE board_id = ?1",
                params![board],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })
    }

    fn compact(
        &self,
        id: &str,
        snapshot: Vec<u8>,
        up_to: i64,
        title: String,
    ) -> StorageFuture<'_, ()> {
        let id = id.to_string();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(db)?;
            tx.execute(
                "DELETE FROM chunks WHERE board_id = ?1 AND seq <= ?2",
                params![id, up_to],
            )
            .map_err(db)?;
            // The snapshot takes the place of the chunks it replaces: it must
            // sort before any chunk appended after `up_to`, so it reuses that seq.
            tx.execute(
                "INSERT INTO chunks (seq, board_id, bytes) VALUES (?1, ?2, ?3)",
                params![up_to, id, snapshot],
            )
            .map_err(db)?;
            tx.execute(
                "UPDATE boards SET title = ?2 WHERE id = ?1",
                params![id, title],
            )
            .map_err(db)?;
            tx.commit().map_err(db)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str) -> BoardMeta {
        BoardMeta {
            id: id.into(),
            title: "Borgerinddragelse".into(),
            created_at: 1,
        }
    }

    fn meeting(date: &str) -> MeetingRecord {
        MeetingRecord {
            position: 0,
            board_id: String::new(),
            date: date.into(),
            theme: "Hvem skal være med?".into(),
            agenda: vec!["Velkomst".into(), "Idéer".into()],
            created_at: 1,
        }
    }

    /// The cache of a meeting's summary is keyed by the board's stored
    /// version: an append makes it stale, a compaction (same document) does
    /// not, and a reopen keeps it.
    #[tokio::test]
    async fn a_meeting_summary_is_stale_after_an_append_and_not_after_a_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(dir.path()).unwrap();
        s.create_workspace(
            WorkspaceMeta {
                id: "w1".into(),
                name: "Udvalget".into(),
                created_at: 1,
                rotation: vec![],
            },
            vec![],
        )
        .await
        .unwrap();
        s.add_meeting("w1", meeting("2027-01-12"), meta("b1"), vec![1], vec![])
            .await
            .unwrap();
        let row = |v: Vec<MeetingVersion>| v.into_iter().next().expect("one meeting");
        let first = row(s.meeting_versions("w1").await.unwrap());
        assert_eq!(first.board_id, "b1");
        assert_eq!(first.cached, None);
        let v1 = first.version.expect("a stored board has a version");
        s.save_meeting_summary("b1", v1, "{\"a\":1}".into())
            .await
            .unwrap();
        assert_eq!(
            row(s.meeting_versions("w1").await.unwrap()).cached,
            Some((v1, "{\"a\":1}".to_string()))
        );
        let v2 = s.append("b1", vec![2]).await.unwrap();
        let after = row(s.meeting_versions("w1").await.unwrap());
        assert_eq!(after.version, Some(v2));
        assert_ne!(after.version, after.cached.as_ref().map(|c| c.0), "stale");
        s.save_meeting_summary("b1", v2, "{\"a\":2}".into())
            .await
            .unwrap();
        s.compact("b1", vec![1, 2], v2, "Borgerinddragelse".into())
            .await
            .unwrap();
        drop(s);
        let s = SqliteStorage::open(dir.path()).unwrap();
        let compacted = row(s.meeting_versions("w1").await.unwrap());
        assert_eq!(compacted.version, Some(v2), "compaction keeps the version");
        assert_eq!(compacted.cached, Some((v2, "{\"a\":2}".to_string())));
    }

    #[tokio::test]
    async fn meetings_keep_their_order_and_a_failed_meeting_leaves_no_board() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(dir.path()).unwrap();
        let link = |hash: &str| LinkRecord {
            role: crate::storage::Role::Editor,
            hash: hash.into(),
        };
        s.create_workspace(
            WorkspaceMeta {
                id: "w1".into(),
                name: "Udvalget".into(),
                created_at: 1,
                rotation: vec![],
            },
            vec![link("h-ws")],
        )
        .await
        .unwrap();
        for (board, date) in [("b1", "2027-01-12"), ("b2", "2027-02-09")] {
            s.add_meeting(
                "w1",
                meeting(date),
                meta(board),
                vec![1],
                vec![link(&format!("h-{board}"))],
            )
            .await
            .unwrap();
        }
        // A meeting of a workspace that does not exist: nothing is stored.
        assert!(
            s.add_meeting("nope", meeting("2027-03-01"), meta("b3"), vec![1], vec![])
                .await
                .is_err()
        );
        assert_eq!(s.board_meta("b3").await.unwrap(), None);
        s.set_rotation("w1", vec!["Aisha".into(), "Jens".into()])
            .await
            .unwrap();
        drop(s);
        let s = SqliteStorage::open(dir.path()).unwrap();
        let got: Vec<(i64, String, String)> = s
            .meetings("w1")
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.position, m.board_id, m.date))
            .collect();
        assert_eq!(
            got,
            [
                (1, "b1".to_string(), "2027-01-12".to_string()),
                (2, "b2".into(), "2027-02-09".into())
            ]
        );
        assert_eq!(
            s.meetings("w1").await.unwrap()[0].agenda,
            ["Velkomst", "Idéer"]
        );
        assert_eq!(
            s.workspace("w1").await.unwrap().unwrap().rotation,
            ["Aisha", "Jens"]
        );
        assert_eq!(
            s.workspace_of_board("b2").await.unwrap().as_deref(),
            Some("w1")
        );
        assert_eq!(
            s.find_workspace_link("w1", "h-ws").await.unwrap(),
            Some(LinkStatus::Active(crate::storage::Role::Editor))
        );
        assert_eq!(s.find_workspace_link("w1", "h-b1").await.unwrap(), None);
        assert!(s.find_link("b1", "h-b1").await.unwrap().is_some());
        assert!(s.set_rotation("nope", vec![]).await.is_err());
    }

    #[tokio::test]
    async fn append_load_compact_keeps_order_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(dir.path()).unwrap();
        s.create_board(meta("b1"), vec![1], vec![]).await.unwrap();
        assert!(matches!(
            s.create_board(meta("b1"), vec![1], vec![]).await,
            Err(StorageError::BoardExists(_))
        ));
        let a = s.append("b1", vec![2]).await.unwrap();
        s.append("b1", vec![3]).await.unwrap();
        s.compact("b1", vec![9], a, "Ny titel".into())
            .await
            .unwrap();
        s.append("b1", vec![4]).await.unwrap();
        drop(s);
        let s = SqliteStorage::open(dir.path()).unwrap();
        let bytes: Vec<Vec<u8>> = s
            .load("b1")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.bytes)
            .collect();
        assert_eq!(bytes, vec![vec![9], vec![3], vec![4]]);
        assert_eq!(s.board_meta("b1").await.unwrap().unwrap().title, "Ny titel");
        assert_eq!(s.board_meta("nope").await.unwrap(), None);
        assert!(matches!(
            s.append("nope", vec![1]).await,
            Err(StorageError::NoSuchBoard(_))
        ));
    }

    /// Many rooms appending at once share transactions: every append lands,
    /// in order per board, survives a reopen, and an append to a missing
    /// board fails alone without failing the others in its group.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_share_commits_and_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(dir.path()).unwrap();
        for b in 0..20 {
            s.create_board(meta(&format!("b{b}")), vec![0], vec![])
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for b in 0..20u8 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                for i in 1..=25u8 {
                    s.append(&format!("b{b}"), vec![b, i]).await.unwrap();
                }
            }));
        }
        let missing = {
            let s = s.clone();
            tokio::spawn(async move { s.append("gone", vec![1]).await })
        };
        for t in tasks {
            t.await.unwrap();
        }
        assert!(matches!(
            missing.await.unwrap(),
            Err(StorageError::NoSuchBoard(_))
        ));
        drop(s);
        let s = SqliteStorage::open(dir.path()).unwrap();
        for b in 0..20u8 {
            let bytes: Vec<Vec<u8>> = s
                .load(&format!("b{b}"))
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.bytes)
                .collect();
            let mut want = vec![vec![0]];
            want.extend((1..=25u8).map(|i| vec![b, i]));
            assert_eq!(bytes, want, "board b{b}");
        }
    }
}
