//! Builds the benchmark board through real [`Op`]s on two replicas, and
//! makes further ops of the kinds that are timed.
use std::collections::HashMap;
use std::time::Instant;

use samskab_board::{Board, Color, Ctx, Op, order_between};

/// The fixed time of every edit (the model reads no clock).
pub const T0: i64 = 1_700_000_000_000;
/// The one mind map.
pub const MAP: &str = "m1";

const WORDS: [&str; 16] = [
    "cykelsti",
    "bibliotek",
    "grønne",
    "områder",
    "bænke",
    "lys",
    "skole",
    "trafik",
    "legeplads",
    "borgere",
    "høring",
    "budget",
    "ældre",
    "unge",
    "natur",
    "å",
];

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the
/// only source of variety, so every run builds the same board.
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn coord(&mut self) -> f64 {
        self.below(20_000) as f64
    }

    pub fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len())]
    }
}

/// How big the board gets.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub notes: usize,
    pub frames: usize,
    pub nodes: usize,
    pub changes: usize,
}

pub fn note_id(i: usize) -> String {
    format!("n{i:05}")
}

pub fn node_id(i: usize) -> String {
    format!("k{i:04}")
}

/// What a writer knows of the board, enough to make ops that apply.
#[derive(Debug, Clone)]
pub struct Model {
    pub note_len: Vec<usize>,
    pub node_len: Vec<usize>,
    last_order: HashMap<String, f64>,
    added: usize,
}

/// The kinds of single op that are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    TypeChar,
    MoveNote,
    AddNode,
    CreateNote,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::TypeChar,
        Kind::MoveNote,
        Kind::AddNode,
        Kind::CreateNote,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::TypeChar => "type a character",
            Kind::MoveNote => "move a note",
            Kind::AddNode => "add a mind-map node",
            Kind::CreateNote => "create a note",
        }
    }
}

impl Model {
    /// One op of `kind`; new ids start with `prefix`.
    pub fn op(&mut self, kind: Kind, rng: &mut Lcg, prefix: &str) -> Op {
        match kind {
            Kind::TypeChar => {
                let n = rng.below(self.note_len.len());
                let index = rng.below(self.note_len[n] + 1);
                self.note_len[n] += 1;
                let c = (b'a' + rng.below(26) as u8) as char;
                Op::EditText {
                    id: note_id(n),
                    index,
                    delete: 0,
                    insert: c.to_string(),
                }
            }
            Kind::MoveNote => Op::MoveNote {
                id: note_id(rng.below(self.note_len.len())),
                x: rng.coord(),
                y: rng.coord(),
            },
            Kind::AddNode => {
                self.added += 1;
                let parent = node_id(rng.below(self.node_len.len()));
                let order = order_between(self.last_order.get(&parent).copied(), None);
                self.last_order.insert(parent.clone(), order);
                Op::AddNode {
                    map: MAP.into(),
                    id: format!("{prefix}{}", self.added),
                    parent,
                    order,
                    text: rng.word().to_string(),
                }
            }
            Kind::CreateNote => {
                self.added += 1;
                Op::CreateNote {
                    id: format!("{prefix}n{}", self.added),
                    x: rng.coord(),
                    y: rng.coord(),
                    color: Color::ALL[rng.below(Color::ALL.len())],
                    text: rng.word().to_string(),
                }
            }
        }
    }
}

/// The finished board on both replicas (identical documents).
pub struct Built {
    pub anna: Board,
    pub bo: Board,
    pub model: Model,
    pub changes: usize,
}

/// Applies an op that must apply; returns whether it made a change.
fn apply(board: &mut Board, op: &Op, ctx: &Ctx) -> bool {
    match board.apply(op, ctx) {
        Ok(hash) => hash.is_some(),
        Err(e) => panic!("the benchmark made an op that does not apply: {op:?}: {e}"),
    }
}

/// A person typing: the note, the place in it and the characters still to type.
#[derive(Default)]
struct Typist {
    note: usize,
    pos: usize,
    pending: Vec<char>,
}

