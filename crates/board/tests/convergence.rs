//! Property test: 2 to 5 replicas apply random ops (and undo and redo their
//! own), exchange changes in
//! random order (with duplicates and delays), save and load along the way.
//! At the end every replica shows the identical board and every invariant
//! holds.
//!
//! `SAMSKAB_PROPTEST_CASES` sets the number of cases (default 300: about a
//! minute in a debug build); `SAMSKAB_PROPTEST_SEED` (32 hex digits) replays
//! a run. The seed is printed at the start and again on failure.
use std::collections::BTreeSet;

use automerge::Change;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use samskab_board::facilitation::{
    ActionStatus, AgendaItem, FacilOp, OutcomeOp, extension_genesis_hash,
};
use samskab_board::{Board, Color, Ctx, History, Op, order_between, validate};

/// An edit with indices instead of ids; resolved against the replica's
/// current board when it is applied, so most generated edits make sense.
#[derive(Debug, Clone)]
enum Act {
    CreateNote(u8, u8),
    Type(u8, u8, char),
    Erase(u8, u8),
    MoveNote(u8, i16, i16),
    DeleteNote(u8),
    RestoreNote(u8),
    CreateFrame(u8),
    MoveFrame(u8, i16),
    DeleteFrame(u8),
    IntoFrame(u8, u8),
    Connect(u8, u8),
    AddNode(u8),
    Reparent(u8, u8),
    Reorder(u8, i8),
    DeleteNode(u8),
    RestoreNode(u8),
    NoteToNode(u8, u8),
    NodeToNote(u8),
    Title(char),
    /// A facilitator's control: timer, round, vote, agenda, chair.
    Facil(u8, u8),
    /// Actions and decisions from notes, dissent.
    Outcome(u8, u8),
    Undo,
    Redo,
}

#[derive(Debug, Clone)]
enum Step {
    Edit(usize, Act),
    /// Give replica `to` the `nth` change ever made (any replica's): random
    /// order, duplicates, and changes whose dependencies come later.
    Deliver(usize, usize),
    SaveLoad(usize),
}

fn act() -> impl Strategy<Value = Act> {
    let b = any::<u8>;
    prop_oneof![
        3 => (b(), b()).prop_map(|(x, y)| Act::CreateNote(x, y)),
        3 => (b(), b(), prop::char::range('a', 'å')).prop_map(|(n, i, c)| Act::Type(n, i, c)),
        1 => (b(), b()).prop_map(|(n, i)| Act::Erase(n, i)),
        2 => (b(), any::<i16>(), any::<i16>()).prop_map(|(n, x, y)| Act::MoveNote(n, x, y)),
        1 => b().prop_map(Act::DeleteNote),
        1 => b().prop_map(Act::RestoreNote),
        1 => b().prop_map(Act::CreateFrame),
        1 => (b(), any::<i16>()).prop_map(|(f, d)| Act::MoveFrame(f, d)),
        1 => b().prop_map(Act::DeleteFrame),
        1 => (b(), b()).prop_map(|(n, f)| Act::IntoFrame(n, f)),
        1 => (b(), b()).prop_map(|(a, c)| Act::Connect(a, c)),
        3 => b().prop_map(Act::AddNode),
        10 => (b(), b()).prop_map(|(n, p)| Act::Reparent(n, p)),
        1 => (b(), any::<i8>()).prop_map(|(n, o)| Act::Reorder(n, o)),
        1 => b().prop_map(Act::DeleteNode),
        1 => b().prop_map(Act::RestoreNode),
        1 => (b(), b()).prop_map(|(n, p)| Act::NoteToNode(n, p)),
        1 => b().prop_map(Act::NodeToNote),
        1 => prop::char::range('A', 'Z').prop_map(Act::Title),
        2 => (b(), b()).prop_map(|(k, n)| Act::Facil(k, n)),
        2 => (b(), b()).prop_map(|(k, n)| Act::Outcome(k, n)),
        2 => Just(Act::Undo),
        1 => Just(Act::Redo),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Step>)> {
    (2usize..=5).prop_flat_map(|replicas| {
        let step = prop_oneof![
            6 => (0..replicas, act()).prop_map(|(r, a)| Step::Edit(r, a)),
            5 => (0..replicas, any::<usize>()).prop_map(|(r, n)| Step::Deliver(r, n)),
            1 => (0..replicas).prop_map(Step::SaveLoad),
        ];
        (Just(replicas), prop::collection::vec(step, 1..60))
    })
}

fn pick<T: Clone>(items: &[T], i: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[i as usize % items.len()].clone())
}

