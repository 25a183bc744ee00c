//! Per-person undo and redo.
//!
//! Each person keeps their own [`History`] (on their device; it is not part
//! of the shared document). Undo never takes away someone else's work: every
//! inverse step carries a guard that says what the board must still look
//! like for the step to apply ("the note is still where *I* put it"). If
//! someone else has changed that thing since, the step is skipped and their
//! work stays. Text is undone character-exactly: my inserted characters are
//! found again through an Automerge cursor and removed only if they are
//! still there, so text others typed around them stays.
use automerge::{ChangeHash, Cursor, ObjId, ReadDoc};
use serde_json::Value;

use crate::board::Board;
use crate::doc;
use crate::error::BoardError;
use crate::op::{Ctx, Op};
use crate::schema;

/// What a guard or a text step looks at.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Meta,
    Note(String),
    Frame(String),
    Connector(String),
    Node(String, String),
}

/// "This field of this item must (still) have this value" (`Value::Null`:
/// the item must not be shown, i.e. deleted).
#[derive(Debug, Clone, PartialEq)]
struct Guard {
    target: Target,
    field: &'static str,
    value: Value,
}

#[derive(Debug, Clone)]
enum Step {
    /// Apply `op` if every guard holds.
    Op { op: Op, guards: Vec<Guard> },
    /// Remove `text` where `cursor` points, if it is still there.
    Uninsert {
        target: Target,
        cursor: Cursor,
        text: String,
    },
    /// Put `text` back where `cursor` points.
    Reinsert {
        target: Target,
        cursor: Option<Cursor>,
        text: String,
    },
}

/// One person's edit, as the steps that revert it.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    steps: Vec<Step>,
    /// Typing in one text, for merging keystrokes into one undo step.
    typing: Option<(String, i64)>,
}

/// Keystrokes in the same text less than this far apart undo together.
pub const TYPING_PAUSE_MS: i64 = 1_500;

fn typing_key(op: &Op) -> Option<String> {
    match op {
        Op::EditText { id, .. } => Some(format!("note/{id}")),
        Op::EditNodeText { map, id, .. } => Some(format!("node/{map}/{id}")),
        _ => None,
    }
}

impl Entry {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// One person's undo and redo stacks.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
}

/// How deep a history goes.
pub const MAX_HISTORY: usize = 200;

