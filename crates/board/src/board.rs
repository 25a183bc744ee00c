//! [`Board`]: an Automerge document with the Samskab schema, changed only through [`Op`]s.
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, LoadOptions, ObjId, ObjType, ROOT, ReadDoc, ScalarValue,
    VerificationMode,
};

use crate::doc::{self, boolean, number, string};
use crate::error::BoardError;
use crate::op::{Color, Ctx, Op};
use crate::schema::{self, frame, meta, node, note};

/// Sizes a board and its parts may reach. The same numbers guard local edits
/// ([`Board::apply`]) and incoming changes ([`crate::validate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Characters in a note or a mind-map node.
    pub max_note_chars: usize,
    /// Characters in a title, theme, frame name or connector label.
    pub max_title_chars: usize,
    /// Items of each kind (notes, frames, connectors, nodes, participants),
    /// deleted ones included.
    pub max_items: usize,
    pub max_doc_bytes: usize,
    /// Changes in a board's history, as declared by a file or a peer's
    /// data before Automerge reads it (see [`crate::wire`]).
    pub max_changes: u64,
    /// Operations in a board's history (every keystroke is one), likewise.
    pub max_ops: u64,
    /// Bytes that deflated data from outside may inflate to.
    pub max_inflated_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_note_chars: 2_000,
            max_title_chars: 200,
            max_items: 20_000,
            max_doc_bytes: 32 * 1024 * 1024,
            max_changes: 2_000_000,
            max_ops: 16_000_000,
            max_inflated_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Default size of a new note, in board units.
pub const NOTE_SIZE: (f64, f64) = (200.0, 160.0);
/// Smallest note or frame.
pub const MIN_SIZE: f64 = 40.0;
/// Coordinates beyond this are refused: they would only be typos or attacks.
pub const MAX_COORD: f64 = 1.0e7;

/// A Samskab board.
#[derive(Debug)]
pub struct Board {
    pub(crate) doc: AutoCommit,
    pub(crate) limits: Limits,
}

impl Board {
    /// A new, empty board. `actor` identifies this replica in the document's
    /// history (16 random bytes chosen by the caller: the model draws none).
    pub fn new(actor: &[u8]) -> Board {
        let mut doc = genesis();
        doc.set_actor(ActorId::from(actor));
        Board {
            doc,
            limits: Limits::default(),
        }
    }

    /// A new board with a title and creation time, as one change.
    pub fn create(actor: &[u8], title: &str, ctx: &Ctx) -> Result<Board, BoardError> {
        let mut board = Board::new(actor);
        board.apply_ops(
            &Op::SetTitle {
                title: title.to_string(),
            },
            ctx,
        )?;
        let m = board.container(schema::META)?;
        board.doc.put(&m, meta::CREATED_AT, ctx.now_ms)?;
        board.doc.commit_with(
            CommitOptions::default()
                .with_message("create_board")
                .with_time(ctx.now_ms.div_euclid(1000)),
        );
        Ok(board)
    }

    /// Loads a saved board (a full save, concatenated changes, or both).
    ///
    /// The bytes may come from anywhere (an imported file): they are checked
    /// against the default [`Limits`] before Automerge reads them
    /// ([`crate::wire::check_chunks`]).
    pub fn load(bytes: &[u8], actor: &[u8]) -> Result<Board, BoardError> {
        crate::wire::check_chunks(bytes, &Limits::default())?;
        // Automerge 0.12 can panic on well-formed but inconsistent input
        // (found by fuzzing): an imported file must not take anything down.
        let loaded = std::panic::catch_unwind(|| AutoCommit::load(bytes))
            .map_err(|_| BoardError::NotABoard("the document is damaged".into()))?;
        let mut doc = loaded?;
        doc.set_actor(ActorId::from(actor));
        Board::from_doc(doc)
    }

