//! The readable JSON export (schema in the [crate docs](crate)) and its
//! import: a JSON export becomes a new board through ordinary [`Op`]s, so
//! the result passes the same validation as any edit.
use std::collections::BTreeSet;

use samskab_board::facilitation::{
    ActionStatus, ActionView, Agenda, FacilOp, OutcomeOp, Settings, Tally, VoteState,
};
use samskab_board::{
    Board, BoardError, Color, ConnectorView, Ctx, FrameView, Limits, MindMapView, NoteView, Op,
    ParticipantView, check_id,
};
use serde::{Deserialize, Serialize};

use crate::{ExportError, Names, Naming};

pub const FORMAT: &str = "samskab-board";
/// The layout written now. Version 1 (no agenda, votes, actions, decisions,
/// anonymous mode or consent) is still read.
pub const VERSION: u32 = 2;
/// Every version [`import`] reads.
pub const READS: [u32; 2] = [1, 2];

/// A revealed vote: its results, never who gave which dot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteJson {
    pub id: String,
    pub items: Vec<String>,
    pub dots: u32,
    pub by_role: bool,
    pub voters: u32,
    pub results: Vec<Tally>,
}

/// One dissent: who (as the export names people) and their own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DissentJson {
    pub by: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionJson {
    pub id: String,
    pub text: String,
    pub agreement: String,
    pub items: Vec<String>,
    pub dissent: Vec<DissentJson>,
    pub author: String,
    pub created_at: i64,
}

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
    /// Version 2 on.
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub agenda: Agenda,
    #[serde(default)]
    pub votes: Vec<VoteJson>,
    #[serde(default)]
    pub actions: Vec<ActionView>,
    #[serde(default)]
    pub decisions: Vec<DecisionJson>,
}

