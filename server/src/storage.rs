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

/// One stored piece of a board: a full snapshot or a run of changes.
/// Loading concatenates all chunks in `seq` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub seq: i64,
    pub bytes: Vec<u8>,
}

pub trait Storage: Send + Sync + 'static {
    /// Creates a board with its first document bytes, in one transaction.
    fn create_board(&self, meta: BoardMeta, initial: Vec<u8>) -> StorageFuture<'_, ()>;

    fn board_meta(&self, id: &str) -> StorageFuture<'_, Option<BoardMeta>>;

    /// All chunks of a board, oldest first.
    fn load(&self, id: &str) -> StorageFuture<'_, Vec<Chunk>>;

    /// Durably appends a run of changes; returns the new chunk's `seq` once committed.
    fn append(&self, id: &str, changes: Vec<u8>) -> StorageFuture<'_, i64>;

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
