//! A committee's workspace: its meetings in a series, each with a date, a
//! theme question, agenda items and a board of its own.
//!
//! - `POST /api/workspaces` `{"name"}`: a new workspace and its three links
//!   (`/w/<id>#key=<secret>`); the same permission as creating a board.
//! - `GET /api/workspaces/{id}`: the meetings in order, each with its board
//!   and the board's link for the caller's role, who chaired it (from the
//!   board's `chair` register) and who the rotation plan names for it.
//! - `POST /api/workspaces/{id}/meetings` `{"date", "theme", "agenda",
//!   "from_previous", "carry_actions"}` (facilitator): the next meeting and
//!   its board, optionally started from the previous meeting's mind-map
//!   minutes and open actions.
//! - `PUT /api/workspaces/{id}/rotation` `{"plan": [names]}` (facilitator).
//! - `GET /api/boards/{id}/workspace` (any link of the board): the workspace
//!   a meeting board belongs to (id and name, never a workspace secret).
//!
//! **Links without stored secrets.** The server keeps only hashes, yet the
//! workspace page must hand each caller the link to every meeting's board.
//! So the secrets are derived, one way, from the facilitator's secret:
//! editor = HMAC(facilitator, "editor"), viewer = HMAC(editor, "viewer"),
//! and a meeting board's link for a role = HMAC(workspace secret of that
//! role, "board:<board id>"). Whoever holds a workspace link can work out the
//! board links of their own role and the roles below it, and nothing above;
//! the boards store the hashes of those secrets like any other link, so a
//! board's own links (and their re-issue) work unchanged.
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use samskab_board::facilitation::{AgendaItem, FacilOp};
use samskab_board::templates::{Template, continue_meeting, template_ops};
use samskab_board::{Board, Ctx, Op};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::{self, bearer, hash_secret};
use crate::error::AppError;
use crate::export::load_stored;
use crate::http::{may_create, new_board_id, now_ms, public_base, role_of};
use crate::storage::{
    BoardMeta, LinkRecord, LinkStatus, MeetingRecord, Role, WorkspaceMeta, role_name,
};

/// Most meetings one workspace holds, and most agenda items per meeting.
pub const MAX_MEETINGS: usize = 200;
pub const MAX_AGENDA_ITEMS: usize = 50;
/// Most names in a rotation plan.
pub const MAX_ROTATION: usize = 100;

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// A secret derived from `secret` for `label`: 128 bits, hex, like a fresh one.
pub fn derive(secret: &str, label: &str) -> String {
    hex::encode(&hmac_sha256(secret.as_bytes(), label.as_bytes())[..16])
}

/// The workspace secret of every role at or below `role`, from the secret of `role`.
fn secrets_from(role: Role, secret: &str) -> Vec<(Role, String)> {
    let mut out = vec![(role, secret.to_string())];
    if role == Role::Facilitator {
        out.push((Role::Editor, derive(secret, "editor")));
    }
    if let Some((Role::Editor, editor)) = out.last().cloned() {
        out.push((Role::Viewer, derive(&editor, "viewer")));
    }
    out
}

/// The secret of a meeting board's link, from the workspace secret of the same role.
pub fn board_secret(workspace_secret: &str, board: &str) -> String {
    derive(workspace_secret, &format!("board:{board}"))
}

fn workspace_link(base: &str, id: &str, secret: &str) -> String {
    format!("{base}/w/{id}#key={secret}")
}

fn board_link(base: &str, id: &str, secret: &str) -> String {
    crate::http::link(base, id, secret)
}

/// The caller's role on a workspace and the secret they presented; 404 for
/// a missing workspace or a wrong secret alike.
async fn caller(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
) -> Result<(Role, String), AppError> {
    let secret = bearer(headers)
        .filter(|s| s.len() <= 128)
        .ok_or(AppError::WorkspaceNotFound)?;
    match state
        .storage
        .find_workspace_link(id, &hash_secret(&secret))
        .await?
    {
        Some(LinkStatus::Active(role)) => Ok((role, secret)),
        Some(LinkStatus::Revoked(_)) => Err(AppError::LinkRevoked),
        None => Err(AppError::WorkspaceNotFound),
    }
}

fn bad_json(e: JsonRejection) -> AppError {
    AppError::BadRequest(e.body_text())
}

fn check_chars(what: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(AppError::BadRequest(format!(
            "{what} is too long: at most {max} characters"
        )));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkspace {
    pub name: String,
}

pub async fn create_workspace(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateWorkspace>, JsonRejection>,
) -> Result<impl IntoResponse, AppError> {
    may_create(&state, &headers)?;
    let Json(req) = body.map_err(bad_json)?;
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::BadRequest("the workspace needs a name".into()));
    }
    check_chars("the name", &name, state.config.rooms.limits.max_title_chars)?;
    let id = new_board_id();
    let facilitator = auth::new_secret();
    let secrets = secrets_from(Role::Facilitator, &facilitator);
    let records = secrets
        .iter()
        .map(|(role, s)| LinkRecord {
            role: *role,
            hash: hash_secret(s),
        })
        .collect();
    state
        .storage
        .create_workspace(
            WorkspaceMeta {
                id: id.clone(),
                name: name.clone(),
                created_at: now_ms(),
                rotation: Vec::new(),
            },
            records,
        )
        .await?;
    let base = public_base(&state, &headers);
    let links: serde_json::Map<String, Value> = secrets
        .iter()
        .map(|(role, s)| {
            (
                role_name(*role).into(),
                workspace_link(&base, &id, s).into(),
            )
        })
        .collect();
    tracing::info!(workspace = %id, "workspace created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "name": name, "links": links })),
    ))
}