pub fn snapshot(board: &Board, names: Names) -> BoardJson {
    let lang = if board.language() == "en" { "en" } else { "da" };
    let naming = Naming::new(board, names, lang);
    let who = |id: &str| naming.author_field(id);
    let f = board.facilitation();
    let votes = if f.vote.state == VoteState::Revealed {
        vec![VoteJson {
            id: f.vote.id,
            items: f.vote.items,
            dots: f.vote.dots,
            by_role: f.vote.by_role,
            voters: f.vote.voters,
            results: f.vote.results,
        }]
    } else {
        Vec::new()
    };
    let mut out = BoardJson {
        format: FORMAT.into(),
        version: VERSION,
        title: board.title(),
        theme: board.theme(),
        language: board.language(),
        template: board.template(),
        created_at: board.created_at(),
        participants: naming.listed(),
        frames: board.frames(),
        notes: board.notes(),
        connectors: board.connectors(),
        mindmaps: board.mindmaps(),
        anonymous: naming.anonymous,
        agenda: f.agenda,
        votes,
        actions: board.actions(),
        decisions: board
            .decisions()
            .into_iter()
            .map(|d| DecisionJson {
                dissent: d
                    .dissent
                    .into_iter()
                    .map(|(by, text)| DissentJson { by: who(&by), text })
                    .collect(),
                id: d.id,
                text: d.text,
                agreement: d.agreement,
                items: d.items,
                author: who(&d.author),
                created_at: d.created_at,
            })
            .collect(),
    };
    for n in &mut out.notes {
        n.author = who(&n.author);
    }
    for f in &mut out.frames {
        f.author = who(&f.author);
    }
    for c in &mut out.connectors {
        c.author = who(&c.author);
    }
    for m in &mut out.mindmaps {
        for n in &mut m.nodes {
            n.author = who(&n.author);
        }
    }
    for a in &mut out.actions {
        a.author = who(&a.author);
        a.owner = naming.owner(&a.owner);
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
    if j.format != FORMAT || !READS.contains(&j.version) {
        return Err(ExportError::BadInput(format!(
            "expected format {FORMAT:?} version {} to {VERSION}, not {:?} version {}",
            READS[0],
            j.format.chars().take(40).collect::<String>(),
            j.version
        )));
    }
    let limits = Limits::default();
    let total = j.notes.len()
        + j.frames.len()
        + j.connectors.len()
        + j.actions.len()
        + j.decisions.len()
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
    let apply = apply_op;
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
        let what = format!("participant {}", p.id);
        let op = Op::SetParticipant {
            name: p.name,
            role: p.role,
            color: p.color,
        };
        apply(&mut b, op, &ctx, &what)?;
        if p.named_consent {
            apply(&mut b, Op::SetNameConsent { consent: true }, &ctx, &what)?;
        }
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
    import_outcomes(&mut b, j.actions, j.decisions, now_ms)?;
    import_facilitation(&mut b, j.agenda, j.votes, j.anonymous, &sys)?;
    samskab_board::validate(&b, &limits)
        .map_err(|e| ExportError::BadInput(format!("the result is not a valid board: {e}")))?;
    Ok(b)
}

fn apply_op(b: &mut Board, op: Op, ctx: &Ctx, what: &str) -> Result<(), ExportError> {
    b.apply(&op, ctx).map(|_| ()).map_err(|e| bad(e, what))
}

/// Actions and decisions, each by its author at its time. A dissent is
/// written as its dissenter's; a dissenter the export did not name (""), or
/// a role group named twice, gets a key of its own (`Borger-2`), so no
/// dissent is lost.
fn import_outcomes(
    b: &mut Board,
    actions: Vec<ActionView>,
    decisions: Vec<DecisionJson>,
    now_ms: i64,
) -> Result<(), ExportError> {
    for a in actions {
        let what = format!("action {}", a.id);
        let ctx = Ctx::new(a.author, a.created_at);
        let op = OutcomeOp::CreateAction {
            id: a.id.clone(),
            source: a.source.unwrap_or_default(),
            text: a.text,
            owner: a.owner,
            deadline: a.deadline,
            done_when: a.done_when,
        };
        apply_op(b, Op::Outcome { act: op }, &ctx, &what)?;
        if a.status != ActionStatus::Open {
            let op = OutcomeOp::UpdateAction {
                id: a.id,
                text: None,
                owner: None,
                deadline: None,
                done_when: None,
                status: Some(a.status),
            };
            apply_op(b, Op::Outcome { act: op }, &ctx, &what)?;
        }
    }
    for d in decisions {
        let what = format!("decision {}", d.id);
        let ctx = Ctx::new(d.author, d.created_at);
        let op = OutcomeOp::CreateDecision {
            id: d.id.clone(),
            text: d.text,
            items: d.items,
        };
        apply_op(b, Op::Outcome { act: op }, &ctx, &what)?;
        if !d.agreement.is_empty() {
            let op = OutcomeOp::SetAgreement {
                id: d.id.clone(),
                agreement: d.agreement,
            };
            apply_op(b, Op::Outcome { act: op }, &ctx, &what)?;
        }
        let mut used = BTreeSet::new();
        for x in d.dissent {
            if x.text.is_empty() {
                continue;
            }
            let base = if check_id(&x.by).is_ok() {
                x.by
            } else {
                "dissent".to_string()
            };
            let key = (1..)
                .map(|n| {
                    if n == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    }
                })
                .find(|k| !used.contains(k) && check_id(k).is_ok())
                .unwrap_or_default();
            used.insert(key.clone());
            let op = OutcomeOp::SetDissent {
                id: d.id.clone(),
                text: x.text,
            };
            apply_op(b, Op::Outcome { act: op }, &Ctx::new(key, now_ms), &what)?;
        }
    }
    Ok(())
}

/// The agenda, the revealed vote's results and anonymous mode.
fn import_facilitation(
    b: &mut Board,
    agenda: Agenda,
    votes: Vec<VoteJson>,
    anonymous: bool,
    sys: &Ctx,
) -> Result<(), ExportError> {
    let facil =
        |b: &mut Board, act: FacilOp, what: &str| apply_op(b, Op::Facilitate { act }, sys, what);
    if !agenda.items.is_empty() {
        let items = agenda.items;
        facil(b, FacilOp::SetAgenda { items }, "agenda")?;
        if !agenda.current.is_empty() {
            let id = agenda.current;
            facil(b, FacilOp::SetCurrentItem { id }, "agenda")?;
        }
    }
    for v in votes {
        let what = format!("vote {}", v.id);
        let open = FacilOp::VoteOpen {
            id: v.id,
            items: v.items,
            dots: v.dots,
            by_role: v.by_role,
        };
        facil(b, open, &what)?;
        let results = FacilOp::VoteResults {
            results: v.results,
            voters: v.voters,
        };
        facil(b, results, &what)?;
    }
    if anonymous {
        let settings = Settings {
            anonymous,
            ..Settings::default()
        };
        facil(b, FacilOp::SetSettings { settings }, "settings")?;
    }
    Ok(())
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
