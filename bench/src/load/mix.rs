//! The edit mix of one client, like real use: mostly typing a few
//! characters at a time into one's own notes, now and then a new note, a
//! note moved (one op at the drop), a "vote" or, rarely, a note deleted.
//!
//! Samskab's model has no vote yet: a vote is stood in for by recolouring
//! a note (`RecolorNote`, one small change to one field of a note, as a
//! vote counter's increment would be). The peers make the same edit.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use samskab_board::{Color, Op};

/// The kinds of edit, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Create,
    Type,
    Move,
    Vote,
    Delete,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Create,
        Kind::Type,
        Kind::Move,
        Kind::Vote,
        Kind::Delete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Create => "create note",
            Kind::Type => "type 1–3 characters",
            Kind::Move => "move note",
            Kind::Vote => "vote (recolour a note)",
            Kind::Delete => "delete note",
        }
    }
}

/// A note stops growing at this many characters (the writer moves on).
const NOTE_FULL: usize = 240;
const LETTERS: &[char] = &[
    'a', 'b', 'd', 'e', 'e', 'e', 'f', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'n', 'o', 'p', 'r', 'r',
    's', 't', 't', 'u', 'v', 'y', 'æ', 'ø', 'å', ' ', ' ', ' ',
];

/// One client's notes and its random choices.
#[derive(Debug)]
pub struct Mix {
    rng: StdRng,
    prefix: String,
    next_id: u64,
    /// Own notes that are not deleted: id and length in characters.
    notes: Vec<(String, usize)>,
    /// The note being written (index into `notes`).
    current: Option<usize>,
}

impl Mix {
    pub fn new(seed: u64, prefix: String) -> Mix {
        Mix {
            rng: StdRng::seed_from_u64(seed),
            prefix,
            next_id: 0,
            notes: Vec::new(),
            current: None,
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// The next edit: create ~10 %, type ~65 %, move ~15 %, vote ~5 %,
    /// delete ~5 %.
    /// (With no note yet, or the chosen note full, it creates one.)
    pub fn next(&mut self) -> (Kind, Op) {
        let roll: f64 = self.rng.random();
        let wanted = if roll < 0.10 {
            Kind::Create
        } else if roll < 0.75 {
            Kind::Type
        } else if roll < 0.90 {
            Kind::Move
        } else if roll < 0.95 {
            Kind::Vote
        } else {
            Kind::Delete
        };
        match wanted {
            _ if self.notes.is_empty() => self.create(),
            Kind::Create => self.create(),
            Kind::Type => self.type_some(),
            Kind::Move => self.move_one(),
            Kind::Vote => self.vote(),
            Kind::Delete if self.notes.len() >= 2 => self.delete_one(),
            Kind::Delete => self.type_some(),
        }
    }

    fn create(&mut self) -> (Kind, Op) {
        let id = format!("{}n{}", self.prefix, self.next_id);
        self.next_id += 1;
        let op = Op::CreateNote {
            id: id.clone(),
            x: self.rng.random_range(0..4000) as f64,
            y: self.rng.random_range(0..2500) as f64,
            color: Color::ALL[self.rng.random_range(0..Color::ALL.len())],
            text: String::new(),
        };
        self.notes.push((id, 0));
        self.current = Some(self.notes.len() - 1);
        (Kind::Create, op)
    }

    fn type_some(&mut self) -> (Kind, Op) {
        // Mostly go on writing the same note; sometimes add to another.
        let i = match self.current {
            Some(i) if self.rng.random_bool(0.8) => i,
            _ => self.rng.random_range(0..self.notes.len()),
        };
        if self.notes[i].1 >= NOTE_FULL {
            return self.create();
        }
        let n = self.rng.random_range(1..=3);
        let insert: String = (0..n)
            .map(|_| LETTERS[self.rng.random_range(0..LETTERS.len())])
            .collect();
        let (id, len) = &mut self.notes[i];
        let op = Op::EditText {
            id: id.clone(),
            index: *len,
            delete: 0,
            insert,
        };
        *len += n;
        self.current = Some(i);
        (Kind::Type, op)
    }

    fn move_one(&mut self) -> (Kind, Op) {
        let i = self.rng.random_range(0..self.notes.len());
        let op = Op::MoveNote {
            id: self.notes[i].0.clone(),
            x: self.rng.random_range(0..4000) as f64,
            y: self.rng.random_range(0..2500) as f64,
        };
        (Kind::Move, op)
    }

    /// Votes on one of its own notes (the clients do not know each
    /// other's note ids; the change is the same size either way).
    fn vote(&mut self) -> (Kind, Op) {
        let i = self.rng.random_range(0..self.notes.len());
        let op = Op::RecolorNote {
            id: self.notes[i].0.clone(),
            color: Color::ALL[self.rng.random_range(0..Color::ALL.len())],
        };
        (Kind::Vote, op)
    }

    fn delete_one(&mut self) -> (Kind, Op) {
        let i = self.rng.random_range(0..self.notes.len());
        let (id, _) = self.notes.swap_remove(i);
        self.current = match self.current {
            Some(c) if c == i => None,
            // swap_remove moved the last note into place i.
            Some(c) if c == self.notes.len() => Some(i),
            c => c,
        };
        (Kind::Delete, Op::DeleteNote { id })
    }
}