/// Who chaired a meeting, by name, from its board's `chair` register.
fn chairs(board: &Board) -> Vec<String> {
    let names: std::collections::BTreeMap<String, String> = board
        .participants()
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut out: Vec<String> = Vec::new();
    for term in board.chair().history {
        let name = names
            .get(&term.participant)
            .cloned()
            .unwrap_or(term.participant);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

pub async fn get_workspace(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    let (role, secret) = caller(&state, &id, &headers).await?;
    let ws = state
        .storage
        .workspace(&id)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    let base = public_base(&state, &headers);
    let mut meetings = Vec::new();
    for (i, m) in state.storage.meetings(&id).await?.into_iter().enumerate() {
        let (chaired, current_item) = match load_stored(state.storage.as_ref(), &m.board_id).await {
            Ok(board) => {
                let agenda = board.facilitation().agenda;
                let current = agenda
                    .items
                    .iter()
                    .find(|it| it.id == agenda.current)
                    .map(|it| it.title.clone())
                    .unwrap_or_default();
                (chairs(&board), current)
            }
            Err(e) => {
                tracing::warn!(workspace = %id, board = %m.board_id, error = %e, "meeting board unreadable");
                (Vec::new(), String::new())
            }
        };
        let planned = if ws.rotation.is_empty() {
            String::new()
        } else {
            ws.rotation[i % ws.rotation.len()].clone()
        };
        meetings.push(json!({
            "position": m.position,
            "date": m.date,
            "theme": m.theme,
            "agenda": m.agenda,
            "current_item": current_item,
            "board": m.board_id,
            "link": board_link(&base, &m.board_id, &board_secret(&secret, &m.board_id)),
            "chaired_by": chaired,
            "planned_chair": planned,
        }));
    }
    Ok(Json(json!({
        "id": ws.id,
        "name": ws.name,
        "created_at": ws.created_at,
        "permission": role_name(role),
        "rotation": ws.rotation,
        "meetings": meetings,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMeeting {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub theme: String,
    #[serde(default)]
    pub agenda: Vec<String>,
    /// Start from the previous meeting's mind-map minutes.
    #[serde(default)]
    pub from_previous: bool,
    /// With `from_previous`: carry its open actions too.
    #[serde(default)]
    pub carry_actions: bool,
    /// "da" (default) or "en": the language of the new board's template.
    #[serde(default)]
    pub language: Option<String>,
}

/// Whether `date` is a real calendar date written `YYYY-MM-DD`.
pub fn valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

pub async fn create_meeting(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Result<Json<CreateMeeting>, JsonRejection>,
) -> Result<impl IntoResponse, AppError> {
    let (role, secret) = caller(&state, &id, &headers).await?;
    if role != Role::Facilitator {
        return Err(AppError::Forbidden(
            "only the facilitator can add a meeting to the series".into(),
        ));
    }
    let Json(req) = body.map_err(bad_json)?;
    let max = state.config.rooms.limits.max_title_chars;
    let date = req.date.trim().to_string();
    if !valid_date(&date) {
        return Err(AppError::BadRequest(format!(
            "the date must be a calendar date written YYYY-MM-DD, not {date:?}"
        )));
    }
    let theme = req.theme.trim().to_string();
    if theme.is_empty() {
        return Err(AppError::BadRequest(
            "the meeting needs a theme question".into(),
        ));
    }
    check_chars("the theme", &theme, max)?;
    let agenda: Vec<String> = req
        .agenda
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    if agenda.len() > MAX_AGENDA_ITEMS {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_AGENDA_ITEMS} agenda items"
        )));
    }
    for item in &agenda {
        check_chars("an agenda item", item, max)?;
    }
    let language = match req.language.as_deref() {
        None | Some("da") => "da",
        Some("en") => "en",
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "language must be da or en, not {other:?}"
            )));
        }
    };
    if req.carry_actions && !req.from_previous {
        return Err(AppError::BadRequest(
            "carry_actions needs from_previous".into(),
        ));
    }
    let ws = state
        .storage
        .workspace(&id)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    let earlier = state.storage.meetings(&id).await?;
    if earlier.len() >= MAX_MEETINGS {
        return Err(AppError::BadRequest(format!(
            "a workspace holds at most {MAX_MEETINGS} meetings"
        )));
    }
    let previous = match (req.from_previous, earlier.last()) {
        (false, _) => None,
        (true, None) => {
            return Err(AppError::BadRequest(
                "there is no previous meeting to start from".into(),
            ));
        }
        (true, Some(m)) => Some(load_stored(state.storage.as_ref(), &m.board_id).await?),
    };

    let now = now_ms();
    let board_id = new_board_id();
    let title: String = format!("{} · {date}", ws.name).chars().take(max).collect();
    let mut board = Board::create(
        &rand::random::<[u8; 16]>(),
        &title,
        &Ctx::new("server", now),
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut fresh = || hex::encode(rand::random::<[u8; 8]>());
    let mut ops = vec![
        Op::SetTheme {
            theme: theme.clone(),
        },
        Op::SetLanguage {
            language: language.into(),
        },
    ];
    ops.extend(match &previous {
        Some(prev) => continue_meeting(prev, req.carry_actions, &mut fresh),
        None => template_ops(Template::MindMapMinutes, language, &mut fresh),
    });
    if !agenda.is_empty() {
        ops.push(Op::Facilitate {
            act: FacilOp::SetAgenda {
                items: agenda
                    .iter()
                    .map(|title| AgendaItem {
                        id: fresh(),
                        title: title.clone(),
                    })
                    .collect(),
            },
        });
    }
    let ctx = Ctx::new("server", now);
    for op in &ops {
        board
            .apply(op, &ctx)
            .map_err(|e| AppError::BadRequest(format!("the meeting's board: {e}")))?;
    }
    samskab_board::validate(&board, &state.config.rooms.limits)
        .map_err(|e| AppError::BadRequest(format!("the meeting's board: {e}")))?;

    let secrets = secrets_from(Role::Facilitator, &secret);
    let links: Vec<LinkRecord> = secrets
        .iter()
        .map(|(role, s)| LinkRecord {
            role: *role,
            hash: hash_secret(&board_secret(s, &board_id)),
        })
        .collect();
    let position = state
        .storage
        .add_meeting(
            &id,
            MeetingRecord {
                position: 0,
                board_id: board_id.clone(),
                date: date.clone(),
                theme: theme.clone(),
                agenda: agenda.clone(),
                created_at: now,
            },
            BoardMeta {
                id: board_id.clone(),
                title,
                created_at: now,
            },
            board.save(),
            links,
        )
        .await?;
    let base = public_base(&state, &headers);
    let board_links: serde_json::Map<String, Value> = secrets
        .iter()
        .map(|(role, s)| {
            (
                role_name(*role).into(),
                board_link(&base, &board_id, &board_secret(s, &board_id)).into(),
            )
        })
        .collect();
    tracing::info!(workspace = %id, board = %board_id, position, "meeting created");
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "position": position,
            "date": date,
            "theme": theme,
            "agenda": agenda,
            "board": board_id,
            "links": board_links,
        })),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRotation {
    pub plan: Vec<String>,
}

