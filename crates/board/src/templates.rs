//! Board templates: SWOT (four frames), a question board, mind-map minutes
//! and the empty board, plus a committee's own board saved as a template and
//! the next meeting started from the previous meeting's mind-map minutes.
//! A template is a list of [`Op`]s, applied like any edit.
use serde::{Deserialize, Serialize};

use crate::board::Board;
use crate::op::{Color, Op};

/// The built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Empty,
    Swot,
    QuestionBoard,
    MindMapMinutes,
}

impl Template {
    pub const ALL: [Template; 4] = [
        Template::Empty,
        Template::Swot,
        Template::QuestionBoard,
        Template::MindMapMinutes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::Empty => "blank",
            Template::Swot => "swot",
            Template::QuestionBoard => "question",
            Template::MindMapMinutes => "minutes",
        }
    }
}

/// A committee's own template: a name and the ops that build the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedTemplate {
    pub name: String,
    pub ops: Vec<Op>,
}

fn da(lang: &str) -> bool {
    lang != "en"
}

/// The ops that lay out `template` in `lang` ("da" or "en"); `fresh` makes new ids.
pub fn template_ops(template: Template, lang: &str, fresh: &mut impl FnMut() -> String) -> Vec<Op> {
    let t = |d: &str, e: &str| {
        if da(lang) {
            d.to_string()
        } else {
            e.to_string()
        }
    };
    let mut ops = vec![Op::SetTemplate {
        template: template.as_str().into(),
    }];
    match template {
        Template::Empty => {}
        Template::Swot => {
            let quads = [
                (t("Styrker", "Strengths"), Color::Green, 0.0, 0.0),
                (t("Svagheder", "Weaknesses"), Color::Pink, 620.0, 0.0),
                (t("Muligheder", "Opportunities"), Color::Blue, 0.0, 520.0),
                (t("Trusler", "Threats"), Color::Orange, 620.0, 520.0),
            ];
            for (name, color, x, y) in quads {
                ops.push(Op::CreateFrame {
                    id: fresh(),
                    name,
                    x,
                    y,
                    w: 600.0,
                    h: 500.0,
                    color,
                });
            }
        }
        Template::QuestionBoard => {
            let q = t(
                "Hvornår skal borgerne inddrages?",
                "When should citizens be involved?",
            );
            ops.push(Op::SetTheme { theme: q.clone() });
            ops.push(Op::CreateFrame {
                id: fresh(),
                name: q,
                x: 0.0,
                y: 0.0,
                w: 1240.0,
                h: 800.0,
                color: Color::Yellow,
            });
        }
        Template::MindMapMinutes => {
            ops.push(Op::CreateMindMap {
                id: fresh(),
                root: fresh(),
                text: t("Mødets pointer", "Points raised"),
            });
        }
    }
    ops
}

/// The board's frames as ops, under the ids `new_id` maps them to.
fn frame_ops(board: &Board, new_id: &mut dyn FnMut(&str) -> String) -> Vec<Op> {
    board
        .frames()
        .into_iter()
        .map(|f| Op::CreateFrame {
            id: new_id(&f.id),
            name: f.name,
            x: f.x,
            y: f.y,
            w: f.w,
            h: f.h,
            color: f.color,
        })
        .collect()
}

/// The board's notes (each in its frame) as ops, under the ids `new_id`
/// maps them to.
fn note_ops(board: &Board, new_id: &mut dyn FnMut(&str) -> String) -> Vec<Op> {
    let mut ops = Vec::new();
    for n in board.notes() {
        let id = new_id(&n.id);
        ops.push(Op::CreateNote {
            id: id.clone(),
            x: n.x,
            y: n.y,
            color: n.color,
            text: n.text,
        });
        if let Some(f) = n.frame {
            ops.push(Op::SetNoteFrame {
                id,
                frame: Some(new_id(&f)),
            });
        }
    }
    ops
}