    /// Loads a board this program saved itself (the server's own storage).
    ///
    /// Unlike [`Board::load`] it does not recompute the hash of every change
    /// in the history to compare them with the saved heads: that check is
    /// most of the load time of a long-lived board, and it guards against a
    /// forged file, which our own database is not. Every chunk's checksum is
    /// still verified, so a damaged file is still refused.
    pub fn load_stored(bytes: &[u8], actor: &[u8]) -> Result<Board, BoardError> {
        let options = LoadOptions::new().verification_mode(VerificationMode::DontCheck);
        let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            AutoCommit::load_with_options(bytes, options)
        }))
        .map_err(|_| BoardError::NotABoard("the document is damaged".into()))?;
        let mut doc = loaded?;
        doc.set_actor(ActorId::from(actor));
        Board::from_doc(doc)
    }

    /// Wraps an Automerge document received from elsewhere, after checking
    /// that it is a board this version can read.
    pub fn from_doc(doc: AutoCommit) -> Result<Board, BoardError> {
        let board = Board {
            doc,
            limits: Limits::default(),
        };
        board.check_shape()?;
        Ok(board)
    }

    /// Whether this replica holds nothing but the genesis change every
    /// board starts from: a device that has never synced this board.
    pub fn is_pristine(&mut self) -> bool {
        self.doc.get_heads() == [genesis_hash()]
    }

    /// Whether this replica holds the genesis change (every board made by
    /// Samskab does).
    pub fn has_genesis(&mut self) -> bool {
        self.doc.get_change_meta_by_hash(&genesis_hash()).is_some()
    }

    pub fn with_limits(mut self, limits: Limits) -> Board {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The underlying Automerge document, for sync and storage.
    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// Mutable access for the sync protocol and merges. Edits go through [`Board::apply`].
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Returns the current heads and starts recording every change that
    /// arrives from now on, so that [`crate::validate_changes`] (and
    /// [`Board::diff`]) from these heads to the next ones costs as much as
    /// the changes, not as much as the board. The server marks before each
    /// incoming sync message.
    pub fn mark(&mut self) -> Vec<ChangeHash> {
        self.doc.update_diff_cursor();
        self.doc.get_heads()
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies one edit as one Automerge change and returns its hash
    /// (`None` when the edit changed nothing). On error nothing changes.
    pub fn apply(&mut self, op: &Op, ctx: &Ctx) -> Result<Option<ChangeHash>, BoardError> {
        if let Err(e) = self.apply_uncommitted(op, ctx) {
            self.doc.rollback();
            return Err(e);
        }
        Ok(self.commit_ops(std::slice::from_ref(op), ctx))
    }

    /// Applies an op inside the open transaction (the caller commits or
    /// rolls back). The one place where an [`Op`] becomes document changes.
    pub(crate) fn apply_uncommitted(&mut self, op: &Op, ctx: &Ctx) -> Result<(), BoardError> {
        if crate::facilitation::needs_extension(op) {
            self.ensure_extension()?;
        }
        self.apply_ops(op, ctx)
    }

    /// Commits the open transaction as one change named after `ops`.
    pub(crate) fn commit_ops(&mut self, ops: &[Op], ctx: &Ctx) -> Option<ChangeHash> {
        let names: Vec<&str> = ops.iter().map(Op::name).collect();
        let opts = CommitOptions::default()
            .with_message(names.join(","))
            .with_time(ctx.now_ms.div_euclid(1000));
        self.doc.commit_with(opts)
    }

    // ---- helpers -------------------------------------------------------

    pub(crate) fn container(&self, key: &str) -> Result<ObjId, BoardError> {
        self.child(&ROOT, key)
            .ok_or_else(|| BoardError::NotABoard(format!("missing object {key:?}")))
    }

    pub(crate) fn child(&self, parent: &ObjId, key: &str) -> Option<ObjId> {
        doc::object(&self.doc, parent, key)
    }

    /// An item of `kind` (a root container) that exists and is not deleted.
    pub(crate) fn live(&self, kind: &str, id: &str) -> Result<ObjId, BoardError> {
        let obj = self.any(kind, id)?;
        if boolean(&self.doc, &obj, schema::DELETED).unwrap_or(false) {
            return Err(BoardError::NotFound(id.to_string()));
        }
        Ok(obj)
    }

    /// An item of `kind`, deleted or not.
    pub(crate) fn any(&self, kind: &str, id: &str) -> Result<ObjId, BoardError> {
        let c = self.container(kind)?;
        self.child(&c, id)
            .ok_or_else(|| BoardError::NotFound(id.to_string()))
    }

    pub(crate) fn is_live_item(&self, id: &str) -> bool {
        if [schema::NOTES, schema::FRAMES]
            .iter()
            .any(|k| self.live(k, id).is_ok())
        {
            return true;
        }
        let Ok(maps) = self.container(schema::MINDMAPS) else {
            return false;
        };
        doc::children(&self.doc, &maps)
            .into_iter()
            .any(|(m, _)| self.live_node(&m, id).is_ok())
    }

    /// Creates the map for a new item with the fields every item has.
    pub(crate) fn new_item(
        &mut self,
        kind: &str,
        id: &str,
        ctx: &Ctx,
    ) -> Result<ObjId, BoardError> {
        check_id(id)?;
        let c = self.container(kind)?;
        if self.child(&c, id).is_some() {
            return Err(BoardError::Exists(id.to_string()));
        }
        self.check_room(&c)?;
        let obj = self.doc.put_object(&c, id, ObjType::Map)?;
        self.doc
            .put(&obj, schema::AUTHOR, ctx.participant.as_str())?;
        self.doc.put(&obj, schema::CREATED_AT, ctx.now_ms)?;
        self.doc.put(&obj, schema::DELETED, false)?;
        Ok(obj)
    }

    pub(crate) fn check_room(&self, container: &ObjId) -> Result<(), BoardError> {
        if self.doc.length(container) >= self.limits.max_items {
            return Err(BoardError::TooManyItems {
                max: self.limits.max_items,
            });
        }
        Ok(())
    }

    pub(crate) fn put_text(
        &mut self,
        obj: &ObjId,
        key: &str,
        text: &str,
        max: usize,
    ) -> Result<(), BoardError> {
        check_len(text, max)?;
        let t = self.doc.put_object(obj, key, ObjType::Text)?;
        self.doc.splice_text(&t, 0, 0, text)?;
        Ok(())
    }

    pub(crate) fn text_obj(&self, obj: &ObjId, key: &str) -> Result<ObjId, BoardError> {
        self.child(obj, key)
            .ok_or_else(|| BoardError::NotABoard(format!("missing text {key:?}")))
    }

    pub(crate) fn text_of(&self, obj: &ObjId, key: &str) -> String {
        self.child(obj, key)
            .and_then(|t| self.doc.text(&t).ok())
            .unwrap_or_default()
    }

    pub(crate) fn splice(
        &mut self,
        obj: &ObjId,
        index: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), BoardError> {
        let t = self.text_obj(obj, schema::TEXT)?;
        let len = self.doc.length(&t);
        if index.checked_add(delete).is_none_or(|end| end > len) {
            return Err(BoardError::EditOutOfRange { len });
        }
        let new_len = len - delete + insert.chars().count();
        let max = self.limits.max_note_chars;
        if new_len > max {
            return Err(BoardError::TextTooLong { len: new_len, max });
        }
        let del = isize::try_from(delete).map_err(|_| BoardError::EditOutOfRange { len })?;
        self.doc.splice_text(&t, index, del, insert)?;
        Ok(())
    }

    pub(crate) fn set_meta_text(&mut self, key: &str, value: &str) -> Result<(), BoardError> {
        check_len(value, self.limits.max_title_chars)?;
        let m = self.container(schema::META)?;
        let t = match self.child(&m, key) {
            Some(t) => t,
            None => self.doc.put_object(&m, key, ObjType::Text)?,
        };
        self.doc.update_text(&t, value)?;
        Ok(())
    }

    /// The corner of the note's frame (deleted frames included), or (0, 0).
    pub(crate) fn frame_origin(&self, n: &ObjId) -> (f64, f64) {
        let Some(f) = string(&self.doc, n, note::FRAME).filter(|f| !f.is_empty()) else {
            return (0.0, 0.0);
        };
        match self.any(schema::FRAMES, &f) {
            Ok(fo) => (
                number(&self.doc, &fo, frame::X).unwrap_or(0.0),
                number(&self.doc, &fo, frame::Y).unwrap_or(0.0),
            ),
            Err(_) => (0.0, 0.0),
        }
    }

    pub(crate) fn nodes_obj(&self, map: &str) -> Result<ObjId, BoardError> {
        let maps = self.container(schema::MINDMAPS)?;
        let m = self
            .child(&maps, map)
            .ok_or_else(|| BoardError::NotFound(map.to_string()))?;
        self.child(&m, schema::mindmap::NODES)
            .ok_or_else(|| BoardError::NotABoard(format!("mind map {map} has no nodes")))
    }

    pub(crate) fn root_of(&self, map: &str) -> Result<String, BoardError> {
        let maps = self.container(schema::MINDMAPS)?;
        let m = self
            .child(&maps, map)
            .ok_or_else(|| BoardError::NotFound(map.to_string()))?;
        Ok(string(&self.doc, &m, schema::mindmap::ROOT).unwrap_or_default())
    }

    pub(crate) fn node_any(&self, map: &str, id: &str) -> Result<ObjId, BoardError> {
        let nodes = self.nodes_obj(map)?;
        self.child(&nodes, id)
            .ok_or_else(|| BoardError::NotFound(id.to_string()))
    }

    pub(crate) fn live_node(&self, map: &str, id: &str) -> Result<ObjId, BoardError> {
        let n = self.node_any(map, id)?;
        if boolean(&self.doc, &n, node::DELETED).unwrap_or(false) {
            return Err(BoardError::NotFound(id.to_string()));
        }
        Ok(n)
    }

    /// Whether `candidate` is `ancestor` or lies below it (as stored now).
    pub(crate) fn is_in_subtree(&self, map: &str, candidate: &str, ancestor: &str) -> bool {
        let Ok(nodes) = self.nodes_obj(map) else {
            return false;
        };
        let mut cur = candidate.to_string();
        for _ in 0..=self.doc.length(&nodes) {
            if cur == ancestor {
                return true;
            }
            match self
                .child(&nodes, &cur)
                .and_then(|n| string(&self.doc, &n, node::PARENT))
            {
                Some(p) if !p.is_empty() => cur = p,
                _ => return false,
            }
        }
        true
    }

    pub(crate) fn new_node(
        &mut self,
        map: &str,
        id: &str,
        parent: &str,
        order: f64,
        text: &str,
        ctx: &Ctx,
    ) -> Result<(), BoardError> {
        check_id(id)?;
        check_coords(&[order])?;
        let nodes = self.nodes_obj(map)?;
        if self.child(&nodes, id).is_some() {
            return Err(BoardError::Exists(id.to_string()));
        }
        self.check_room(&nodes)?;
        let n = self.doc.put_object(&nodes, id, ObjType::Map)?;
        self.put_text(&n, node::TEXT, text, self.limits.max_note_chars)?;
        self.doc.put(&n, node::PARENT, parent)?;
        self.doc.put(&n, node::ORDER, order)?;
        self.doc.put(&n, node::COLLAPSED, false)?;
        self.doc.put(&n, node::COLOR, Color::Yellow.as_str())?;
        self.doc.put(&n, node::AUTHOR, ctx.participant.as_str())?;
        self.doc.put(&n, node::CREATED_AT, ctx.now_ms)?;
        self.doc.put(&n, node::EDITED_AT, ctx.now_ms)?;
        self.doc.put(&n, node::DELETED, false)?;
        Ok(())
    }

    pub(crate) fn check_shape(&self) -> Result<(), BoardError> {
        match self.doc.get(ROOT, schema::SCHEMA_VERSION_KEY)? {
            Some((automerge::Value::Scalar(v), _)) => match v.as_ref() {
                ScalarValue::Uint(n) if *n <= schema::SCHEMA_VERSION => {}
                ScalarValue::Int(n) if *n >= 0 && (*n as u64) <= schema::SCHEMA_VERSION => {}
                other => {
                    return Err(BoardError::NotABoard(format!(
                        "unsupported schema version {other}"
                    )));
                }
            },
            _ => return Err(BoardError::NotABoard("no schema version".into())),
        }
        for key in &schema::ROOT_KEYS[1..] {
            self.container(key)?;
        }
        Ok(())
    }
}

impl Clone for Board {
    fn clone(&self) -> Self {
        let mut doc = self.doc.clone();
        doc.set_actor(self.doc.get_actor().clone());
        Board {
            doc,
            limits: self.limits.clone(),
        }
    }
}

/// The hash of the genesis change (the same on every replica).
fn genesis_hash() -> ChangeHash {
    static HASH: std::sync::OnceLock<ChangeHash> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| genesis().get_heads()[0])
}