impl History {
    pub fn new() -> History {
        History::default()
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Applies my edit and remembers how to undo it. Returns the change made.
    pub fn apply(
        &mut self,
        board: &mut Board,
        op: &Op,
        ctx: &Ctx,
    ) -> Result<Option<ChangeHash>, BoardError> {
        let (mut entry, hash) = board.apply_recorded(std::slice::from_ref(op), ctx)?;
        entry.typing = typing_key(op).map(|k| (k, ctx.now_ms));
        let merge = match (
            &entry.typing,
            self.undo.last().and_then(|e| e.typing.as_ref()),
        ) {
            (Some((key, now)), Some((last_key, last_at))) => {
                key == last_key && now - last_at < TYPING_PAUSE_MS
            }
            _ => false,
        };
        if merge && let Some(last) = self.undo.last_mut() {
            // Newest first: undo reverts the last keystroke first.
            entry.steps.append(&mut last.steps);
            last.steps = entry.steps;
            last.typing = entry.typing;
        } else if !entry.is_empty() {
            self.undo.push(entry);
            if self.undo.len() > MAX_HISTORY {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        Ok(hash)
    }

    /// Reverts my most recent edit that still can be, as one new change
    /// (nothing is taken out of the history). `None`: nothing to undo.
    pub fn undo(&mut self, board: &mut Board, ctx: &Ctx) -> Result<Option<ChangeHash>, BoardError> {
        Self::shift(board, ctx, &mut self.undo, &mut self.redo)
    }

    /// Re-applies what the last undo reverted.
    pub fn redo(&mut self, board: &mut Board, ctx: &Ctx) -> Result<Option<ChangeHash>, BoardError> {
        Self::shift(board, ctx, &mut self.redo, &mut self.undo)
    }

    fn shift(
        board: &mut Board,
        ctx: &Ctx,
        from: &mut Vec<Entry>,
        to: &mut Vec<Entry>,
    ) -> Result<Option<ChangeHash>, BoardError> {
        // Entries whose every step is stale (others changed it all since)
        // are dropped, and the next one is tried.
        // An entry that changes nothing (its steps stale, or already undone
        // in effect) is passed over, so one undo always changes something.
        while let Some(entry) = from.pop() {
            let (inverse, hash) = board.apply_steps(&entry.steps, ctx);
            if !inverse.is_empty() {
                to.push(inverse);
            }
            if hash.is_some() {
                return Ok(hash);
            }
        }
        Ok(None)
    }
}

fn field_of(view: Option<Value>, field: &str) -> Value {
    view.and_then(|v| v.get(field).cloned())
        .unwrap_or(Value::Null)
}

impl Board {
    /// The current value of one field of one item, as JSON (`Null` when the
    /// item is not shown).
    fn probe(&self, target: &Target, field: &str) -> Value {
        let json = |v: Option<Value>| field_of(v, field);
        if let (Target::Node(map, id), "children") = (target, field) {
            let count = self
                .mindmap(map)
                .map(|m| {
                    m.nodes
                        .iter()
                        .filter(|n| n.parent.as_deref() == Some(id))
                        .count()
                })
                .unwrap_or(0);
            return Value::from(count as u64);
        }
        match target {
            Target::Meta => match field {
                "title" => Value::String(self.title()),
                "theme" => Value::String(self.theme()),
                "language" => Value::String(self.language()),
                "template" => Value::String(self.template()),
                _ => Value::Null,
            },
            Target::Note(id) => json(self.note(id).and_then(|v| serde_json::to_value(v).ok())),
            Target::Frame(id) => json(
                self.frames()
                    .into_iter()
                    .find(|f| &f.id == id)
                    .and_then(|v| serde_json::to_value(v).ok()),
            ),
            Target::Connector(id) => json(self.connector_any(id)),
            Target::Node(map, id) => json(
                self.mindmap(map)
                    .and_then(|m| m.nodes.into_iter().find(|n| &n.id == id))
                    .and_then(|v| serde_json::to_value(v).ok()),
            ),
        }
    }

    fn connector_any(&self, id: &str) -> Option<Value> {
        let c = self.container(schema::CONNECTORS).ok()?;
        let obj = self.child(&c, id)?;
        if doc::boolean(&self.doc, &obj, schema::DELETED) == Some(true) {
            return None;
        }
        Some(serde_json::json!({
            "id": id,
            "label": doc::text(&self.doc, &obj, schema::connector::LABEL),
        }))
    }

    fn text_obj_of(&self, target: &Target) -> Option<ObjId> {
        let item = match target {
            Target::Note(id) => self.child(&self.container(schema::NOTES).ok()?, id)?,
            Target::Node(map, id) => {
                let m = self.child(&self.container(schema::MINDMAPS).ok()?, map)?;
                let nodes = self.child(&m, schema::mindmap::NODES)?;
                self.child(&nodes, id)?
            }
            _ => return None,
        };
        self.child(&item, schema::TEXT)
    }

    fn resolve_step(&self, step: &Step) -> Option<Op> {
        match step {
            Step::Op { op, guards } => guards
                .iter()
                .all(|g| self.probe(&g.target, g.field) == g.value)
                .then(|| op.clone()),
            Step::Uninsert {
                target,
                cursor,
                text,
            } => {
                let t = self.text_obj_of(target)?;
                let at = self.doc.get_cursor_position(&t, cursor, None).ok()?;
                let current = self.doc.text(&t).ok()?;
                let n = text.chars().count();
                let here: String = current.chars().skip(at).take(n).collect();
                (here == *text).then(|| text_op(target, at, n, String::new()))?
            }
            Step::Reinsert {
                target,
                cursor,
                text,
            } => {
                let t = self.text_obj_of(target)?;
                let at = match cursor {
                    Some(c) => self.doc.get_cursor_position(&t, c, None).ok()?,
                    None => self.doc.length(&t),
                };
                text_op(target, at, 0, text.clone())
            }
        }
    }

    /// Applies `ops` as one change and returns the steps that revert them.
    pub(crate) fn apply_recorded(
        &mut self,
        ops: &[Op],
        ctx: &Ctx,
    ) -> Result<(Entry, Option<ChangeHash>), BoardError> {
        let mut steps = Vec::new();
        for op in ops {
            let before = self.before_state(op);
            if let Err(e) = self.apply_uncommitted(op, ctx) {
                self.doc.rollback();
                return Err(e);
            }
            steps.extend(self.inverse(op, before));
        }
        let hash = self.commit_ops(ops, ctx);
        steps.reverse();
        Ok((
            Entry {
                steps,
                typing: None,
            },
            hash,
        ))
    }

    /// Applies the steps that still hold, one after another (each sees the
    /// ones before it), as one change; returns the steps that revert them.
    fn apply_steps(&mut self, steps: &[Step], ctx: &Ctx) -> (Entry, Option<ChangeHash>) {
        let mut applied = Vec::new();
        let mut inverse = Vec::new();
        for step in steps {
            let Some(op) = self.resolve_step(step) else {
                continue;
            };
            let before = self.before_state(&op);
            if self.apply_uncommitted(&op, ctx).is_ok() {
                inverse.extend(self.inverse(&op, before));
                applied.push(op);
            }
        }
        if applied.is_empty() {
            self.doc.rollback();
            return (Entry::default(), None);
        }
        let hash = self.commit_ops(&applied, ctx);
        inverse.reverse();
        (
            Entry {
                steps: inverse,
                typing: None,
            },
            hash,
        )
    }

    /// What an op is about to overwrite.
    fn before_state(&self, op: &Op) -> Value {
        match op {
            Op::EditText {
                id, index, delete, ..
            } => {
                let text = self.note(id).map(|n| n.text).unwrap_or_default();
                Value::String(text.chars().skip(*index).take(*delete).collect())
            }
            Op::EditNodeText {
                map,
                id,
                index,
                delete,
                ..
            } => {
                let text = self
                    .mindmap(map)
                    .and_then(|m| m.nodes.into_iter().find(|n| &n.id == id))
                    .map(|n| n.text)
                    .unwrap_or_default();
                Value::String(text.chars().skip(*index).take(*delete).collect())
            }
            Op::DeleteFrame { id } => Value::Array(
                self.notes()
                    .into_iter()
                    .filter(|n| n.frame.as_deref() == Some(id))
                    .map(|n| Value::String(n.id))
                    .collect(),
            ),
            Op::DeleteNode { map, id } => {
                // The node and the live nodes below it: the delete hides them all.
                let Some(m) = self.mindmap(map) else {
                    return Value::Null;
                };
                let mut doomed = vec![id.clone()];
                for n in &m.nodes {
                    if n.parent.as_ref().is_some_and(|p| doomed.contains(p)) {
                        doomed.push(n.id.clone());
                    }
                }
                Value::Array(doomed.into_iter().map(Value::String).collect())
            }
            _ => {
                let (target, fields) = touched(op);
                let mut obj = serde_json::Map::new();
                for f in fields {
                    obj.insert(f.to_string(), self.probe(&target, f));
                }
                Value::Object(obj)
            }
        }
    }

    fn inverse(&self, op: &Op, before: Value) -> Vec<Step> {
        let guard = |target: Target, field: &'static str| Guard {
            value: self.probe(&target, field),
            target,
            field,
        };
        let gone = |target: Target| Guard {
            target,
            field: "id",
            value: Value::Null,
        };
        let was = |f: &str| before.get(f).cloned().unwrap_or(Value::Null);
        let num = |f: &str| was(f).as_f64().unwrap_or(0.0);
        let string = |f: &str| was(f).as_str().unwrap_or_default().to_string();
        let step = |op: Op, guards: Vec<Guard>| Step::Op { op, guards };
        let note = |id: &String| Target::Note(id.clone());
        let frame = |id: &String| Target::Frame(id.clone());
        let node = |m: &String, id: &String| Target::Node(m.clone(), id.clone());
        let text_steps = |target: Target, index: usize, insert: &str| {
            let mut steps = Vec::new();
            let t = self.text_obj_of(&target);
            if !insert.is_empty()
                && let Some(c) = t
                    .as_ref()
                    .and_then(|t| self.doc.get_cursor(t, index, None).ok())
            {
                steps.push(Step::Uninsert {
                    target: target.clone(),
                    cursor: c,
                    text: insert.to_string(),
                });
            }
            let removed = before.as_str().unwrap_or_default();
            if !removed.is_empty() {
                let after = index + insert.chars().count();
                let cursor = t.as_ref().and_then(|t| {
                    (after < self.doc.length(t))
                        .then(|| self.doc.get_cursor(t, after, None).ok())
                        .flatten()
                });
                steps.push(Step::Reinsert {
                    target,
                    cursor,
                    text: removed.to_string(),
                });
            }
            steps
        };
        match op {
            Op::SetTitle { .. } => vec![step(
                Op::SetTitle {
                    title: string("title"),
                },
                vec![guard(Target::Meta, "title")],
            )],
            Op::SetTheme { .. } => vec![step(
                Op::SetTheme {
                    theme: string("theme"),
                },
                vec![guard(Target::Meta, "theme")],
            )],
            Op::SetLanguage { .. } => vec![step(
                Op::SetLanguage {
                    language: string("language"),
                },
                vec![guard(Target::Meta, "language")],
            )],
            Op::SetTemplate { .. } => vec![step(
                Op::SetTemplate {
                    template: string("template"),
                },
                vec![guard(Target::Meta, "template")],
            )],
            Op::SetParticipant { .. } | Op::SetNameConsent { .. } => Vec::new(),
            Op::CreateNote { id, .. } => vec![step(
                Op::DeleteNote { id: id.clone() },
                ["text", "x", "y", "w", "h", "color", "frame"]
                    .map(|f| guard(note(id), f))
                    .to_vec(),
            )],
            Op::EditText {
                id, index, insert, ..
            } => text_steps(note(id), *index, insert),
            Op::MoveNote { id, .. } => vec![step(
                Op::MoveNote {
                    id: id.clone(),
                    x: num("x"),
                    y: num("y"),
                },
                vec![guard(note(id), "x"), guard(note(id), "y")],
            )],
            Op::ResizeNote { id, .. } => vec![step(
                Op::ResizeNote {
                    id: id.clone(),
                    w: num("w"),
                    h: num("h"),
                },
                vec![guard(note(id), "w"), guard(note(id), "h")],
            )],
            Op::RecolorNote { id, .. } => match serde_json::from_value(was("color")) {
                Ok(color) => vec![step(
                    Op::RecolorNote {
                        id: id.clone(),
                        color,
                    },
                    vec![guard(note(id), "color")],
                )],
                Err(_) => Vec::new(),
            },
            Op::BringToFront { id } | Op::SetNoteZ { id, .. } => {
                vec![step(
                    Op::SetNoteZ {
                        id: id.clone(),
                        z: num("z"),
                    },
                    vec![guard(note(id), "z")],
                )]
            }
            Op::DeleteNote { id } => vec![step(
                Op::RestoreNote { id: id.clone() },
                vec![gone(note(id))],
            )],
            Op::RestoreNote { id } => vec![step(
                Op::DeleteNote { id: id.clone() },
                vec![guard(note(id), "id")],
            )],
            Op::SetNoteFrame { id, .. } => vec![step(
                Op::SetNoteFrame {
                    id: id.clone(),
                    frame: was("frame").as_str().map(String::from),
                },
                vec![guard(note(id), "frame")],
            )],
            Op::CreateFrame { id, .. } => vec![step(
                Op::DeleteFrame { id: id.clone() },
                ["name", "x", "y", "w", "h"]
                    .map(|f| guard(frame(id), f))
                    .to_vec(),
            )],
            Op::RenameFrame { id, .. } => {
                vec![step(
                    Op::RenameFrame {
                        id: id.clone(),
                        name: string("name"),
                    },
                    vec![guard(frame(id), "name")],
                )]
            }
            Op::MoveFrame { id, .. } => vec![step(
                Op::MoveFrame {
                    id: id.clone(),
                    x: num("x"),
                    y: num("y"),
                },
                vec![guard(frame(id), "x"), guard(frame(id), "y")],
            )],
            Op::ResizeFrame { id, .. } => vec![step(
                Op::ResizeFrame {
                    id: id.clone(),
                    w: num("w"),
                    h: num("h"),
                },
                vec![guard(frame(id), "w"), guard(frame(id), "h")],
            )],
            Op::DeleteFrame { id } => {
                // Restore the frame, then put its notes back in (those still free).
                let mut steps = vec![step(
                    Op::RestoreFrame { id: id.clone() },
                    vec![gone(frame(id))],
                )];
                for member in before
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let m = member.to_string();
                    steps.push(step(
                        Op::SetNoteFrame {
                            id: m.clone(),
                            frame: Some(id.clone()),
                        },
                        vec![Guard {
                            target: Target::Note(m),
                            field: "frame",
                            value: Value::Null,
                        }],
                    ));
                }
                steps.reverse();
                steps
            }
            Op::RestoreFrame { id } => vec![step(
                Op::DeleteFrame { id: id.clone() },
                vec![guard(frame(id), "id")],
            )],
            Op::Connect { id, .. } => vec![step(
                Op::DeleteConnector { id: id.clone() },
                vec![guard(Target::Connector(id.clone()), "label")],
            )],
            Op::SetConnectorLabel { id, .. } => vec![step(
                Op::SetConnectorLabel {
                    id: id.clone(),
                    label: string("label"),
                },
                vec![guard(Target::Connector(id.clone()), "label")],
            )],
            Op::DeleteConnector { id } => {
                vec![step(
                    Op::RestoreConnector { id: id.clone() },
                    vec![gone(Target::Connector(id.clone()))],
                )]
            }
            Op::RestoreConnector { id } => vec![step(
                Op::DeleteConnector { id: id.clone() },
                vec![guard(Target::Connector(id.clone()), "id")],
            )],
            Op::CreateMindMap { .. } => Vec::new(),
            Op::AddNode { map, id, .. } => vec![step(
                Op::DeleteNode {
                    map: map.clone(),
                    id: id.clone(),
                },
                vec![
                    guard(node(map, id), "text"),
                    guard(node(map, id), "parent"),
                    self.no_children(map, id),
                ],
            )],
            Op::EditNodeText {
                map,
                id,
                index,
                insert,
                ..
            } => text_steps(node(map, id), *index, insert),
            Op::Reparent { map, id, .. } => vec![step(
                Op::Reparent {
                    map: map.clone(),
                    id: id.clone(),
                    parent: string("parent"),
                    order: num("order"),
                },
                vec![
                    guard(node(map, id), "parent"),
                    guard(node(map, id), "order"),
                ],
            )],
            Op::Reorder { map, id, .. } => vec![step(
                Op::Reorder {
                    map: map.clone(),
                    id: id.clone(),
                    order: num("order"),
                },
                vec![guard(node(map, id), "order")],
            )],
            Op::SetCollapsed { map, id, .. } => vec![step(
                Op::SetCollapsed {
                    map: map.clone(),
                    id: id.clone(),
                    collapsed: was("collapsed").as_bool().unwrap_or(false),
                },
                vec![guard(node(map, id), "collapsed")],
            )],
            Op::RecolorNode { map, id, .. } => match serde_json::from_value(was("color")) {
                Ok(color) => vec![step(
                    Op::RecolorNode {
                        map: map.clone(),
                        id: id.clone(),
                        color,
                    },
                    vec![guard(node(map, id), "color")],
                )],
                Err(_) => Vec::new(),
            },
            Op::DeleteNode { map, .. } => before
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|n| {
                    step(
                        Op::RestoreNode {
                            map: map.clone(),
                            id: n.to_string(),
                        },
                        vec![gone(Target::Node(map.clone(), n.to_string()))],
                    )
                })
                .collect(),
            Op::RestoreNode { map, id } => vec![step(
                Op::DeleteNode {
                    map: map.clone(),
                    id: id.clone(),
                },
                vec![guard(node(map, id), "text"), self.no_children(map, id)],
            )],
            Op::NoteToNode {
                note: n,
                map,
                node: nd,
                ..
            } => vec![
                step(Op::RestoreNote { id: n.clone() }, vec![gone(note(n))]),
                step(
                    Op::DeleteNode {
                        map: map.clone(),
                        id: nd.clone(),
                    },
                    vec![guard(node(map, nd), "text"), self.no_children(map, nd)],
                ),
            ],
            Op::NodeToNote {
                map,
                node: nd,
                note: n,
                ..
            } => vec![
                step(
                    Op::RestoreNode {
                        map: map.clone(),
                        id: nd.clone(),
                    },
                    vec![gone(node(map, nd))],
                ),
                step(
                    Op::DeleteNote { id: n.clone() },
                    vec![
                        guard(note(n), "text"),
                        guard(note(n), "x"),
                        guard(note(n), "y"),
                    ],
                ),
            ],
            // A facilitator's controls and outcomes have their own
            // explicit counter-controls; undo leaves them alone.
            Op::Facilitate { .. } | Op::Outcome { .. } => Vec::new(),
        }
    }

