//! The one place that spells the Automerge paths and keys of a board.
//!
//! ```text
//! ROOT
//! ├── schema_version: int          SCHEMA_VERSION
//! ├── meta: map
//! │   ├── title: text              the board's title
//! │   └── created_at: int          milliseconds since the Unix epoch
//! └── notes: map<NoteId, map>
//!     ├── text: text               Automerge text: concurrent typing merges per character
//!     ├── x, y, w, h: f64          position and size in board units
//!     ├── z: f64                   stacking order (higher is on top)
//!     ├── color: str               one of `Color`
//!     ├── author: str              participant id of whoever created it
//!     ├── created_at: int          milliseconds
//!     └── edited_at: int           milliseconds
//! ```
//!
//! The containers (`meta`, `notes`) are created by one *genesis* change that
//! every replica produces byte for byte (fixed actor, fixed time), so two
//! replicas that start a board independently never create rival `notes` maps.

/// Bumped whenever the layout above changes in a way older code cannot read.
pub const SCHEMA_VERSION: u64 = 1;

pub const SCHEMA_VERSION_KEY: &str = "schema_version";
pub const META: &str = "meta";
pub const TITLE: &str = "title";
pub const CREATED_AT: &str = "created_at";
pub const NOTES: &str = "notes";

pub mod note {
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

    /// Every key a note may hold; anything else is refused by validation.
    pub const ALL: [&str; 10] = [TEXT, X, Y, W, H, Z, COLOR, AUTHOR, CREATED_AT, EDITED_AT];
}

/// The actor of the genesis change. All-zero bytes: no real replica uses it.
pub const GENESIS_ACTOR: [u8; 16] = [0; 16];