/// The genesis change every replica produces identically.
pub(crate) fn genesis() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(schema::GENESIS_ACTOR));
    let init = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
        doc.put(ROOT, schema::SCHEMA_VERSION_KEY, schema::SCHEMA_VERSION)?;
        let m = doc.put_object(ROOT, schema::META, ObjType::Map)?;
        doc.put_object(&m, meta::TITLE, ObjType::Text)?;
        doc.put_object(&m, meta::THEME, ObjType::Text)?;
        doc.put(&m, meta::LANGUAGE, "")?;
        doc.put(&m, meta::TEMPLATE, "blank")?;
        doc.put(&m, meta::CREATED_AT, 0_i64)?;
        for key in &schema::ROOT_KEYS[2..] {
            doc.put_object(ROOT, *key, ObjType::Map)?;
        }
        Ok(())
    };
    init(&mut doc).expect("genesis ops on an empty document cannot fail");
    doc.commit_with(CommitOptions::default().with_time(0));
    doc
}

/// Ids are chosen by clients, so they are checked: short and URL-safe.
pub fn check_id(id: &str) -> Result<(), BoardError> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(BoardError::BadId(id.to_string()))
    }
}

pub(crate) fn check_len(text: &str, max: usize) -> Result<(), BoardError> {
    let len = text.chars().count();
    if len > max {
        return Err(BoardError::TextTooLong { len, max });
    }
    Ok(())
}

pub(crate) fn check_coords(values: &[f64]) -> Result<(), BoardError> {
    if values.iter().all(|v| v.is_finite() && v.abs() <= MAX_COORD) {
        Ok(())
    } else {
        Err(BoardError::BadGeometry)
    }
}

pub(crate) fn check_size(w: f64, h: f64) -> Result<(), BoardError> {
    check_coords(&[w, h])?;
    if w < MIN_SIZE || h < MIN_SIZE {
        return Err(BoardError::BadGeometry);
    }
    Ok(())
}