/// Every note id ever created on this replica, deleted ones included.
fn all_note_ids(board: &Board) -> Vec<String> {
    use automerge::ReadDoc;
    let doc = board.doc();
    let notes = doc.get(automerge::ROOT, "notes").unwrap().unwrap().1;
    doc.keys(&notes).collect()
}

fn node_ids(board: &Board, live_only: bool) -> Vec<String> {
    use automerge::ReadDoc;
    if live_only {
        return board
            .mindmap("m")
            .map(|m| m.nodes.into_iter().map(|n| n.id).collect())
            .unwrap_or_default();
    }
    let doc = board.doc();
    let maps = doc.get(automerge::ROOT, "mindmaps").unwrap().unwrap().1;
    let Some((_, m)) = doc.get(&maps, "m").unwrap() else {
        return Vec::new();
    };
    let nodes = doc.get(&m, "nodes").unwrap().unwrap().1;
    doc.keys(&nodes).collect()
}

fn resolve(board: &Board, act: &Act, fresh: &mut impl FnMut() -> String) -> Option<Op> {
    let notes: Vec<String> = board.notes().into_iter().map(|n| n.id).collect();
    let frames: Vec<String> = board.frames().into_iter().map(|f| f.id).collect();
    let nodes = node_ids(board, true);
    let m = || "m".to_string();
    Some(match act {
        Act::CreateNote(x, y) => Op::CreateNote {
            id: fresh(),
            x: *x as f64 * 10.0,
            y: *y as f64 * 10.0,
            color: Color::Yellow,
            text: String::new(),
        },
        Act::Type(n, i, c) => {
            let id = pick(&notes, *n)?;
            let len = board.note(&id)?.text.chars().count();
            Op::EditText {
                id,
                index: *i as usize % (len + 1),
                delete: 0,
                insert: c.to_string(),
            }
        }
        Act::Erase(n, i) => {
            let id = pick(&notes, *n)?;
            let len = board.note(&id)?.text.chars().count();
            if len == 0 {
                return None;
            }
            Op::EditText {
                id,
                index: *i as usize % len,
                delete: 1,
                insert: String::new(),
            }
        }
        Act::MoveNote(n, x, y) => Op::MoveNote {
            id: pick(&notes, *n)?,
            x: *x as f64,
            y: *y as f64,
        },
        Act::DeleteNote(n) => Op::DeleteNote {
            id: pick(&notes, *n)?,
        },
        Act::RestoreNote(n) => Op::RestoreNote {
            id: pick(&all_note_ids(board), *n)?,
        },
        Act::CreateFrame(x) => Op::CreateFrame {
            id: fresh(),
            name: "F".into(),
            x: *x as f64 * 20.0,
            y: 0.0,
            w: 300.0,
            h: 300.0,
            color: Color::Blue,
        },
        Act::MoveFrame(f, d) => Op::MoveFrame {
            id: pick(&frames, *f)?,
            x: *d as f64,
            y: 7.0,
        },
        Act::DeleteFrame(f) => Op::DeleteFrame {
            id: pick(&frames, *f)?,
        },
        Act::IntoFrame(n, f) => Op::SetNoteFrame {
            id: pick(&notes, *n)?,
            frame: if *f % 4 == 0 { None } else { pick(&frames, *f) },
        },
        Act::Connect(a, b) => {
            let ends: Vec<String> = notes.iter().chain(&nodes).cloned().collect();
            Op::Connect {
                id: fresh(),
                from: pick(&ends, *a)?,
                to: pick(&ends, *b)?,
                label: "→".into(),
            }
        }
        Act::AddNode(p) => {
            if board.mindmap("m").is_none() {
                Op::CreateMindMap {
                    id: m(),
                    root: "root".into(),
                    text: "Tema".into(),
                }
            } else {
                Op::AddNode {
                    map: m(),
                    id: fresh(),
                    parent: pick(&nodes, *p)?,
                    order: order_between(Some(*p as f64), None),
                    text: "n".into(),
                }
            }
        }
        Act::Reparent(n, p) => Op::Reparent {
            map: m(),
            id: pick(&nodes, *n)?,
            parent: pick(&nodes, *p)?,
            order: *p as f64,
        },
        Act::Reorder(n, o) => Op::Reorder {
            map: m(),
            id: pick(&nodes, *n)?,
            order: *o as f64,
        },
        Act::DeleteNode(n) => Op::DeleteNode {
            map: m(),
            id: pick(&nodes, *n)?,
        },
        Act::RestoreNode(n) => Op::RestoreNode {
            map: m(),
            id: pick(&node_ids(board, false), *n)?,
        },
        Act::NoteToNode(n, p) => Op::NoteToNode {
            note: pick(&notes, *n)?,
            map: m(),
            node: fresh(),
            parent: pick(&nodes, *p)?,
            order: 0.5,
        },
        Act::NodeToNote(n) => Op::NodeToNote {
            map: m(),
            node: pick(&nodes, *n)?,
            note: fresh(),
            x: 1.0,
            y: 2.0,
        },
        Act::Title(c) => Op::SetTitle {
            title: format!("Tavle {c}"),
        },
        Act::Facil(k, n) => Op::Facilitate {
            act: match k % 12 {
                0 => FacilOp::TimerStart {
                    duration_ms: i64::from(*n) * 1000,
                    label: format!("t{n}"),
                },
                1 => FacilOp::TimerPause,
                2 => FacilOp::TimerResume,
                3 => FacilOp::TimerExtend {
                    ms: i64::from(*n) * 100,
                },
                4 => FacilOp::TimerStop,
                5 => FacilOp::RoundStart {
                    id: fresh(),
                    question: "Hvem?".into(),
                    order: vec!["p0".into(), "p1".into(), "p2".into()],
                    turn_ms: 60_000,
                },
                6 | 7 => FacilOp::RoundNext { passed: n % 2 == 0 },
                8 => FacilOp::VoteOpen {
                    id: fresh(),
                    items: notes.iter().take(3).cloned().collect(),
                    dots: u32::from(n % 5) + 1,
                    by_role: n % 2 == 0,
                },
                9 => FacilOp::SetChair {
                    participant: format!("p{}", n % 3),
                    meeting: format!("m{n}"),
                },
                10 => FacilOp::SetAgenda {
                    items: vec![AgendaItem {
                        id: format!("a{}", n % 4),
                        title: "Punkt".into(),
                    }],
                },
                _ => FacilOp::SetCurrentItem {
                    id: format!("a{}", n % 4),
                },
            },
        },
        Act::Outcome(k, n) => Op::Outcome {
            act: match k % 5 {
                0 => OutcomeOp::CreateAction {
                    id: fresh(),
                    source: pick(&notes, *n).unwrap_or_default(),
                    text: "Gør det".into(),
                    owner: if n % 2 == 0 {
                        format!("p{n}")
                    } else {
                        String::new()
                    },
                    deadline: if n % 3 == 0 {
                        "2026-05-01".into()
                    } else {
                        String::new()
                    },
                    done_when: String::new(),
                },
                1 => OutcomeOp::UpdateAction {
                    id: pick(
                        &board
                            .actions()
                            .into_iter()
                            .map(|a| a.id)
                            .collect::<Vec<_>>(),
                        *n,
                    )?,
                    text: None,
                    owner: Some(format!("o{n}")),
                    deadline: None,
                    done_when: None,
                    status: Some(ActionStatus::ALL[usize::from(*n) % 4]),
                },
                2 => OutcomeOp::CreateDecision {
                    id: fresh(),
                    text: "Besluttet".into(),
                    items: notes.iter().take(usize::from(n % 4)).cloned().collect(),
                },
                3 => OutcomeOp::SetDissent {
                    id: pick(
                        &board
                            .decisions()
                            .into_iter()
                            .map(|d| d.id)
                            .collect::<Vec<_>>(),
                        *n,
                    )?,
                    text: format!("Uenig {n}"),
                },
                _ => OutcomeOp::DeleteAction {
                    id: pick(
                        &board
                            .actions()
                            .into_iter()
                            .map(|a| a.id)
                            .collect::<Vec<_>>(),
                        *n,
                    )?,
                },
            },
        },
        Act::Undo | Act::Redo => return None,
    })
}

