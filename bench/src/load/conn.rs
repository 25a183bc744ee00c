//! One client connection of any system under test, behind one interface, so
//! the same scenario code drives Samskab and its peers:
//!
//! - Samskab: `samskab_tests::WsClient` (its own protocol, acknowledgements
//!   once the server has stored a change).
//! - The automerge-repo servers (`@automerge/automerge-repo` 2.x, the
//!   published sync server, samod): [`crate::repo::RepoClient`], the
//!   automerge-repo wire protocol over the same `automerge` crate.
//! - Yjs (`@y/websocket-server`): [`crate::yjs::YClient`], the y-websocket
//!   protocol over `yrs`.
//!
//! Every client keeps a full replica and applies every change it receives.
use std::time::Duration;

use automerge::{ChangeHash, ReadDoc};
use samskab_board::{Color, Op};
use samskab_tests::WsClient;

use crate::repo::RepoClient;
use crate::systems::{BoardRef, System};
use crate::yjs::YClient;

/// What identifies one edit on every replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditId {
    /// An Automerge change.
    Hash(ChangeHash),
    /// A Yjs transaction: the replica's client id and its clock after it.
    Clock { client: u64, clock: u32 },
}

/// A connected (or reconnecting) client of one system.
pub enum Conn {
    Samskab(Box<WsClient>),
    Repo(Box<RepoClient>),
    Yjs(Box<YClient>),
}

/// A colour's name, as the peers store it.
pub fn color_name(c: Color) -> String {
    format!("{c:?}").to_lowercase()
}

impl Conn {
    /// Connects to `board` on a server of `system` at `base` (`ws://host:port`)
    /// and waits until the replica has the board's current state.
    pub async fn join(
        system: System,
        base: &str,
        board: &BoardRef,
        name: &str,
    ) -> anyhow::Result<Conn> {
        Ok(match system {
            System::Samskab => {
                let mut c = WsClient::offline(&board.id, &board.key, name);
                c.keep_received = false;
                c.connect(&format!("{base}/ws")).await?;
                Conn::Samskab(Box::new(c))
            }
            System::Yjs => Conn::Yjs(Box::new(YClient::join(base, &board.id).await?)),
            _ => Conn::Repo(Box::new(RepoClient::join(base, &board.id).await?)),
        })
    }

    /// Connects again after the connection was lost (the replica keeps its
    /// state and sends what the server lacks).
    pub async fn reconnect(&mut self, system: System, base: &str) -> anyhow::Result<()> {
        match self {
            Conn::Samskab(c) => {
                if c.is_connected() {
                    c.drop_connection();
                }
                c.connect(&format!("{base}/ws")).await
            }
            Conn::Repo(c) => c.reconnect(base).await,
            Conn::Yjs(c) => c.reconnect(base).await,
        }
        .map_err(|e| anyhow::anyhow!("{}: {e:#}", system.name()))
    }

    pub fn is_connected(&self) -> bool {
        match self {
            Conn::Samskab(c) => c.is_connected(),
            Conn::Repo(c) => c.is_connected(),
            Conn::Yjs(c) => c.is_connected(),
        }
    }

    /// Drops the connection without a goodbye.
    pub fn drop_connection(&mut self) {
        match self {
            Conn::Samskab(c) => c.drop_connection(),
            Conn::Repo(c) => c.drop_connection(),
            Conn::Yjs(c) => c.drop_connection(),
        }
    }

    /// Whether the server acknowledges stored edits (only Samskab does).
    pub fn has_acks(&self) -> bool {
        matches!(self, Conn::Samskab(_))
    }

    /// Makes one edit on the local replica (not sent yet: see [`Conn::flush`]).
    /// `Ok(None)`: the edit changed nothing.
    pub fn apply(&mut self, op: &Op) -> anyhow::Result<Option<EditId>> {
        match self {
            Conn::Samskab(c) => {
                let ctx = c.ctx();
                let before = c.session.unacknowledged();
                c.session.apply(op, &ctx)?;
                let hashes = c.session.unacknowledged_hashes();
                Ok(if hashes.len() > before {
                    hashes.last().copied().map(EditId::Hash)
                } else {
                    None
                })
            }
            Conn::Repo(c) => Ok(c.apply(op)?.map(EditId::Hash)),
            Conn::Yjs(c) => Ok(c.apply(op)?),
        }
    }

