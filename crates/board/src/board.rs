//! [`Board`]: an Automerge document with the Samskab schema, changed only through [`Op`]s.
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue};

use crate::error::BoardError;
use crate::op::{Ctx, Op};
use crate::read::{self, NoteView};
use crate::schema::{self, note};

/// Sizes a board and its parts may reach. The same numbers guard local edits
/// ([`Board::apply`]) and incoming changes ([`crate::validate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub max_note_chars: usize,
    pub max_title_chars: usize,
    pub max_notes: usize,
    pub max_doc_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_note_chars: 2_000,
            max_title_chars: 200,
            max_notes: 10_000,
            max_doc_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Default size of a new note, in board units.
pub const NOTE_SIZE: (f64, f64) = (200.0, 160.0);
/// Coordinates beyond this are refused: they would only be typos or attacks.
pub const MAX_COORD: f64 = 1.0e7;

/// A Samskab board.
#[derive(Debug)]
pub struct Board {
    doc: AutoCommit,
    limits: Limits,
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
        let meta = board.map_at(&ROOT, schema::META)?;
        board.doc.put(&meta, schema::CREATED_AT, ctx.now_ms)?;
        board.doc.commit_with(
            CommitOptions::default()
                .with_message("create_board")
                .with_time(ctx.now_ms.div_euclid(1000)),
        );
        Ok(board)
    }

    /// Loads a saved board (a full save, concatenated changes, or both).
    pub fn load(bytes: &[u8], actor: &[u8]) -> Result<Board, BoardError> {
        let mut doc = AutoCommit::load(bytes)?;
        doc.set_actor(ActorId::from(actor));
        let board = Board {
            doc,
            limits: Limits::default(),
        };
        board.check_shape()?;
        Ok(board)
    }

    /// Wraps an Automerge document received from elsewhere (for example
    /// fully synced from a server), after checking it is a board.
    pub fn from_doc(doc: AutoCommit) -> Result<Board, BoardError> {
        let board = Board {
            doc,
            limits: Limits::default(),
        };
        board.check_shape()?;
        Ok(board)
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

    /// Mutable access for the sync protocol. Edits go through [`Board::apply`].
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies one edit as one Automerge change and returns its hash
    /// (`None` when the edit changed nothing). On error nothing changes.
    pub fn apply(&mut self, op: &Op, ctx: &Ctx) -> Result<Option<ChangeHash>, BoardError> {
        if let Err(e) = self.apply_ops(op, ctx) {
            self.doc.rollback();
            return Err(e);
        }
        let opts = CommitOptions::default()
            .with_message(op_name(op))
            .with_time(ctx.now_ms.div_euclid(1000));
        Ok(self.doc.commit_with(opts))
    }

    fn apply_ops(&mut self, op: &Op, ctx: &Ctx) -> Result<(), BoardError> {
        let limits = self.limits.clone();
        match op {
            Op::SetTitle { title } => {
                let len = title.chars().count();
                if len > limits.max_title_chars {
                    return Err(BoardError::TitleTooLong {
                        len,
                        max: limits.max_title_chars,
                    });
                }
                let meta = self.map_at(&ROOT, schema::META)?;
                let text = self.map_at(&meta, schema::TITLE)?;
                self.doc.update_text(&text, title)?;
            }
            Op::CreateNote {
                id,
                x,
                y,
                color,
                text,
            } => {
                check_id(id)?;
                check_coords(&[*x, *y])?;
                let len = text.chars().count();
                if len > limits.max_note_chars {
                    return Err(BoardError::TextTooLong {
                        len,
                        max: limits.max_note_chars,
                    });
                }
                let notes = self.notes_obj()?;
                if self.doc.get(&notes, id.as_str())?.is_some() {
                    return Err(BoardError::NoteExists(id.clone()));
                }
                if self.doc.length(&notes) >= limits.max_notes {
                    return Err(BoardError::TooManyNotes {
                        max: limits.max_notes,
                    });
                }
                let z = self.top_z() + 1.0;
                let n = self.doc.put_object(&notes, id.as_str(), ObjType::Map)?;
                let t = self.doc.put_object(&n, note::TEXT, ObjType::Text)?;
                self.doc.splice_text(&t, 0, 0, text)?;
                self.doc.put(&n, note::X, *x)?;
                self.doc.put(&n, note::Y, *y)?;
                self.doc.put(&n, note::W, NOTE_SIZE.0)?;
                self.doc.put(&n, note::H, NOTE_SIZE.1)?;
                self.doc.put(&n, note::Z, z)?;
                self.doc.put(&n, note::COLOR, color.as_str())?;
                self.doc.put(&n, note::AUTHOR, ctx.participant.as_str())?;
                self.doc.put(&n, note::CREATED_AT, ctx.now_ms)?;
                self.doc.put(&n, note::EDITED_AT, ctx.now_ms)?;
            }
            Op::EditText {
                id,
                index,
                delete,
                insert,
            } => {
                let n = self.note_obj(id)?;
                let t = self.map_at(&n, note::TEXT)?;
                let len = self.doc.length(&t);
                let end = index.checked_add(*delete);
                if end.is_none_or(|end| end > len) {
                    return Err(BoardError::EditOutOfRange { len });
                }
                let new_len = len - delete + insert.chars().count();
                if new_len > limits.max_note_chars {
                    return Err(BoardError::TextTooLong {
                        len: new_len,
                        max: limits.max_note_chars,
                    });
                }
                let del =
                    isize::try_from(*delete).map_err(|_| BoardError::EditOutOfRange { len })?;
                self.doc.splice_text(&t, *index, del, insert)?;
                self.doc.put(&n, note::EDITED_AT, ctx.now_ms)?;
            }
            Op::MoveNote { id, x, y } => {
                check_coords(&[*x, *y])?;
                let n = self.note_obj(id)?;
                self.doc.put(&n, note::X, *x)?;
                self.doc.put(&n, note::Y, *y)?;
            }
            Op::ResizeNote { id, w, h } => {
                check_coords(&[*w, *h])?;
                if *w < 40.0 || *h < 40.0 {
                    return Err(BoardError::BadGeometry);
                }
                let n = self.note_obj(id)?;
                self.doc.put(&n, note::W, *w)?;
                self.doc.put(&n, note::H, *h)?;
            }
            Op::RecolorNote { id, color } => {
                let n = self.note_obj(id)?;
                self.doc.put(&n, note::COLOR, color.as_str())?;
            }
            Op::BringToFront { id } => {
                let n = self.note_obj(id)?;
                let z = self.top_z() + 1.0;
                self.doc.put(&n, note::Z, z)?;
            }
            Op::DeleteNote { id } => {
                self.note_obj(id)?;
                let notes = self.notes_obj()?;
                self.doc.delete(&notes, id.as_str())?;
            }
        }
        Ok(())
    }

    /// The board's title.
    pub fn title(&self) -> String {
        self.obj_at(&ROOT, schema::META)
            .and_then(|m| self.obj_at(&m, schema::TITLE))
            .and_then(|t| self.doc.text(&t).ok())
            .unwrap_or_default()
    }

    /// All notes, bottom to top.
    pub fn notes(&self) -> Vec<NoteView> {
        let Some(notes) = self.obj_at(&ROOT, schema::NOTES) else {
            return Vec::new();
        };
        let mut out: Vec<NoteView> = self
            .doc
            .keys(&notes)
            .filter_map(|id| self.note(&id))
            .collect();
        out.sort_by(|a, b| a.z.total_cmp(&b.z).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// One note, if it exists.
    pub fn note(&self, id: &str) -> Option<NoteView> {
        let notes = self.obj_at(&ROOT, schema::NOTES)?;
        let n = self.obj_at(&notes, id)?;
        Some(read::note_view(&self.doc, id, &n))
    }

    pub fn note_count(&self) -> usize {
        self.obj_at(&ROOT, schema::NOTES)
            .map(|n| self.doc.length(&n))
            .unwrap_or(0)
    }

    fn top_z(&self) -> f64 {
        self.notes().last().map(|n| n.z).unwrap_or(0.0)
    }

    fn notes_obj(&self) -> Result<ObjId, BoardError> {
        self.map_at(&ROOT, schema::NOTES)
    }

    fn note_obj(&self, id: &str) -> Result<ObjId, BoardError> {
        let notes = self.notes_obj()?;
        self.obj_at(&notes, id)
            .ok_or_else(|| BoardError::NoSuchNote(id.to_string()))
    }

    fn obj_at(&self, parent: &ObjId, key: &str) -> Option<ObjId> {
        match self.doc.get(parent, key) {
            Ok(Some((automerge::Value::Object(_), id))) => Some(id),
            _ => None,
        }
    }

    fn map_at(&self, parent: &ObjId, key: &str) -> Result<ObjId, BoardError> {
        self.obj_at(parent, key)
            .ok_or_else(|| BoardError::NotABoard(format!("missing object {key:?}")))
    }

    fn check_shape(&self) -> Result<(), BoardError> {
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
        self.notes_obj()?;
        self.map_at(&ROOT, schema::META)?;
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

/// The genesis change every replica produces identically.
fn genesis() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(schema::GENESIS_ACTOR));
    let init = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
        doc.put(ROOT, schema::SCHEMA_VERSION_KEY, schema::SCHEMA_VERSION)?;
        let meta = doc.put_object(ROOT, schema::META, ObjType::Map)?;
        doc.put_object(&meta, schema::TITLE, ObjType::Text)?;
        doc.put(&meta, schema::CREATED_AT, 0_i64)?;
        doc.put_object(ROOT, schema::NOTES, ObjType::Map)?;
        Ok(())
    };
    init(&mut doc).expect("genesis ops on an empty document cannot fail");
    doc.commit_with(CommitOptions::default().with_time(0));
    doc
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::SetTitle { .. } => "set_title",
        Op::CreateNote { .. } => "create_note",
        Op::EditText { .. } => "edit_text",
        Op::MoveNote { .. } => "move_note",
        Op::ResizeNote { .. } => "resize_note",
        Op::RecolorNote { .. } => "recolor_note",
        Op::BringToFront { .. } => "bring_to_front",
        Op::DeleteNote { .. } => "delete_note",
    }
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

fn check_coords(values: &[f64]) -> Result<(), BoardError> {
    if values.iter().all(|v| v.is_finite() && v.abs() <= MAX_COORD) {
        Ok(())
    } else {
        Err(BoardError::BadGeometry)
    }
}