    /// A guard that holds while the node has no children shown (so undoing
    /// its creation cannot take away nodes others added below it).
    fn no_children(&self, map: &str, id: &str) -> Guard {
        let target = Target::Node(map.to_string(), id.to_string());
        Guard {
            value: self.probe(&target, "children"),
            target,
            field: "children",
        }
    }
}

/// The item and fields an op overwrites (for its before-state).
fn touched(op: &Op) -> (Target, &'static [&'static str]) {
    let note = |id: &String| Target::Note(id.clone());
    let frame = |id: &String| Target::Frame(id.clone());
    let node = |m: &String, id: &String| Target::Node(m.clone(), id.clone());
    match op {
        Op::SetTitle { .. } => (Target::Meta, &["title"]),
        Op::SetTheme { .. } => (Target::Meta, &["theme"]),
        Op::SetLanguage { .. } => (Target::Meta, &["language"]),
        Op::SetTemplate { .. } => (Target::Meta, &["template"]),
        Op::MoveNote { id, .. } => (note(id), &["x", "y"]),
        Op::ResizeNote { id, .. } => (note(id), &["w", "h"]),
        Op::RecolorNote { id, .. } => (note(id), &["color"]),
        Op::BringToFront { id } | Op::SetNoteZ { id, .. } => (note(id), &["z"]),
        Op::SetNoteFrame { id, .. } => (note(id), &["frame"]),
        Op::RenameFrame { id, .. } => (frame(id), &["name"]),
        Op::MoveFrame { id, .. } => (frame(id), &["x", "y"]),
        Op::ResizeFrame { id, .. } => (frame(id), &["w", "h"]),
        Op::SetConnectorLabel { id, .. } => (Target::Connector(id.clone()), &["label"]),
        Op::Reparent { map, id, .. } => (node(map, id), &["parent", "order"]),
        Op::Reorder { map, id, .. } => (node(map, id), &["order"]),
        Op::SetCollapsed { map, id, .. } => (node(map, id), &["collapsed"]),
        Op::RecolorNode { map, id, .. } => (node(map, id), &["color"]),
        _ => (Target::Meta, &[]),
    }
}

fn text_op(target: &Target, index: usize, delete: usize, insert: String) -> Option<Op> {
    match target {
        Target::Note(id) => Some(Op::EditText {
            id: id.clone(),
            index,
            delete,
            insert,
        }),
        Target::Node(map, id) => Some(Op::EditNodeText {
            map: map.clone(),
            id: id.clone(),
            index,
            delete,
            insert,
        }),
        _ => None,
    }
}
