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
}

fn storage_key(id: &str) -> String {
    format!("samskab.board.{id}")
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