/// The board as a template: its title-less layout (frames, notes in them,
/// mind maps, connectors between them) with new ids, authors left out.
pub fn board_as_template(
    board: &Board,
    name: &str,
    fresh: &mut impl FnMut() -> String,
) -> SavedTemplate {
    let mut ids = std::collections::BTreeMap::new();
    let mut new_id = |old: &str, fresh: &mut dyn FnMut() -> String| -> String {
        ids.entry(old.to_string()).or_insert_with(fresh).clone()
    };
    let mut ops = vec![Op::SetTheme {
        theme: board.theme(),
    }];
    ops.extend(frame_ops(board, &mut |old: &str| new_id(old, fresh)));
    ops.extend(note_ops(board, &mut |old: &str| new_id(old, fresh)));
    ops.extend(mindmap_ops(board, &mut |old| new_id(old, fresh)));
    for c in board.connectors() {
        ops.push(Op::Connect {
            id: new_id(&c.id, fresh),
            from: new_id(&c.from, fresh),
            to: new_id(&c.to, fresh),
            label: c.label,
        });
    }
    SavedTemplate {
        name: name.to_string(),
        ops,
    }
}

/// What a committee saves of a board as its own template: the structure
/// (frames, the agenda's items, and each mind map's skeleton: the root and
/// its first branches) and, only `with_content`, what was written: the
/// notes (in their frames), the arrows between them and every mind-map node.
/// The theme, authors, facilitation state and outcomes are left out. New
/// ids come from `fresh`; applying the ops to a board builds the structure.
pub fn structure_as_template(
    board: &Board,
    name: &str,
    with_content: bool,
    fresh: &mut impl FnMut() -> String,
) -> SavedTemplate {
    let mut ids = std::collections::BTreeMap::new();
    let mut new_id = |old: &str, fresh: &mut dyn FnMut() -> String| -> String {
        ids.entry(old.to_string()).or_insert_with(fresh).clone()
    };
    let mut ops = Vec::new();
    ops.extend(frame_ops(board, &mut |old: &str| new_id(old, fresh)));
    if with_content {
        ops.extend(note_ops(board, &mut |old: &str| new_id(old, fresh)));
    }
    for m in board.mindmaps() {
        let map = new_id(&m.id, fresh);
        let Some(root) = m.nodes.iter().find(|n| n.parent.is_none()) else {
            continue;
        };
        ops.push(Op::CreateMindMap {
            id: map.clone(),
            root: new_id(&root.id, fresh),
            text: root.text.clone(),
        });
        // Parents come before their children in `nodes`; a node whose parent
        // was left out (deeper than the skeleton) is left out too.
        for n in m.nodes.iter().filter(|n| n.parent.is_some()) {
            let parent = n.parent.clone().unwrap_or_default();
            let keep = with_content || parent == root.id;
            if !keep {
                continue;
            }
            ops.push(Op::AddNode {
                map: map.clone(),
                id: new_id(&n.id, fresh),
                parent: new_id(&parent, fresh),
                order: n.order,
                text: n.text.clone(),
            });
        }
    }
    if with_content {
        let notes: std::collections::BTreeSet<String> =
            board.notes().into_iter().map(|n| n.id).collect();
        for c in board.connectors() {
            if notes.contains(&c.from) && notes.contains(&c.to) {
                ops.push(Op::Connect {
                    id: new_id(&c.id, fresh),
                    from: new_id(&c.from, fresh),
                    to: new_id(&c.to, fresh),
                    label: c.label,
                });
            }
        }
    }
    let agenda = board.facilitation().agenda;
    if !agenda.items.is_empty() {
        ops.push(Op::Facilitate {
            act: crate::facilitation::FacilOp::SetAgenda {
                items: agenda
                    .items
                    .into_iter()
                    .map(|i| crate::facilitation::AgendaItem {
                        id: fresh(),
                        title: i.title,
                    })
                    .collect(),
            },
        });
    }
    SavedTemplate {
        name: name.to_string(),
        ops,
    }
}

