//! What this device remembers about boards: the secret it opened each board
//! with, and the share links of boards created here.
use serde::{Deserialize, Serialize};

use crate::api::Links;
use crate::platform;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Remembered {
    /// The secret this device uses for the board.
    pub key: String,
    /// All three links, if the board was created on this device.
    #[serde(default)]
    pub links: Option<Links>,
    #[serde(default)]
    pub title: String,
    /// Whether this device's link may edit (known from the last visit, so
    /// editing works offline too).
    #[serde(default)]
    pub can_edit: bool,
    /// When this device last opened the board (ms since the epoch).
    #[serde(default)]
    pub opened_at: i64,
    /// Set up on first open by the device that created the board: the theme
    /// question and the template ("blank", "postits", "mindmap").
    #[serde(default)]
    pub setup: Option<Setup>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub theme: String,
    pub template: String,
}

const PREFIX: &str = "samskab.board.";

/// Boards this device has opened, most recent first: (id, remembered).
pub fn recent() -> Vec<(String, Remembered)> {
    let Some(storage) = platform::window().local_storage().ok().flatten() else {
        return Vec::new();
    };
    let len = storage.length().unwrap_or(0);
    let mut out: Vec<(String, Remembered)> = (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter_map(|k| k.strip_prefix(PREFIX).map(str::to_string))
        .filter_map(|id| recall(&id).map(|r| (id, r)))
        .filter(|(_, r)| !r.key.is_empty())
        .collect();
    samskab_board::sort::sort_by(&mut out, |a, b| {
        b.1.opened_at.cmp(&a.1.opened_at).then(a.0.cmp(&b.0))
    });
    out
}

/// Notes that the board was opened now (for the recent list).
pub fn touch(id: &str, title: &str) {
    let mut r = recall(id).unwrap_or_default();
    r.opened_at = platform::now_ms();
    if !title.is_empty() {
        r.title = title.to_string();
    }
    remember(id, &r);
}

fn storage_key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

pub fn recall(id: &str) -> Option<Remembered> {
    serde_json::from_str(&platform::local_get(&storage_key(id))?).ok()
}

pub fn remember(id: &str, r: &Remembered) {
    if let Ok(json) = serde_json::to_string(r) {
        platform::local_set(&storage_key(id), &json);
    }
}

/// The secret to open `id` with: the link's, else the one remembered.
pub fn key_for(id: &str) -> Option<String> {
    match platform::fragment_key() {
        Some(key) => {
            let mut r = recall(id).unwrap_or_default();
            if r.key != key {
                r.key = key.clone();
                remember(id, &r);
            }
            Some(key)
        }
        None => recall(id).map(|r| r.key).filter(|k| !k.is_empty()),
    }
}
