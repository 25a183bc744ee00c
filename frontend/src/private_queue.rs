//! Private ideation notes and dots written while the server is out of
//! reach. The protocol sends hidden content only while joined (it never
//! enters the board document, which is what the device keeps offline), so
//! the notes and dots wait here, in this device's storage under the board's
//! id, until the connection is back; then they go to the server like any
//! other private note or dot. They never enter the board document, so
//! nothing about them reaches anyone else before the reveal, offline or not.
//! Dots carry the id of their vote: if it was closed or revealed meanwhile,
//! the server refuses them as too late (`ErrorReason::TooLate`).
use samskab_protocol::{Command, PrivateState};

use crate::platform;

fn key(board: &str) -> String {
    format!("samskab.private-queue.{board}")
}

fn known_key(board: &str) -> String {
    format!("samskab.private-known.{board}")
}

/// Keeps my hidden content as the server last sent it, so that a page
/// loaded offline still shows the dots the server already holds (and the
/// next dot on an item counts from them).
pub fn remember(board: &str, state: &PrivateState) {
    let json = serde_json::to_string(state).unwrap_or_default();
    platform::local_set(&known_key(board), &json);
}

/// My hidden content as the server last sent it to this device.
pub fn known(board: &str) -> PrivateState {
    platform::local_get(&known_key(board))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// The private notes waiting for the connection on board `board`.
pub fn waiting(board: &str) -> Vec<Command> {
    platform::local_get(&key(board))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn store(board: &str, queue: &[Command]) {
    let json = serde_json::to_string(queue).unwrap_or_else(|_| "[]".into());
    platform::local_set(&key(board), &json);
}

/// Keeps a private note or my dots on one item until the connection is
/// back (a newer version of the same note, or newer dots on the same item of
/// the same vote, replace the older one).
pub fn keep(board: &str, command: Command) {
    let mut queue = waiting(board);
    match &command {
        Command::PrivateNote { id, .. } => {
            queue.retain(|c| !matches!(c, Command::PrivateNote { id: other, .. } if other == id));
        }
        Command::Vote { item, vote, .. } => queue.retain(
            |c| !matches!(c, Command::Vote { item: i, vote: v, .. } if i == item && v == vote),
        ),
        _ => {}
    }
    queue.push(command);
    store(board, &queue);
}

/// Takes every waiting note and dot, to be sent now.
pub fn take(board: &str) -> Vec<Command> {
    let queue = waiting(board);
    if !queue.is_empty() {
        store(board, &[]);
    }
    queue
}

/// (id, text) of the private notes waiting on board `board`.
pub fn notes(board: &str) -> Vec<(String, String)> {
    waiting(board)
        .into_iter()
        .filter_map(|c| match c {
            Command::PrivateNote { id, text, .. } => Some((id, text)),
            _ => None,
        })
        .collect()
}

/// (vote id, item, dots) of my dots waiting on board `board`.
pub fn dots(board: &str) -> Vec<(String, String, u32)> {
    waiting(board)
        .into_iter()
        .filter_map(|c| match c {
            Command::Vote { item, dots, vote } => Some((vote, item, dots)),
            _ => None,
        })
        .collect()
}