pub async fn set_rotation(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Result<Json<SetRotation>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let (role, _) = caller(&state, &id, &headers).await?;
    if role != Role::Facilitator {
        return Err(AppError::Forbidden(
            "only the facilitator can plan the rotation".into(),
        ));
    }
    let Json(req) = body.map_err(bad_json)?;
    let plan: Vec<String> = req
        .plan
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if plan.len() > MAX_ROTATION {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_ROTATION} names in the rotation"
        )));
    }
    for name in &plan {
        check_chars("a name", name, state.config.rooms.limits.max_title_chars)?;
    }
    state.storage.set_rotation(&id, plan.clone()).await?;
    Ok(Json(json!({ "rotation": plan })))
}

/// The workspace a meeting board belongs to (any of the board's links).
pub async fn board_workspace(
    State(state): State<AppState>,
    UrlPath(board): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    role_of(&state, &board, &headers).await?;
    let Some(ws) = state.storage.workspace_of_board(&board).await? else {
        return Ok(Json(json!({ "workspace": null })));
    };
    let meta = state
        .storage
        .workspace(&ws)
        .await?
        .ok_or(AppError::WorkspaceNotFound)?;
    Ok(Json(
        json!({ "workspace": { "id": meta.id, "name": meta.name } }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn lower_roles_derive_their_links_and_never_a_higher_one() {
        let f = "00112233445566778899aabbccddeeff";
        let all = secrets_from(Role::Facilitator, f);
        assert_eq!(all.len(), 3);
        let editor = &all[1].1;
        let from_editor = secrets_from(Role::Editor, editor);
        assert_eq!(from_editor.len(), 2);
        assert_eq!(from_editor[1], all[2]);
        assert!(from_editor.iter().all(|(r, _)| *r != Role::Facilitator));
        assert_ne!(board_secret(f, "b1"), board_secret(f, "b2"));
        assert_eq!(board_secret(f, "b1").len(), 32);
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(valid_date("2027-02-28"));
        assert!(valid_date("2028-02-29"));
        assert!(!valid_date("2027-02-29"));
        assert!(!valid_date("2027-13-01"));
        assert!(!valid_date("27-1-1"));
        assert!(!valid_date("i morgen"));
    }
}