/// What must hold for any board a person can see.
fn check_invariants(board: &Board) -> Result<(), TestCaseError> {
    validate(board, board.limits())
        .map_err(|e| TestCaseError::fail(format!("invalid board: {e}")))?;
    for map in board.mindmaps() {
        let ids: Vec<&str> = map.nodes.iter().map(|n| n.id.as_str()).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        prop_assert_eq!(ids.len(), unique.len(), "a node shown twice");
        prop_assert_eq!(map.nodes[0].id.as_str(), map.root.as_str());
        for n in &map.nodes[1..] {
            let p = n.parent.as_deref().unwrap_or("");
            prop_assert!(
                unique.contains(p),
                "node {} hangs under {p}, which is not shown",
                n.id
            );
        }
        // Every live stored node is reachable from the root.
        let shown: BTreeSet<String> = map.nodes.iter().map(|n| n.id.clone()).collect();
        for id in node_ids(board, false) {
            let n_live = {
                use automerge::ReadDoc;
                let doc = board.doc();
                let maps = doc.get(automerge::ROOT, "mindmaps").unwrap().unwrap().1;
                let m = doc.get(&maps, map.id.as_str()).unwrap().unwrap().1;
                let nodes = doc.get(&m, "nodes").unwrap().unwrap().1;
                let n = doc.get(&nodes, id.as_str()).unwrap().unwrap().1;
                !matches!(doc.get(&n, "deleted").unwrap(), Some((automerge::Value::Scalar(s), _)) if s.as_bool() == Some(true))
            };
            prop_assert!(
                !n_live || shown.contains(&id),
                "live node {id} is unreachable"
            );
        }
    }
    let notes: BTreeSet<String> = board.notes().into_iter().map(|n| n.id).collect();
    let frames: BTreeSet<String> = board.frames().into_iter().map(|f| f.id).collect();
    let nodes: BTreeSet<String> = board
        .mindmaps()
        .into_iter()
        .flat_map(|m| m.nodes)
        .map(|n| n.id)
        .collect();
    for c in board.connectors() {
        for end in [&c.from, &c.to] {
            prop_assert!(
                notes.contains(end) || frames.contains(end) || nodes.contains(end),
                "connector {} to nothing",
                c.id
            );
        }
    }
    for n in board.notes() {
        if let Some(f) = &n.frame {
            prop_assert!(
                frames.contains(f),
                "note {} in a frame that is not shown",
                n.id
            );
        }
    }
    Ok(())
}

