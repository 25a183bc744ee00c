//! Typed edits. Every change a person makes to a board is one [`Op`].
use serde::{Deserialize, Serialize};

/// A note's id: chosen by the client that creates it (random, URL-safe).
pub type NoteId = String;

/// Colours a note can have. Stored as their lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    #[default]
    Yellow,
    Pink,
    Blue,
    Green,
    Orange,
    Purple,
}

impl Color {
    pub const ALL: [Color; 6] = [
        Color::Yellow,
        Color::Pink,
        Color::Blue,
        Color::Green,
        Color::Orange,
        Color::Purple,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Color::Yellow => "yellow",
            Color::Pink => "pink",
            Color::Blue => "blue",
            Color::Green => "green",
            Color::Orange => "orange",
            Color::Purple => "purple",
        }
    }

    pub fn parse(s: &str) -> Option<Color> {
        Color::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One user edit. Applied in exactly one place: [`crate::Board::apply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    SetTitle {
        title: String,
    },
    CreateNote {
        id: NoteId,
        x: f64,
        y: f64,
        color: Color,
        text: String,
    },
    /// Replace `delete` characters at `index` (Unicode scalar values) with `insert`.
    EditText {
        id: NoteId,
        index: usize,
        delete: usize,
        insert: String,
    },
    MoveNote {
        id: NoteId,
        x: f64,
        y: f64,
    },
    ResizeNote {
        id: NoteId,
        w: f64,
        h: f64,
    },
    RecolorNote {
        id: NoteId,
        color: Color,
    },
    /// Put the note on top of all others.
    BringToFront {
        id: NoteId,
    },
    DeleteNote {
        id: NoteId,
    },
}

/// Who makes an edit, and when. The model reads no clock of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ctx {
    /// The participant id recorded as author.
    pub participant: String,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

impl Ctx {
    pub fn new(participant: impl Into<String>, now_ms: i64) -> Self {
        Ctx {
            participant: participant.into(),
            now_ms,
        }
    }
}

/// The smallest single splice that turns `old` into `new`, in characters:
/// `(index, delete, insert)`. Used by text inputs that only report whole values.
pub fn text_splice(old: &str, new: &str) -> Option<(usize, usize, String)> {
    if old == new {
        return None;
    }
    let o: Vec<char> = old.chars().collect();
    let n: Vec<char> = new.chars().collect();
    let prefix = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let max_suffix = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let delete = o.len() - prefix - suffix;
    let insert: String = n[prefix..n.len() - suffix].iter().collect();
    Some((prefix, delete, insert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_finds_the_changed_middle() {
        assert_eq!(text_splice("abc", "abc"), None);
        assert_eq!(text_splice("abc", "abXc"), Some((2, 0, "X".into())));
        assert_eq!(text_splice("aaa", "aa"), Some((2, 1, String::new())));
        assert_eq!(text_splice("hej", "hæj"), Some((1, 1, "æ".into())));
        assert_eq!(text_splice("", "ø"), Some((0, 0, "ø".into())));
    }

    #[test]
    fn ops_round_trip_through_json() {
        let op = Op::EditText {
            id: "n1".into(),
            index: 3,
            delete: 1,
            insert: "å".into(),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.contains("\"op\":\"edit_text\""));
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }
}
