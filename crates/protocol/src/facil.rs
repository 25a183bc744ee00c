//! Facilitation messages: commands a client asks the server to carry out,
//! and the private state the server keeps for one participant (notes
//! written in private ideation, dots in an open vote). Private state travels
//! only between the server and its owner's own connections; nobody else's
//! browser ever receives it before the facilitator reveals it.
use std::collections::BTreeMap;

use samskab_board::Color;
use serde::{Deserialize, Serialize};

/// Client to server: something only the server may do, because it involves
/// content that is hidden from the other participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Adds or replaces one of my private ideation notes.
    PrivateNote {
        id: String,
        text: String,
        #[serde(default)]
        color: Color,
    },
    DeletePrivateNote {
        id: String,
    },
    /// Puts `dots` of my dots on `item` (0 takes them off).
    Vote {
        item: String,
        dots: u32,
        /// The vote the dots are meant for ("" whichever is open, as older
        /// clients send). Dots cast offline arrive later: if that vote was
        /// closed or revealed meanwhile, the server refuses them with
        /// `ErrorReason::TooLate` instead of counting them in another vote.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        vote: String,
    },
    /// Facilitator: puts everyone's private notes on the board at once.
    RevealIdeas,
    /// Facilitator: closes the vote and writes the tallies (per item, and per
    /// role group if the vote asks for it; never per person) into the board.
    RevealVotes,
}

/// One private ideation note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNote {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub color: Color,
}

/// Server to client: my own hidden content, as the server holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateState {
    /// The ideation phase these notes belong to ("" none).
    #[serde(default)]
    pub ideation: String,
    #[serde(default)]
    pub notes: Vec<PrivateNote>,
    /// The vote these dots belong to ("" none).
    #[serde(default)]
    pub vote: String,
    /// Item -> my dots on it.
    #[serde(default)]
    pub votes: BTreeMap<String, u32>,
    /// My role group when I voted ("citizen", …), for the tally by role.
    #[serde(default)]
    pub role: String,
}

impl PrivateState {
    pub fn dots_used(&self) -> u32 {
        self.votes.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vote_without_a_vote_id_still_reads() {
        let old: Command = serde_json::from_str(r#"{"command":"vote","item":"n1","dots":2}"#)
            .expect("an older client's vote");
        assert_eq!(
            old,
            Command::Vote {
                item: "n1".into(),
                dots: 2,
                vote: String::new(),
            }
        );
        let new = serde_json::to_string(&Command::Vote {
            item: "n1".into(),
            dots: 2,
            vote: "v1".into(),
        })
        .unwrap();
        assert!(new.contains(r#""vote":"v1""#), "{new}");
    }
}