pub fn build(sizes: Sizes, rng: &mut Lcg) -> Built {
    let start = Instant::now();
    let anna_ctx = Ctx::new("anna", T0);
    let bo_ctx = Ctx::new("bo", T0);
    let mut anna = Board::new(&[1; 16]);
    let mut model = Model {
        note_len: Vec::with_capacity(sizes.notes),
        node_len: Vec::with_capacity(sizes.nodes),
        last_order: HashMap::new(),
        added: 0,
    };
    let setup = [
        Op::SetTitle {
            title: "Borgermøde om byens rum".into(),
        },
        Op::SetParticipant {
            name: "Anna".into(),
            role: Default::default(),
            color: "#e91e63".into(),
        },
    ];
    for op in &setup {
        apply(&mut anna, op, &anna_ctx);
    }
    let frame_at = |f: usize| {
        (
            (f % 5) as f64 * 2_000.0,
            30_000.0 + (f / 5) as f64 * 1_600.0,
        )
    };
    for f in 0..sizes.frames {
        let (x, y) = frame_at(f);
        let op = Op::CreateFrame {
            id: format!("f{f:02}"),
            name: format!("Tema {f}"),
            x,
            y,
            w: 1_800.0,
            h: 1_400.0,
            color: Color::ALL[f % Color::ALL.len()],
        };
        apply(&mut anna, &op, &anna_ctx);
    }
    for i in 0..sizes.notes {
        let text = (0..2 + rng.below(4))
            .map(|_| rng.word())
            .collect::<Vec<_>>()
            .join(" ");
        model.note_len.push(text.chars().count());
        let framed = (sizes.frames > 0 && i % 5 == 0).then(|| (i / 5) % sizes.frames);
        let (x, y) = match framed {
            Some(f) => (
                frame_at(f).0 + rng.below(1_500) as f64,
                frame_at(f).1 + rng.below(1_200) as f64,
            ),
            None => (rng.coord(), rng.coord()),
        };
        let color = Color::ALL[rng.below(Color::ALL.len())];
        apply(
            &mut anna,
            &Op::CreateNote {
                id: note_id(i),
                x,
                y,
                color,
                text,
            },
            &anna_ctx,
        );
        if let Some(f) = framed {
            apply(
                &mut anna,
                &Op::SetNoteFrame {
                    id: note_id(i),
                    frame: Some(format!("f{f:02}")),
                },
                &anna_ctx,
            );
        }
        if (i + 1) % 1_000 == 0 {
            eprintln!("  {} notes ({:.1} s)", i + 1, start.elapsed().as_secs_f64());
        }
    }
    let root = Op::CreateMindMap {
        id: MAP.into(),
        root: node_id(0),
        text: "Byens rum".into(),
    };
    apply(&mut anna, &root, &anna_ctx);
    model.node_len.push(9);
    for i in 1..sizes.nodes {
        // A random recursive tree: each node hangs under an earlier one.
        let parent = node_id(rng.below(i));
        let order = order_between(model.last_order.get(&parent).copied(), None);
        model.last_order.insert(parent.clone(), order);
        let text = rng.word().to_string();
        model.node_len.push(text.chars().count());
        let op = Op::AddNode {
            map: MAP.into(),
            id: node_id(i),
            parent,
            order,
            text,
        };
        apply(&mut anna, &op, &anna_ctx);
    }
    eprintln!(
        "  notes, frames and mind map built ({:.1} s)",
        start.elapsed().as_secs_f64()
    );

    // Bo joins from Anna's save; from here on they take turns, a block of
    // ops each, and exchange their changes after every block.
    let mut bo = Board::load(&anna.save(), &[2; 16]).expect("a saved board loads");
    let mut changes = anna.doc_mut().get_changes(&[]).len();
    let mut typists = [Typist::default(), Typist::default()];
    let mut block = 0;
    let mut next_report = changes.div_ceil(10_000) * 10_000;
    while changes < sizes.changes {
        let w = block % 2;
        let (writer, other, ctx) = if w == 0 {
            (&mut anna, &mut bo, &anna_ctx)
        } else {
            (&mut bo, &mut anna, &bo_ctx)
        };
        let before = writer.heads();
        if block == 1 {
            let op = Op::SetParticipant {
                name: "Bo".into(),
                role: Default::default(),
                color: "#3f51b5".into(),
            };
            changes += usize::from(apply(writer, &op, ctx));
        }
        for _ in 0..250 {
            if changes >= sizes.changes {
                break;
            }
            let op = fill_op(&mut model, &mut typists[w], rng);
            changes += usize::from(apply(writer, &op, ctx));
            if changes >= next_report {
                eprintln!(
                    "  {changes} changes ({:.1} s)",
                    start.elapsed().as_secs_f64()
                );
                next_report += 10_000;
            }
        }
        let new = writer.doc_mut().get_changes(&before);
        other
            .doc_mut()
            .apply_changes(new)
            .expect("changes from the other replica apply");
        block += 1;
    }
    Built {
        anna,
        bo,
        model,
        changes,
    }
}

/// One edit of the long tail of history: mostly typing, some moves, some
/// typing in the mind map.
fn fill_op(model: &mut Model, t: &mut Typist, rng: &mut Lcg) -> Op {
    let r = rng.below(100);
    if r < 80 {
        if t.pending.is_empty() {
            t.note = rng.below(model.note_len.len());
            while model.note_len[t.note] > 1_500 {
                t.note = rng.below(model.note_len.len());
            }
            let len = model.note_len[t.note];
            t.pos = if rng.below(5) == 0 {
                rng.below(len + 1)
            } else {
                len
            };
            t.pending = format!(" {}", rng.word()).chars().rev().collect();
        }
        let len = model.note_len[t.note];
        t.pos = t.pos.min(len);
        if t.pos > 0 && rng.below(25) == 0 {
            // A typo put right.
            t.pos -= 1;
            model.note_len[t.note] -= 1;
            return Op::EditText {
                id: note_id(t.note),
                index: t.pos,
                delete: 1,
                insert: String::new(),
            };
        }
        let c = t.pending.pop().unwrap_or(' ');
        let op = Op::EditText {
            id: note_id(t.note),
            index: t.pos,
            delete: 0,
            insert: c.to_string(),
        };
        t.pos += 1;
        model.note_len[t.note] += 1;
        op
    } else if r < 95 {
        Op::MoveNote {
            id: note_id(rng.below(model.note_len.len())),
            x: rng.coord(),
            y: rng.coord(),
        }
    } else {
        let n = rng.below(model.node_len.len());
        let index = model.node_len[n];
        model.node_len[n] += 1;
        let c = (b'a' + rng.below(26) as u8) as char;
        Op::EditNodeText {
            map: MAP.into(),
            id: node_id(n),
            index,
            delete: 0,
            insert: c.to_string(),
        }
    }
}
