//! A committee's workspace: its meetings in a series, each with a date, a
//! theme question, agenda items and a board of its own.
//!
//! - `POST /api/workspaces` `{"name"}`: a new workspace and its three links
//!   (`/w/<id>#key=<secret>`); the same permission as creating a board.
//! - `GET /api/workspaces/{id}`: the workspace's links for the caller's role
//!   and the roles below it (`links`), and the meetings in order, each with
//!   its board, the board's link for the caller's role (`link`) and for each
//!   role below (`links`), who chaired it (from the board's `chair`
//!   register) and who the rotation plan names for it. So any device with a
//!   workspace link sees what the creating device sees, for that role.
//! - `POST /api/workspaces/{id}/meetings` `{"date", "theme", "agenda",
//!   "from_previous", "carry_actions", "template"}` (facilitator): the next
//!   meeting and its board, optionally started from the previous meeting's
//!   mind-map minutes and open actions, or from one of the series' own
//!   templates (`crate::saved_templates`).
//! - `PUT /api/workspaces/{id}/rotation` `{"plan": [participant ids]}`
//!   (facilitator): who chairs the meetings in turn, chosen from the
//!   series' participants (`participants` in the listing: everyone
//!   registered on one of its meeting boards); an unknown id gets `400`.
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
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::{self, bearer, hash_secret};
use crate::error::AppError;
use crate::export::load_stored;
use crate::http::{may_create, new_board_id, now_ms, public_base, role_of};
use crate::metrics::Metrics;
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

/// `{role: link}` for each of `secrets` (a role and the roles below it).
fn role_links(
    secrets: &[(Role, String)],
    link: impl Fn(&str) -> String,
) -> serde_json::Map<String, Value> {
    secrets
        .iter()
        .map(|(role, s)| (role_name(*role).to_string(), link(s).into()))
        .collect()
}

/// What the series listing shows of a meeting board, read from its
/// document once per stored version and cached (`meeting_summaries`), so
/// listing a series reads only the boards that changed since.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Summary {
    /// The agenda item being worked on.
    #[serde(default)]
    current_item: String,
    /// Who chaired, by participant id, in order (each once).
    #[serde(default)]
    chairs: Vec<String>,
    /// The board's participants: (id, name).
    #[serde(default)]
    participants: Vec<(String, String)>,
}

impl Summary {
    fn of(board: &Board) -> Summary {
        let agenda = board.facilitation().agenda;
        let current_item = agenda
            .items
            .iter()
            .find(|it| it.id == agenda.current)
            .map(|it| it.title.clone())
            .unwrap_or_default();
        let mut chairs: Vec<String> = Vec::new();
        for term in board.chair().history {
            if !term.participant.is_empty() && !chairs.contains(&term.participant) {
                chairs.push(term.participant);
            }
        }
        Summary {
            current_item,
            chairs,
            participants: board
                .participants()
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
        }
    }

