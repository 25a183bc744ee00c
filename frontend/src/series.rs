//! A committee's workspace (meetings in a series) through the HTTP API, and
//! the workspace links this device has opened, so a meeting's board can
//! link back to its workspace.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::{ApiError, Links, fetch, parse};
use crate::platform;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Meeting {
    pub position: i64,
    pub date: String,
    pub theme: String,
    #[serde(default)]
    pub agenda: Vec<String>,
    #[serde(default)]
    pub current_item: String,
    pub board: String,
    /// The board's link for my role on the workspace.
    pub link: String,
    /// The board's links for my role and each role below it, by role name.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    #[serde(default)]
    pub chaired_by: Vec<String>,
    #[serde(default)]
    pub planned_chair: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub permission: String,
    /// Who chairs the meetings in turn (participant ids, shown by name).
    #[serde(default)]
    pub rotation: Vec<Person>,
    /// Everyone registered on one of the series' meeting boards.
    #[serde(default)]
    pub participants: Vec<Person>,
    /// The series' own templates and the installation's.
    #[serde(default)]
    pub templates: Vec<TemplateInfo>,
    /// The workspace's links for my role and each role below it, by role name.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    pub meetings: Vec<Meeting>,
}

/// A committee's own template, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    /// "series" or "installation".
    #[serde(default)]
    pub scope: String,
}

/// A participant of the series: id and name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreatedWorkspace {
    pub id: String,
    pub links: Links,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewMeeting {
    pub date: String,
    pub theme: String,
    pub agenda: Vec<String>,
    pub from_previous: bool,
    pub carry_actions: bool,
    pub language: String,
    /// One of `Workspace::templates` (empty: none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub template: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BoardWorkspace {
    pub id: String,
    pub name: String,
}

/// The server's sentence for a refusal (`{"message": …}`), else the body.
pub fn message(err: &ApiError) -> Option<String> {
    match err {
        ApiError::Refused(text) => Some(
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_else(|| text.clone()),
        ),
        _ => None,
    }
}

fn status(code: u16, text: String) -> ApiError {
    match code {
        404 => ApiError::NotFound,
        410 => ApiError::Revoked,
        500..=599 => ApiError::Unreachable,
        _ => ApiError::Refused(text),
    }
}

pub async fn create(name: &str) -> Result<CreatedWorkspace, ApiError> {
    let body = serde_json::json!({ "name": name }).to_string();
    match fetch("POST", "/api/workspaces", Some(body), None).await? {
        (201, text) => parse(&text),
        (code, text) => Err(status(code, text)),
    }
}

pub async fn get(id: &str, key: &str) -> Result<Workspace, ApiError> {
    match fetch("GET", &format!("/api/workspaces/{id}"), None, Some(key)).await? {
        (200, text) => parse(&text),
        (code, text) => Err(status(code, text)),
    }
}

pub async fn add_meeting(id: &str, key: &str, meeting: &NewMeeting) -> Result<(), ApiError> {
    let body = serde_json::to_string(meeting).map_err(|e| ApiError::Refused(e.to_string()))?;
    match fetch(
        "POST",
        &format!("/api/workspaces/{id}/meetings"),
        Some(body),
        Some(key),
    )
    .await?
    {
        (201, _) => Ok(()),
        (code, text) => Err(status(code, text)),
    }
}

pub async fn set_rotation(id: &str, key: &str, plan: &[String]) -> Result<(), ApiError> {
    let body = serde_json::json!({ "plan": plan }).to_string();
    match fetch(
        "PUT",
        &format!("/api/workspaces/{id}/rotation"),
        Some(body),
        Some(key),
    )
    .await?
    {
        (200, _) => Ok(()),
        (code, text) => Err(status(code, text)),
    }
}

/// Saves board `board`'s structure as a template (`with_content`: the notes
/// and every mind-map node too) for `scope`: "series" or "installation".
/// Sent as this device's participant too, so the chair (on an editor link)
/// may save.
pub async fn save_template(
    board: &str,
    key: &str,
    name: &str,
    with_content: bool,
    scope: &str,
) -> Result<(), ApiError> {
    let body = serde_json::json!({ "name": name, "with_content": with_content, "scope": scope })
        .to_string();
    let (me, secret) = (
        crate::controller::participant_id(),
        crate::controller::participant_key(),
    );
    match crate::api::fetch_as(
        "POST",
        &format!("/api/boards/{board}/templates"),
        Some(body),
        Some(key),
        Some((&me, &secret)),
    )
    .await?
    {
        (201, _) => Ok(()),
        (code, text) => Err(status(code, text)),
    }
}

/// The installation's templates (for the start page).
pub async fn installation_templates() -> Result<Vec<TemplateInfo>, ApiError> {
    #[derive(Deserialize)]
    struct Answer {
        templates: Vec<TemplateInfo>,
    }
    match fetch("GET", "/api/templates", None, None).await? {
        (200, text) => Ok(parse::<Answer>(&text)?.templates),
        (code, text) => Err(status(code, text)),
    }
}

/// The workspace a board is a meeting of, if any.
pub async fn of_board(board: &str, key: &str) -> Result<Option<BoardWorkspace>, ApiError> {
    #[derive(Deserialize)]
    struct Answer {
        workspace: Option<BoardWorkspace>,
    }
    match fetch(
        "GET",
        &format!("/api/boards/{board}/workspace"),
        None,
        Some(key),
    )
    .await?
    {
        (200, text) => Ok(parse::<Answer>(&text)?.workspace),
        (code, text) => Err(status(code, text)),
    }
}

const PREFIX: &str = "samskab.workspace.";

/// Remembers the secret this device opened workspace `id` with.
pub fn remember_key(id: &str, key: &str) {
    platform::local_set(&format!("{PREFIX}{id}"), key);
}

/// The secret this device opened workspace `id` with, if any.
pub fn key_of(id: &str) -> Option<String> {
    platform::local_get(&format!("{PREFIX}{id}")).filter(|k| !k.is_empty())
}

/// The secret in a link's `#key=` fragment.
pub fn key_in(link: &str) -> String {
    link.split_once("#key=")
        .map(|(_, k)| k.to_string())
        .unwrap_or_default()
}

/// A link's path and fragment, so it opens on the server this page came from.
pub fn local_href(link: &str) -> String {
    match link.find("/b/").or_else(|| link.find("/w/")) {
        Some(i) => link[i..].to_string(),
        None => link.to_string(),
    }
}

/// Role names, highest first, as the API spells them.
pub const ROLES: [&str; 3] = ["facilitator", "editor", "viewer"];