fn shared_start() -> Vec<u8> {
    let mut b = Board::new(&[99; 16]);
    let c = Ctx::new("p-base", 1_700_000_000_000);
    let mut ops = vec![
        Op::CreateMindMap {
            id: "m".into(),
            root: "root".into(),
            text: "Tema".into(),
        },
        Op::CreateFrame {
            id: "f0".into(),
            name: "F".into(),
            x: 0.0,
            y: 0.0,
            w: 400.0,
            h: 400.0,
            color: Color::Green,
        },
    ];
    for (i, parent) in ["root", "root", "n0", "n1", "n1", "n3"].iter().enumerate() {
        ops.push(Op::AddNode {
            map: "m".into(),
            id: format!("n{i}"),
            parent: parent.to_string(),
            order: i as f64,
            text: format!("N{i}"),
        });
    }
    for i in 0..3 {
        ops.push(Op::CreateNote {
            id: format!("s{i}"),
            x: i as f64 * 50.0,
            y: 10.0,
            color: Color::Yellow,
            text: format!("note {i}"),
        });
    }
    for op in ops {
        b.apply(&op, &c).expect("base op");
    }
    b.save()
}

fn run(replica_count: usize, steps: &[Step]) -> Result<(), TestCaseError> {
    // All replicas start from one shared board, so that concurrent edits
    // meet on the same notes, frames and nodes (and cycles can form).
    let base = shared_start();
    let mut replicas: Vec<Board> = (0..replica_count)
        .map(|i| Board::load(&base, &[i as u8 + 1; 16]).expect("load base"))
        .collect();
    let mut network: Vec<Vec<u8>> = Vec::new();
    let mut counters = vec![0u32; replica_count];
    let mut histories: Vec<History> = (0..replica_count).map(|_| History::new()).collect();
    for step in steps {
        match step {
            Step::Edit(r, act) => {
                let (r, counter) = (*r, &mut counters[*r]);
                let mut fresh = || {
                    *counter += 1;
                    format!("r{r}i{counter}")
                };
                let ctx = Ctx::new(format!("p{r}"), 1_700_000_000_000);
                let made = match act {
                    Act::Undo => histories[r].undo(&mut replicas[r], &ctx),
                    Act::Redo => histories[r].redo(&mut replicas[r], &ctx),
                    _ => match resolve(&replicas[r], act, &mut fresh) {
                        Some(op) => histories[r].apply(&mut replicas[r], &op, &ctx),
                        None => Ok(None),
                    },
                };
                if let Ok(Some(hash)) = made {
                    // The extension genesis is applied, not made by an op:
                    // pass it on like the real sync would.
                    if let Some(ext) = replicas[r]
                        .doc_mut()
                        .get_change_by_hash(&extension_genesis_hash())
                    {
                        network.push(ext.raw_bytes().to_vec());
                    }
                    let change = replicas[r]
                        .doc_mut()
                        .get_change_by_hash(&hash)
                        .expect("own change");
                    network.push(change.raw_bytes().to_vec());
                }
            }
            Step::Deliver(to, nth) if !network.is_empty() => {
                let bytes = &network[nth % network.len()];
                let change = Change::from_bytes(bytes.clone()).expect("change decodes");
                replicas[*to]
                    .doc_mut()
                    .apply_changes([change])
                    .expect("apply");
            }
            Step::Deliver(..) => {}
            Step::SaveLoad(r) => {
                let actor = replicas[*r].doc().get_actor().to_bytes().to_vec();
                let saved = replicas[*r].save();
                replicas[*r] =
                    Board::load(&saved, &actor).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
        }
        let touched = match step {
            Step::Edit(r, _) | Step::Deliver(r, _) | Step::SaveLoad(r) => *r,
        };
        check_invariants(&replicas[touched])?;
    }
    // Deliver everything to everyone, in reverse order to exercise queuing.
    for b in &mut replicas {
        let changes: Vec<Change> = network
            .iter()
            .rev()
            .map(|c| Change::from_bytes(c.clone()).unwrap())
            .collect();
        b.doc_mut().apply_changes(changes).expect("apply all");
    }
    let first = replicas[0].clone();
    for b in &mut replicas {
        prop_assert_eq!(b.doc_mut().get_missing_deps(&[]), Vec::new());
        prop_assert_eq!(b.notes(), first.notes());
        prop_assert_eq!(b.frames(), first.frames());
        prop_assert_eq!(b.connectors(), first.connectors());
        prop_assert_eq!(b.mindmaps(), first.mindmaps());
        prop_assert_eq!(b.title(), first.title());
        prop_assert_eq!(b.facilitation(), first.facilitation());
        prop_assert_eq!(b.actions(), first.actions());
        prop_assert_eq!(b.decisions(), first.decisions());
        for d in b.decisions() {
            prop_assert_eq!(b.concreteness(&d.id), first.concreteness(&d.id));
        }
        prop_assert_eq!(b.balance(), first.balance());
        check_invariants(b)?;
    }
    Ok(())
}

#[test]
fn replicas_converge_to_the_same_valid_board() {
    let cases: u32 = std::env::var("SAMSKAB_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: [u8; 16] = match std::env::var("SAMSKAB_PROPTEST_SEED") {
        Ok(hex) => u128::from_str_radix(&hex, 16)
            .expect("SAMSKAB_PROPTEST_SEED: 32 hex digits")
            .to_be_bytes(),
        Err(_) => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            (t ^ (std::process::id() as u128) << 64).to_be_bytes()
        }
    };
    let seed_hex = format!("{:032x}", u128::from_be_bytes(seed));
    println!("convergence: {cases} cases, replay with SAMSKAB_PROPTEST_SEED={seed_hex}");
    let mut full = [0u8; 32];
    full[..16].copy_from_slice(&seed);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &full));
    if let Err(e) = runner.run(&scenario(), |(n, steps)| run(n, &steps)) {
        panic!("{e}\nreplay with SAMSKAB_PROPTEST_SEED={seed_hex}");
    }
}
