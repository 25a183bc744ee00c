//! Share-link secrets. A board has one active link per role (facilitator,
//! editor, viewer). The secret travels in the link's URL fragment
//! (`/b/<id>#key=<secret>`, never sent in a request line, so it stays out of
//! access logs), then in the websocket hello or as `Authorization: Bearer`.
//! The server stores only its SHA-256.
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::storage::{LinkRecord, LinkStatus, Role, StorageError};

/// A fresh secret: 128 random bits, hex.
pub fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new link for `role`: the secret to hand out and the record to store.
pub fn new_link(role: Role) -> (String, LinkRecord) {
    let secret = new_secret();
    let record = LinkRecord {
        role,
        hash: hash_secret(&secret),
    };
    (secret, record)
}

/// The secret in `Authorization: Bearer <secret>`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string()).filter(|t| !t.is_empty())
}

/// What a secret grants on a board. `Ok(None)`: no such board, or not its
/// secret (the two are indistinguishable on purpose).
pub async fn authorize(
    state: &AppState,
    board: &str,
    secret: Option<&str>,
) -> Result<Option<LinkStatus>, StorageError> {
    let Some(secret) = secret.filter(|s| !s.is_empty() && s.len() <= 128) else {
        return Ok(None);
    };
    state.storage.find_link(board, &hash_secret(secret)).await
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
