//! The readable JSON export (schema in the [crate docs](crate)) and its
//! import: a JSON export becomes a new board through ordinary [`Op`]s, so
//! the result passes the same validation as any edit.
use samskab_board::{
    Board, BoardError, Color, ConnectorView, Ctx, FrameView, Limits, MindMapView, NoteView, Op,
    ParticipantView,
};
use serde::{Deserialize, Serialize};

use crate::{ExportError, Names, role_label};

pub const FORMAT: &str = "samskab-board";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardJson {
    pub format: String,
    pub version: u32,
    pub title: String,
    pub theme: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub participants: Vec<ParticipantView>,
    #[serde(default)]
    pub frames: Vec<FrameView>,
    #[serde(default)]
    pub notes: Vec<NoteView>,
    #[serde(default)]
    pub connectors: Vec<ConnectorView>,
    #[serde(default)]
    pub mindmaps: Vec<MindMapView>,
}

pub fn snapshot(board: &Board, names: Names) -> BoardJson {
    let lang = if board.language() == "en" { "en" } else { "da" };
    let participants = board.participants();
    let mut out = BoardJson {
        format: FORMAT.into(),
        version: VERSION,
        title: board.title(),
        theme: board.theme(),
        language: board.language(),
        template: board.template(),
        created_at: board.created_at(),
        participants: participants.clone(),
        frames: board.frames(),
        notes: board.notes(),
        connectors: board.connectors(),
        mindmaps: board.mindmaps(),
    };
    if names == Names::RoleGroups {
        let label = |id: &str| {
            let role = participants
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.role)
                .unwrap_or_default();
            role_label(role, lang).to_string()
        };
        for n in &mut out.notes {
            n.author = label(&n.author);
        }
        for f in &mut out.frames {
            f.author = label(&f.author);
        }
        for c in &mut out.connectors {
            c.author = label(&c.author);
        }
        for m in &mut out.mindmaps {
            for n in &mut m.nodes {
                n.author = label(&n.author);
            }
        }
        out.participants.clear();
    }
    out
}

pub fn to_json(board: &Board, names: Names) -> String {
    serde_json::to_string_pretty(&snapshot(board, names)).unwrap_or_default()
}

fn bad(e: BoardError, what: &str) -> ExportError {
    ExportError::BadInput(format!("{what}: {e}"))
}