fn mindmap_ops(board: &Board, new_id: &mut dyn FnMut(&str) -> String) -> Vec<Op> {
    let mut ops = Vec::new();
    for m in board.mindmaps() {
        let map = new_id(&m.id);
        for n in &m.nodes {
            match &n.parent {
                None => ops.push(Op::CreateMindMap {
                    id: map.clone(),
                    root: new_id(&n.id),
                    text: n.text.clone(),
                }),
                Some(p) => ops.push(Op::AddNode {
                    map: map.clone(),
                    id: new_id(&n.id),
                    parent: new_id(p),
                    order: n.order,
                    text: n.text.clone(),
                }),
            }
        }
    }
    ops
}

/// The next meeting's board starts from the previous meeting's mind-map
/// minutes: the ops that copy its mind maps (all nodes, in order).
pub fn continue_minutes(previous: &Board, fresh: &mut impl FnMut() -> String) -> Vec<Op> {
    let mut ids = std::collections::BTreeMap::new();
    let mut ops = vec![Op::SetTemplate {
        template: Template::MindMapMinutes.as_str().into(),
    }];
    ops.extend(mindmap_ops(previous, &mut |old: &str| {
        ids.entry(old.to_string())
            .or_insert_with(&mut *fresh)
            .clone()
    }));
    ops
}

