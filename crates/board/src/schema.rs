//! The one place that spells the Automerge paths and keys of a board.
//!
//! ```text
//! ROOT
//! ├── schema_version: uint            SCHEMA_VERSION
//! ├── meta: map
//! │   ├── title: text                 the board's title
//! │   ├── theme: text                 the question the meeting works on
//! │   ├── language: str               "da" or "en"
//! │   ├── template: str               what it was made from ("blank", "postits", "mindmap", …)
//! │   └── created_at: int             ms since the Unix epoch
//! ├── participants: map<ParticipantId, map>
//! │   ├── name: str, role: str (RoleGroup), color: str
//! │   └── named_consent: bool         optional (absent: false): this person agreed
//! │                                   to be named in public snapshots; only they set it
//! ├── notes: map<NoteId, map>
//! │   ├── text: text                  Automerge text: concurrent typing merges per character
//! │   ├── x, y: f64                   relative to the frame's corner when `frame` is set
//! │   ├── w, h, z: f64                size; stacking order (higher on top)
//! │   ├── color: str                  one of `Color`
//! │   ├── frame: str                  the frame's id, or "" for none
//! │   ├── author: str, created_at: int, edited_at: int
//! │   └── deleted: bool               tombstone (undo restores it)
//! ├── frames: map<FrameId, map>
//! │   ├── name: text, x, y, w, h: f64, color: str, author, created_at, deleted
//! ├── connectors: map<ConnectorId, map>
//! │   ├── from: str, to: str          ids of notes, frames or mind-map nodes
//! │   ├── label: text, author, created_at, deleted
//! └── mindmaps: map<MindMapId, map>
//!     ├── root: str                   the root node's id
//!     └── nodes: map<NodeId, map>
//!         ├── text: text, parent: str ("" for the root), order: f64,
//!         ├── collapsed: bool, color: str, author, created_at, edited_at, deleted
//! ```
//!
//! Deleting anything sets its `deleted` tombstone rather than removing it, so
//! an undo can bring it back with everyone's concurrent edits inside, and a
//! note in a deleted frame still knows where the frame was.
//!
//! The containers are created by one *genesis* change that every replica
//! produces byte for byte (fixed actor, fixed time), so two replicas that
//! start a board independently never create rival `notes` maps.

/// Bumped whenever the layout above changes in a way older code cannot read.
pub const SCHEMA_VERSION: u64 = 1;

pub const SCHEMA_VERSION_KEY: &str = "schema_version";
pub const META: &str = "meta";
pub const PARTICIPANTS: &str = "participants";
pub const NOTES: &str = "notes";
pub const FRAMES: &str = "frames";
pub const CONNECTORS: &str = "connectors";
pub const MINDMAPS: &str = "mindmaps";

/// Keys at the root, in genesis order.
pub const ROOT_KEYS: [&str; 7] = [
    SCHEMA_VERSION_KEY,
    META,
    PARTICIPANTS,
    NOTES,
    FRAMES,
    CONNECTORS,
    MINDMAPS,
];

/// Every key the root may hold: the genesis containers plus the maps of the
/// extension genesis (`crate::facilitation`), which boards gain when first used.
pub const ALL_ROOT_KEYS: [&str; 9] = [
    SCHEMA_VERSION_KEY,
    META,
    PARTICIPANTS,
    NOTES,
    FRAMES,
    CONNECTORS,
    MINDMAPS,
    crate::facilitation::FACILITATION,
    crate::facilitation::OUTCOMES,
];

pub mod meta {
    pub const TITLE: &str = "title";
    pub const THEME: &str = "theme";
    pub const LANGUAGE: &str = "language";
    pub const TEMPLATE: &str = "template";
    pub const CREATED_AT: &str = "created_at";
    pub const ALL: [&str; 5] = [TITLE, THEME, LANGUAGE, TEMPLATE, CREATED_AT];
}

pub mod participant {
    pub const NAME: &str = "name";
    pub const ROLE: &str = "role";
    pub const COLOR: &str = "color";
    /// Optional; an absent key reads as `false`, so older boards keep loading.
    pub const NAMED_CONSENT: &str = "named_consent";
    pub const ALL: [&str; 4] = [NAME, ROLE, COLOR, NAMED_CONSENT];
}

/// Keys shared by several kinds of item.
pub const TEXT: &str = "text";
pub const X: &str = "x";
pub const Y: &str = "y";
pub const W: &str = "w";
pub const H: &str = "h";
pub const Z: &str = "z";
pub const COLOR: &str = "color";
pub const AUTHOR: &str = "author";
pub const CREATED_AT: &str = "created_at";
pub const EDITED_AT: &str = "edited_at";
pub const DELETED: &str = "deleted";

pub mod note {
    pub use super::{AUTHOR, COLOR, CREATED_AT, DELETED, EDITED_AT, H, TEXT, W, X, Y, Z};
    pub const FRAME: &str = "frame";
    pub const ALL: [&str; 12] = [
        TEXT, X, Y, W, H, Z, COLOR, FRAME, AUTHOR, CREATED_AT, EDITED_AT, DELETED,
    ];
}

pub mod frame {
    pub use super::{AUTHOR, COLOR, CREATED_AT, DELETED, H, W, X, Y};
    pub const NAME: &str = "name";
    pub const ALL: [&str; 9] = [NAME, X, Y, W, H, COLOR, AUTHOR, CREATED_AT, DELETED];
}

pub mod connector {
    pub use super::{AUTHOR, CREATED_AT, DELETED};
    pub const FROM: &str = "from";
    pub const TO: &str = "to";
    pub const LABEL: &str = "label";
    pub const ALL: [&str; 6] = [FROM, TO, LABEL, AUTHOR, CREATED_AT, DELETED];
}

pub mod mindmap {
    pub const ROOT: &str = "root";
    pub const NODES: &str = "nodes";
    pub const ALL: [&str; 2] = [ROOT, NODES];
}

pub mod node {
    pub use super::{AUTHOR, COLOR, CREATED_AT, DELETED, EDITED_AT, TEXT};
    pub const PARENT: &str = "parent";
    pub const ORDER: &str = "order";
    pub const COLLAPSED: &str = "collapsed";
    pub const ALL: [&str; 9] = [
        TEXT, PARENT, ORDER, COLLAPSED, COLOR, AUTHOR, CREATED_AT, EDITED_AT, DELETED,
    ];
}

/// The actor of the genesis change. All-zero bytes: no real replica uses it.
pub const GENESIS_ACTOR: [u8; 16] = [0; 16];