    /// Sends what the local edits and the sync protocol have queued.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        match self {
            Conn::Samskab(c) => c.flush().await,
            Conn::Repo(c) => c.flush().await,
            Conn::Yjs(c) => c.flush().await,
        }
    }

    /// Handles one incoming frame if one arrives within `wait`; whether one did.
    pub async fn pump_once(&mut self, wait: Duration) -> anyhow::Result<bool> {
        match self {
            Conn::Samskab(c) => c.pump_once(wait).await,
            Conn::Repo(c) => c.pump_once(wait).await,
            Conn::Yjs(c) => c.pump_once(wait).await,
        }
    }

    /// Handles every frame that has arrived, waiting up to `wait` for the
    /// first and taking at most `max`, with the changes among them applied
    /// as one batch (each system's client the same way: see
    /// bench/README.md). Returns how many frames there were and whether
    /// anything arrived at all.
    pub async fn pump_batch(
        &mut self,
        wait: Duration,
        max: usize,
    ) -> anyhow::Result<(usize, bool)> {
        match self {
            Conn::Samskab(c) => c.pump_batch(wait, max).await,
            Conn::Repo(c) => c.pump_batch(wait, max).await,
            Conn::Yjs(c) => c.pump_batch(wait, max).await,
        }
    }

    /// Whether the server has acknowledged `id` as stored (`true` for
    /// systems without acknowledgements).
    pub fn is_acked(&self, id: &EditId) -> bool {
        match (self, id) {
            (Conn::Samskab(c), EditId::Hash(h)) => !c.session.unacknowledged_hashes().contains(h),
            _ => true,
        }
    }

    /// Own edits not acknowledged yet.
    pub fn unacknowledged(&self) -> usize {
        match self {
            Conn::Samskab(c) => c.session.unacknowledged(),
            _ => 0,
        }
    }

    /// Which of `ids` the replica holds (applied, not merely queued), in
    /// one lookup: a client that is behind checks thousands of edits per
    /// frame, and one `get_missing_deps` call per edit made the load
    /// generator itself the bottleneck of S1.
    pub fn holds(&self, ids: &[EditId]) -> Vec<bool> {
        let hashes: Vec<ChangeHash> = ids
            .iter()
            .filter_map(|id| match id {
                EditId::Hash(h) => Some(*h),
                EditId::Clock { .. } => None,
            })
            .collect();
        let missing: std::collections::HashSet<ChangeHash> = match self {
            Conn::Samskab(c) => ReadDoc::get_missing_deps(c.board().doc(), &hashes),
            Conn::Repo(c) => c.document().get_missing_deps(&hashes),
            Conn::Yjs(_) => Vec::new(),
        }
        .into_iter()
        .collect();
        ids.iter()
            .map(|id| match (self, id) {
                (Conn::Yjs(c), EditId::Clock { client, clock }) => c.clock_of(*client) >= *clock,
                (Conn::Yjs(_), EditId::Hash(_)) | (_, EditId::Clock { .. }) => false,
                (_, EditId::Hash(h)) => !missing.contains(h),
            })
            .collect()
    }

    /// A number that grows whenever the replica changes (to skip checks).
    pub fn version(&self) -> u64 {
        match self {
            Conn::Samskab(c) => c.board().doc().stats().num_changes,
            Conn::Repo(c) => c.version(),
            Conn::Yjs(c) => c.version(),
        }
    }

    /// The replica's state in a form that is equal on two replicas exactly
    /// when they have converged (sorted heads; Yjs: state vector and content).
    pub fn digest(&mut self) -> Vec<u8> {
        match self {
            Conn::Samskab(c) => {
                let mut h = c.session.heads();
                h.sort();
                h.iter().flat_map(|h| h.0).collect()
            }
            Conn::Repo(c) => c.digest(),
            Conn::Yjs(c) => c.digest(),
        }
    }

    /// Why the connection closed, as far as known.
    pub fn close_reason(&self) -> String {
        match self {
            Conn::Samskab(c) => format!(
                "closed: {:?}; refusals: {:?}",
                c.closed.clone().flatten().map(|f| f.reason.to_string()),
                c.refusals.last().map(|r| format!("{r:?}"))
            ),
            Conn::Repo(c) => c.close_reason(),
            Conn::Yjs(c) => c.close_reason(),
        }
    }
}
