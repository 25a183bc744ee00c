//! Where boards live. [`Storage`] is the small trait every backend implements
//! (append changes, load, compact, plus board metadata); [`sqlite`] is the
//! embedded default. The methods return boxed futures so that a network
//! database (PostgreSQL) can implement it without blocking a thread.
use std::future::Future;
use std::pin::Pin;

use thiserror::Error;

pub mod sqlite;

pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(String),
    #[error("board {0} does not exist")]
    NoSuchBoard(String),
    #[error("board {0} exists already")]
    BoardExists(String),
    #[error("storage task failed: {0}")]
    Task(String),
}

/// What the server knows about a board outside its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMeta {
    pub id: String,
    pub title: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// The role a share link grants. Stored by name.
pub use samskab_protocol::Permission as Role;

/// A share link as stored: only the SHA-256 of its secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub role: Role,
    /// Lower-case hex SHA-256 of the secret.
    pub hash: String,
}

/// What a presented secret turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Active(Role),
    /// It was valid once; the facilitator has replaced it.
    Revoked(Role),
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Facilitator => "facilitator",
        Role::Editor => "editor",
        Role::Viewer => "viewer",
    }
}

pub fn parse_role(name: &str) -> Option<Role> {
    [Role::Facilitator, Role::Editor, Role::Viewer]
        .into_iter()
        .find(|r| role_name(*r) == name)
}

/// One stored piece of a board: a full snapshot or a run of changes.
/// Loading concatenates all chunks in `seq` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub seq: i64,
    pub bytes: Vec<u8>,
}

/// A committee's workspace: its meetings in a series (see `crate::workspaces`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceMeta {
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The planned order of chairs for the meetings: participant ids of the
    /// series (plans written before held free names, shown as written).
    pub rotation: Vec<String>,
}

/// One meeting of a workspace, with the board it is held on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    /// 1 for the first meeting, then 2, 3, … (given by storage).
    pub position: i64,
    pub board_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub theme: String,
    pub agenda: Vec<String>,
    pub created_at: i64,
}

/// A meeting board as the series listing needs it, without its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingVersion {
    pub board_id: String,
    /// The board's stored version: the `seq` of its last chunk. Chunks are
    /// numbered once and a compaction keeps the number of the last chunk it
    /// replaces, so the same version means the same stored document.
    pub version: Option<i64>,
    /// The summary cached for a version of the board, if any: (version, JSON).
    pub cached: Option<(i64, String)>,
}

/// A committee's own template (see `crate::saved_templates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub id: String,
    /// The series it belongs to; `None`: any board on this server may use it.
    pub workspace: Option<String>,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// `samskab_board::templates::SavedTemplate` as JSON ("" in listings).
    pub body: String,
}

pub trait Storage: Send + Sync + 'static {
    /// Creates a board with its first document bytes and its share links,
    /// in one transaction.
    fn create_board(
        &self,
        meta: BoardMeta,
        initial: Vec<u8>,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, ()>;

    /// Looks up a link by the hash of its secret.
    fn find_link(&self, board: &str, hash: &str) -> StorageFuture<'_, Option<LinkStatus>>;

    /// Revokes every active link of `link.role` and adds `link`, in one transaction.
    fn replace_link(&self, board: &str, link: LinkRecord) -> StorageFuture<'_, ()>;

    fn board_meta(&self, id: &str) -> StorageFuture<'_, Option<BoardMeta>>;

    /// All chunks of a board, oldest first.
    fn load(&self, id: &str) -> StorageFuture<'_, Vec<Chunk>>;

    /// Durably appends a run of changes; returns the new chunk's `seq` once committed.
    fn append(&self, id: &str, changes: Vec<u8>) -> StorageFuture<'_, i64>;

    /// Binds `participant` on `board` to the hash of a device's participant
    /// secret on first use (trust on first use). Returns whether `hash` is
    /// the one bound (now or before).
    fn bind_participant(
        &self,
        _board: &str,
        _participant: &str,
        _hash: &str,
    ) -> StorageFuture<'_, bool> {
        Box::pin(async {
            Err(StorageError::Database(
                "participant keys are not supported".into(),
            ))
        })
    }

    /// Every participant's hidden content on a board: (participant, JSON).
    fn load_private(&self, _board: &str) -> StorageFuture<'_, Vec<(String, String)>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Stores one participant's hidden content ("" removes it).
    fn save_private(
        &self,
        _board: &str,
        _participant: &str,
        _json: String,
    ) -> StorageFuture<'_, ()> {
        Box::pin(async {
            Err(StorageError::Database(
                "private content is not supported".into(),
            ))
        })
    }

    /// Creates a workspace with its share links, in one transaction.
    fn create_workspace(
        &self,
        meta: WorkspaceMeta,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, ()>;

    /// Looks up a workspace link by the hash of its secret.
    fn find_workspace_link(
        &self,
        workspace: &str,
        hash: &str,
    ) -> StorageFuture<'_, Option<LinkStatus>>;

    fn workspace(&self, id: &str) -> StorageFuture<'_, Option<WorkspaceMeta>>;

    /// Replaces the workspace's rotation plan.
    fn set_rotation(&self, workspace: &str, plan: Vec<String>) -> StorageFuture<'_, ()>;

    /// The workspace's meetings, first meeting first.
    fn meetings(&self, workspace: &str) -> StorageFuture<'_, Vec<MeetingRecord>>;

    /// Creates the meeting's board (as [`Storage::create_board`]) and adds the
    /// meeting after the workspace's last one, in one transaction. Returns
    /// its position.
    fn add_meeting(
        &self,
        workspace: &str,
        meeting: MeetingRecord,
        board: BoardMeta,
        initial: Vec<u8>,
        links: Vec<LinkRecord>,
    ) -> StorageFuture<'_, i64>;

    /// Each meeting board of the workspace (first meeting first) with its
    /// stored version and its cached summary, in one read.
    fn meeting_versions(&self, workspace: &str) -> StorageFuture<'_, Vec<MeetingVersion>>;

    /// Caches a meeting board's summary (JSON) for `version`.
    fn save_meeting_summary(
        &self,
        board: &str,
        version: i64,
        json: String,
    ) -> StorageFuture<'_, ()>;

    /// Stores a template, unless its series (or, for `workspace: None`, the
    /// installation) holds `max` already: returns whether it was stored.
    fn save_template(&self, template: TemplateRecord, max: usize) -> StorageFuture<'_, bool>;

    /// The installation's templates and, with `Some(workspace)`, that
    /// series' own, oldest first, without their bodies.
    fn templates(&self, workspace: Option<&str>) -> StorageFuture<'_, Vec<TemplateRecord>>;

    /// One template with its body.
    fn template(&self, id: &str) -> StorageFuture<'_, Option<TemplateRecord>>;

    /// The workspace a board is a meeting of, if any.
    fn workspace_of_board(&self, board: &str) -> StorageFuture<'_, Option<String>>;

    /// Replaces every chunk up to and including `up_to` with `snapshot`, in
    /// one transaction: a crash leaves either the old chunks or the snapshot.
    fn compact(
        &self,
        id: &str,
        snapshot: Vec<u8>,
        up_to: i64,
        title: String,
    ) -> StorageFuture<'_, ()>;
}