    /// Who chaired, by name (the id when the board has no name for them).
    fn chaired_by(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in &self.chairs {
            let name = self
                .participants
                .iter()
                .find(|(p, n)| p == id && !n.trim().is_empty())
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| id.clone());
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

/// Every meeting board's summary, by board id: from the cache when it was
/// made for the board's stored version, else read from the board (and
/// cached).
async fn summaries(
    state: &AppState,
    workspace: &str,
) -> Result<std::collections::HashMap<String, Summary>, AppError> {
    let mut out = std::collections::HashMap::new();
    for row in state.storage.meeting_versions(workspace).await? {
        let cached = match (row.version, &row.cached) {
            (Some(v), Some((at, body))) if *at == v => serde_json::from_str::<Summary>(body).ok(),
            _ => None,
        };
        if let Some(summary) = cached {
            out.insert(row.board_id, summary);
            continue;
        }
        Metrics::inc(&state.metrics.series_boards_read);
        let summary = match load_stored(state.storage.as_ref(), &row.board_id).await {
            Ok(board) => {
                let summary = Summary::of(&board);
                if let (Some(v), Ok(json)) = (row.version, serde_json::to_string(&summary))
                    && let Err(e) = state
                        .storage
                        .save_meeting_summary(&row.board_id, v, json)
                        .await
                {
                    tracing::warn!(board = %row.board_id, error = %e, "meeting summary not cached");
                }
                summary
            }
            Err(e) => {
                tracing::warn!(workspace = %workspace, board = %row.board_id, error = %e, "meeting board unreadable");
                Summary::default()
            }
        };
        out.insert(row.board_id, summary);
    }
    Ok(out)
}

/// The series' registered participants, (id, name), in the order they
/// first appear across its meetings; a later meeting's name wins.
fn series_participants(
    meetings: &[MeetingRecord],
    summaries: &std::collections::HashMap<String, Summary>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in meetings {
        for (id, name) in summaries
            .get(&m.board_id)
            .map(|s| s.participants.as_slice())
            .unwrap_or_default()
        {
            match out.iter_mut().find(|(p, _)| p == id) {
                Some(known) if !name.trim().is_empty() => known.1 = name.clone(),
                Some(_) => {}
                None => out.push((id.clone(), name.clone())),
            }
        }
    }
    out
}

/// A rotation entry as shown: the participant's name; an entry that is no
/// participant's id (a plan written as free names before plans held ids)
/// shows as written.
fn entry_name(entry: &str, people: &[(String, String)]) -> String {
    people
        .iter()
        .find(|(id, name)| id == entry && !name.trim().is_empty())
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| entry.to_string())
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
    // The caller's secret and those derived from it: their role and below.
    let mine = secrets_from(role, &secret);
    let summaries = summaries(&state, &id).await?;
    let records = state.storage.meetings(&id).await?;
    let people = series_participants(&records, &summaries);
    let mut meetings = Vec::new();
    for (i, m) in records.into_iter().enumerate() {
        let summary = summaries.get(&m.board_id).cloned().unwrap_or_default();
        let planned_id = if ws.rotation.is_empty() {
            String::new()
        } else {
            ws.rotation[i % ws.rotation.len()].clone()
        };
        let planned = entry_name(&planned_id, &people);
        meetings.push(json!({
            "position": m.position,
            "date": m.date,
            "theme": m.theme,
            "agenda": m.agenda,
            "current_item": summary.current_item,
            "board": m.board_id,
            "link": board_link(&base, &m.board_id, &board_secret(&secret, &m.board_id)),
            "links": role_links(&mine, |s| board_link(&base, &m.board_id, &board_secret(s, &m.board_id))),
            "chaired_by": summary.chaired_by(),
            "planned_chair": planned,
            "planned_chair_id": planned_id,
        }));
    }
    Ok(Json(json!({
        "id": ws.id,
        "name": ws.name,
        "created_at": ws.created_at,
        "permission": role_name(role),
        "rotation": ws
            .rotation
            .iter()
            .map(|e| json!({ "id": e, "name": entry_name(e, &people) }))
            .collect::<Vec<_>>(),
        "participants": people
            .iter()
            .map(|(id, name)| json!({ "id": id, "name": name }))
            .collect::<Vec<_>>(),
        "links": role_links(&mine, |s| workspace_link(&base, &ws.id, s)),
        "templates": crate::saved_templates::listing(&state.storage.templates(Some(&id)).await?),
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
    /// Start from one of the series' own templates (or the installation's)
    /// instead of the mind-map minutes.
    #[serde(default)]
    pub template: Option<String>,
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
    let template = req.template.as_deref().filter(|t| !t.is_empty());
    if template.is_some() && req.from_previous {
        return Err(AppError::BadRequest(
            "start from the previous meeting or from a template, not both".into(),
        ));
    }
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

    let own = match template {
        Some(t) => Some(crate::saved_templates::ops_of(&state, t, Some(&id)).await?),
        None => None,
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
    ops.extend(match (&previous, own) {
        (Some(prev), _) => continue_meeting(prev, req.carry_actions, &mut fresh),
        (None, Some(own)) => own,
        (None, None) => template_ops(Template::MindMapMinutes, language, &mut fresh),
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
    /// Participant ids, in the order they chair the meetings (the plan
    /// repeats when the series has more meetings than entries).
    pub plan: Vec<String>,
}

/// Keeps the chair rotation: participant ids of the series (people
/// registered on one of its meeting boards), never free text.
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
            "at most {MAX_ROTATION} entries in the rotation"
        )));
    }
    let summaries = summaries(&state, &id).await?;
    let people = series_participants(&state.storage.meetings(&id).await?, &summaries);
    if let Some(unknown) = plan.iter().find(|p| !people.iter().any(|(id, _)| id == *p)) {
        return Err(AppError::BadRequest(format!(
            "{unknown:?} is not a participant of this series: the rotation names participants \
             by id, chosen from those who have joined one of its meetings"
        )));
    }
    state.storage.set_rotation(&id, plan.clone()).await?;
    Ok(Json(json!({
        "rotation": plan
            .iter()
            .map(|e| json!({ "id": e, "name": entry_name(e, &people) }))
            .collect::<Vec<_>>(),
    })))
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