/// A new board from a JSON export. `actor` and `now_ms` are the importing
/// replica's; each item keeps its id, author and times. Refuses input that
/// is not our JSON or that the model refuses (the error names the item).
pub fn import(bytes: &[u8], actor: &[u8], now_ms: i64) -> Result<Board, ExportError> {
    let j: BoardJson =
        serde_json::from_slice(bytes).map_err(|e| ExportError::BadInput(e.to_string()))?;
    if j.format != FORMAT || j.version != VERSION {
        return Err(ExportError::BadInput(format!(
            "expected format {FORMAT:?} version {VERSION}"
        )));
    }
    let limits = Limits::default();
    let total = j.notes.len()
        + j.frames.len()
        + j.connectors.len()
        + j.mindmaps.iter().map(|m| m.nodes.len()).sum::<usize>();
    if total > 4 * limits.max_items {
        return Err(ExportError::BadInput("too many items".into()));
    }
    let created = if j.created_at > 0 {
        j.created_at
    } else {
        now_ms
    };
    let mut b = Board::create(actor, &j.title, &Ctx::new("import", created))
        .map_err(|e| bad(e, "title"))?;
    let sys = Ctx::new("import", now_ms);
    let apply = |b: &mut Board, op: Op, ctx: &Ctx, what: &str| -> Result<(), ExportError> {
        b.apply(&op, ctx).map(|_| ()).map_err(|e| bad(e, what))
    };
    apply(&mut b, Op::SetTheme { theme: j.theme }, &sys, "theme")?;
    if !j.language.is_empty() {
        apply(
            &mut b,
            Op::SetLanguage {
                language: j.language,
            },
            &sys,
            "language",
        )?;
    }
    if !j.template.is_empty() {
        apply(
            &mut b,
            Op::SetTemplate {
                template: j.template,
            },
            &sys,
            "template",
        )?;
    }
    for p in j.participants {
        let ctx = Ctx::new(p.id.clone(), now_ms);
        let op = Op::SetParticipant {
            name: p.name,
            role: p.role,
            color: p.color,
        };
        apply(&mut b, op, &ctx, &format!("participant {}", p.id))?;
    }
    for f in j.frames {
        let what = format!("frame {}", f.id);
        let op = Op::CreateFrame {
            id: f.id,
            name: f.name,
            x: f.x,
            y: f.y,
            w: f.w,
            h: f.h,
            color: f.color,
        };
        apply(&mut b, op, &Ctx::new(f.author, now_ms), &what)?;
    }
    for n in j.notes {
        let what = format!("note {}", n.id);
        let ctx = Ctx::new(n.author.clone(), n.created_at);
        let id = n.id.clone();
        apply(
            &mut b,
            Op::CreateNote {
                id: id.clone(),
                x: n.x,
                y: n.y,
                color: n.color,
                text: n.text,
            },
            &ctx,
            &what,
        )?;
        apply(
            &mut b,
            Op::ResizeNote {
                id: id.clone(),
                w: n.w,
                h: n.h,
            },
            &ctx,
            &what,
        )?;
        apply(
            &mut b,
            Op::SetNoteZ {
                id: id.clone(),
                z: n.z,
            },
            &ctx,
            &what,
        )?;
        if n.frame.is_some() {
            apply(
                &mut b,
                Op::SetNoteFrame {
                    id: id.clone(),
                    frame: n.frame,
                },
                &ctx,
                &what,
            )?;
        }
        if n.edited_at != n.created_at {
            let op = Op::EditText {
                id,
                index: 0,
                delete: 0,
                insert: String::new(),
            };
            apply(&mut b, op, &Ctx::new(n.author, n.edited_at), &what)?;
        }
    }
    for m in &j.mindmaps {
        let what = format!("mind map {}", m.id);
        let root = m
            .nodes
            .iter()
            .find(|n| n.id == m.root)
            .ok_or_else(|| ExportError::BadInput(format!("{what}: no root node")))?;
        apply(
            &mut b,
            Op::CreateMindMap {
                id: m.id.clone(),
                root: root.id.clone(),
                text: root.text.clone(),
            },
            &Ctx::new(root.author.clone(), now_ms),
            &what,
        )?;
        for n in &m.nodes {
            let ctx = Ctx::new(n.author.clone(), now_ms);
            if n.id != m.root {
                let parent = n.parent.clone().unwrap_or_else(|| m.root.clone());
                let op = Op::AddNode {
                    map: m.id.clone(),
                    id: n.id.clone(),
                    parent,
                    order: n.order,
                    text: n.text.clone(),
                };
                apply(&mut b, op, &ctx, &what)?;
            }
            if n.color != Color::default() {
                let op = Op::RecolorNode {
                    map: m.id.clone(),
                    id: n.id.clone(),
                    color: n.color,
                };
                apply(&mut b, op, &ctx, &what)?;
            }
            if n.collapsed {
                let op = Op::SetCollapsed {
                    map: m.id.clone(),
                    id: n.id.clone(),
                    collapsed: true,
                };
                apply(&mut b, op, &ctx, &what)?;
            }
        }
    }
    for c in j.connectors {
        let what = format!("connector {}", c.id);
        let op = Op::Connect {
            id: c.id,
            from: c.from,
            to: c.to,
            label: c.label,
        };
        apply(&mut b, op, &Ctx::new(c.author, now_ms), &what)?;
    }
    samskab_board::validate(&b, &limits)
        .map_err(|e| ExportError::BadInput(format!("the result is not a valid board: {e}")))?;
    Ok(b)
}

/// A board from an import file: our JSON (starts with `{`) or an Automerge
/// document (anything else). Either must pass the model's validation.
pub fn import_any(bytes: &[u8], actor: &[u8], now_ms: i64) -> Result<Board, ExportError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return import(bytes, actor, now_ms);
    }
    let b = Board::load(bytes, actor).map_err(|e| bad(e, "the .automerge file"))?;
    samskab_board::validate(&b, &Limits::default())
        .map_err(|e| ExportError::BadInput(format!("the document is not a valid board: {e}")))?;
    Ok(b)
}