/// The next meeting of a series: the previous meeting's mind-map minutes
/// ([`continue_minutes`]) and, if `carry_actions`, its actions that are
/// still open or under way, with their owner, deadline and status. An action
/// that came from a copied node points at the copy; any other source is
/// dropped (that note stays on the old board).
pub fn continue_meeting(
    previous: &Board,
    carry_actions: bool,
    fresh: &mut impl FnMut() -> String,
) -> Vec<Op> {
    use crate::facilitation::{ActionStatus, OutcomeOp};
    let mut ids = std::collections::BTreeMap::new();
    let mut ops = vec![Op::SetTemplate {
        template: Template::MindMapMinutes.as_str().into(),
    }];
    ops.extend(mindmap_ops(previous, &mut |old: &str| {
        ids.entry(old.to_string())
            .or_insert_with(&mut *fresh)
            .clone()
    }));
    if !carry_actions {
        return ops;
    }
    for a in previous.actions() {
        if !matches!(a.status, ActionStatus::Open | ActionStatus::Doing) {
            continue;
        }
        let id = fresh();
        let source = a
            .source
            .as_ref()
            .and_then(|s| ids.get(s).cloned())
            .unwrap_or_default();
        ops.push(Op::Outcome {
            act: OutcomeOp::CreateAction {
                id: id.clone(),
                source,
                text: a.text,
                owner: a.owner,
                deadline: a.deadline,
                done_when: a.done_when,
            },
        });
        if a.status != ActionStatus::Open {
            ops.push(Op::Outcome {
                act: OutcomeOp::UpdateAction {
                    id,
                    text: None,
                    owner: None,
                    deadline: None,
                    done_when: None,
                    status: Some(a.status),
                },
            });
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ctx, validate};

    fn counter() -> impl FnMut() -> String {
        let mut i = 0;
        move || {
            i += 1;
            format!("t{i}")
        }
    }

    fn build(ops: &[Op]) -> Board {
        let mut b = Board::new(&[3; 16]);
        for op in ops {
            b.apply(op, &Ctx::new("fac", 0)).unwrap();
        }
        validate(&b, &Default::default()).unwrap();
        b
    }

    #[test]
    fn every_template_builds_a_valid_board() {
        let swot = build(&template_ops(Template::Swot, "da", &mut counter()));
        let names: Vec<String> = swot.frames().into_iter().map(|f| f.name).collect();
        assert_eq!(names.len(), 4);
        assert!(names.contains(&"Trusler".to_string()));
        let q = build(&template_ops(Template::QuestionBoard, "en", &mut counter()));
        assert_eq!(q.theme(), "When should citizens be involved?");
        let m = build(&template_ops(
            Template::MindMapMinutes,
            "da",
            &mut counter(),
        ));
        assert_eq!(m.mindmaps().len(), 1);
        let e = build(&template_ops(Template::Empty, "da", &mut counter()));
        assert!(e.notes().is_empty() && e.frames().is_empty());
    }

    #[test]
    fn own_board_as_template_and_minutes_carried_to_the_next_meeting() {
        let mut fresh = counter();
        let mut ops = template_ops(Template::Swot, "da", &mut fresh);
        ops.extend(template_ops(Template::MindMapMinutes, "da", &mut fresh));
        let mut b = build(&ops);
        let frame = b.frames()[0].id.clone();
        let map = b.mindmaps()[0].clone();
        let c = Ctx::new("fac", 0);
        b.apply(
            &Op::CreateNote {
                id: "n1".into(),
                x: 30.0,
                y: 40.0,
                color: Color::Blue,
                text: "Borgerpanel".into(),
            },
            &c,
        )
        .unwrap();
        b.apply(
            &Op::SetNoteFrame {
                id: "n1".into(),
                frame: Some(frame),
            },
            &c,
        )
        .unwrap();
        b.apply(
            &Op::AddNode {
                map: map.id.clone(),
                id: "k1".into(),
                parent: map.root.clone(),
                order: 1.0,
                text: "Tidlig inddragelse".into(),
            },
            &c,
        )
        .unwrap();
        let mut other = counter();
        let saved = board_as_template(&b, "Vores", &mut || format!("x{}", other()));
        let json = serde_json::to_string(&saved).unwrap();
        let copy = build(&serde_json::from_str::<SavedTemplate>(&json).unwrap().ops);
        assert_eq!(copy.frames().len(), 4);
        assert_eq!(copy.notes()[0].text, "Borgerpanel");
        assert!(copy.notes()[0].frame.is_some());
        let mut next = counter();
        let minutes = build(&continue_minutes(&b, &mut || format!("y{}", next())));
        let texts: Vec<String> = minutes.mindmaps()[0]
            .nodes
            .iter()
            .map(|n| n.text.clone())
            .collect();
        assert_eq!(texts, ["Mødets pointer", "Tidlig inddragelse"]);
    }

    #[test]
    fn a_committee_template_keeps_the_structure_and_the_content_only_when_asked() {
        use crate::facilitation::{AgendaItem, FacilOp};
        let mut fresh = counter();
        let mut ops = template_ops(Template::Swot, "da", &mut fresh);
        ops.extend(template_ops(Template::MindMapMinutes, "da", &mut fresh));
        let mut b = build(&ops);
        let frame = b.frames()[0].id.clone();
        let map = b.mindmaps()[0].clone();
        let c = Ctx::new("fac", 0);
        let edits = [
            Op::CreateNote {
                id: "n1".into(),
                x: 30.0,
                y: 40.0,
                color: Color::Blue,
                text: "Hemmelig idé".into(),
            },
            Op::SetNoteFrame {
                id: "n1".into(),
                frame: Some(frame),
            },
            Op::AddNode {
                map: map.id.clone(),
                id: "k1".into(),
                parent: map.root.clone(),
                order: 1.0,
                text: "Hvem".into(),
            },
            Op::AddNode {
                map: map.id.clone(),
                id: "k2".into(),
                parent: "k1".into(),
                order: 1.0,
                text: "Borgerpanel med Aisha".into(),
            },
            Op::Facilitate {
                act: FacilOp::SetAgenda {
                    items: vec![
                        AgendaItem {
                            id: "a1".into(),
                            title: "Velkomst".into(),
                        },
                        AgendaItem {
                            id: "a2".into(),
                            title: "Runde".into(),
                        },
                    ],
                },
            },
        ];
        for op in &edits {
            b.apply(op, &c).unwrap();
        }
        let texts = |b: &Board| -> Vec<String> {
            b.mindmaps()[0]
                .nodes
                .iter()
                .map(|n| n.text.clone())
                .collect()
        };
        let agenda = |b: &Board| -> Vec<String> {
            b.facilitation()
                .agenda
                .items
                .into_iter()
                .map(|i| i.title)
                .collect()
        };
        let mut other = counter();
        let bare = structure_as_template(&b, "Vores", false, &mut || format!("x{}", other()));
        let json = serde_json::to_string(&bare).unwrap();
        assert!(
            !json.contains("Hemmelig") && !json.contains("Aisha"),
            "{json}"
        );
        let copy = build(&serde_json::from_str::<SavedTemplate>(&json).unwrap().ops);
        assert_eq!(copy.frames().len(), 4);
        assert!(copy.notes().is_empty(), "no notes unless asked");
        assert_eq!(texts(&copy), ["Mødets pointer", "Hvem"], "the skeleton");
        assert_eq!(agenda(&copy), ["Velkomst", "Runde"]);
        assert!(
            copy.facilitation()
                .agenda
                .items
                .iter()
                .all(|i| i.id != "a1")
        );

        let mut other = counter();
        let full = structure_as_template(&b, "Vores", true, &mut || format!("y{}", other()));
        let copy = build(&full.ops);
        assert_eq!(copy.notes()[0].text, "Hemmelig idé");
        assert!(copy.notes()[0].frame.is_some());
        assert_eq!(
            texts(&copy),
            ["Mødets pointer", "Hvem", "Borgerpanel med Aisha"]
        );
    }

    #[test]
    fn the_next_meeting_carries_open_actions_and_points_them_at_the_copied_nodes() {
        use crate::facilitation::{ActionStatus, OutcomeOp};
        let mut b = build(&template_ops(
            Template::MindMapMinutes,
            "da",
            &mut counter(),
        ));
        let map = b.mindmaps()[0].clone();
        let c = Ctx::new("fac", 0);
        b.apply(
            &Op::AddNode {
                map: map.id.clone(),
                id: "k1".into(),
                parent: map.root.clone(),
                order: 1.0,
                text: "Borgerpanel".into(),
            },
            &c,
        )
        .unwrap();
        for (id, source, status) in [
            ("a1", "k1", ActionStatus::Doing),
            ("a2", "", ActionStatus::Open),
            ("a3", "k1", ActionStatus::Done),
        ] {
            b.apply(
                &Op::Outcome {
                    act: OutcomeOp::CreateAction {
                        id: id.into(),
                        source: source.into(),
                        text: format!("Handling {id}"),
                        owner: "Mette".into(),
                        deadline: "2027-03-01".into(),
                        done_when: "Vedtaget".into(),
                    },
                },
                &c,
            )
            .unwrap();
            b.apply(
                &Op::Outcome {
                    act: OutcomeOp::UpdateAction {
                        id: id.into(),
                        text: None,
                        owner: None,
                        deadline: None,
                        done_when: None,
                        status: Some(status),
                    },
                },
                &c,
            )
            .unwrap();
        }
        let mut fresh = counter();
        let without = build(&continue_meeting(&b, false, &mut || {
            format!("z{}", fresh())
        }));
        assert!(without.actions().is_empty());
        assert_eq!(without.mindmaps()[0].nodes.len(), 2);
        let mut fresh = counter();
        let next = build(&continue_meeting(&b, true, &mut || format!("y{}", fresh())));
        let node = next.mindmaps()[0].nodes[1].clone();
        assert_eq!(node.text, "Borgerpanel");
        let mut actions = next.actions();
        actions.sort_by(|a, b| a.text.cmp(&b.text));
        let got: Vec<(&str, Option<&str>, ActionStatus, &str)> = actions
            .iter()
            .map(|a| {
                (
                    a.text.as_str(),
                    a.source.as_deref(),
                    a.status,
                    a.deadline.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Handling a1",
                    Some(node.id.as_str()),
                    ActionStatus::Doing,
                    "2027-03-01"
                ),
                ("Handling a2", None, ActionStatus::Open, "2027-03-01"),
            ]
        );
    }
}
