//! A committee's own templates: a facilitator (or the chair they handed
//! the meeting to) saves the structure of a board (frames, the agenda's
//! items, each mind map's root and first branches; the notes and every node
//! only when asked) under a name, for the series the board belongs to or
//! for every board on this server, and picks it when creating a board or
//! the next meeting.
//!
//! - `POST /api/boards/{id}/templates` `{"name", "with_content", "scope":
//!   "series"|"installation"}` with the board's facilitator secret, or by
//!   the current chair: the editor secret plus the chair's participant id
//!   and device secret (`X-Samskab-Participant`,
//!   `X-Samskab-Participant-Key`, checked as the websocket checks
//!   `Hello::participant_key`): `201 {"id", "name", "scope"}`. Anyone else
//!   gets `403`. `scope` defaults to the board's series, else the
//!   installation.
//! - `GET /api/templates`: the installation's templates (`id`, `name`,
//!   `scope`, `created_at`), for the start page.
//! - A series' own templates are listed with the series
//!   (`GET /api/workspaces/{id}`, `templates`), and only its meetings may
//!   use them; `POST /api/boards` and `POST /api/workspaces/{id}/meetings`
//!   take `"template": id`.
//!
//! A template is stored as the board ops that build it
//! ([`samskab_board::templates::SavedTemplate`]), checked at save time by
//! building a board from them and validating it against the limits.
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use samskab_board::templates::{SavedTemplate, structure_as_template};
use samskab_board::{Board, Ctx, Op};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::export::load_stored;
use crate::http::{new_board_id, now_ms, role_of};
use crate::storage::{Role, TemplateRecord};

/// Most templates the installation holds, and most each series holds.
pub const MAX_TEMPLATES: usize = 100;
/// Largest stored template (its ops as JSON).
pub const MAX_TEMPLATE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveTemplate {
    pub name: String,
    /// Keep what was written too: the notes and every mind-map node.
    #[serde(default)]
    pub with_content: bool,
    /// "series" or "installation".
    #[serde(default)]
    pub scope: Option<String>,
}

fn scope_of(t: &TemplateRecord) -> &'static str {
    if t.workspace.is_some() {
        "series"
    } else {
        "installation"
    }
}

/// Templates as the API lists them.
pub fn listing(templates: &[TemplateRecord]) -> Vec<Value> {
    templates
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "scope": scope_of(t),
                "created_at": t.created_at,
            })
        })
        .collect()
}

/// A board built from `ops` on an empty board, validated: the check a
/// template passes before it is stored.
fn check(ops: &[Op], limits: &samskab_board::Limits) -> Result<(), String> {
    let ctx = Ctx::new("server", now_ms());
    let mut board =
        Board::create(&rand::random::<[u8; 16]>(), "", &ctx).map_err(|e| e.to_string())?;
    for op in ops {
        board.apply(op, &ctx).map_err(|e| e.to_string())?;
    }
    samskab_board::validate(&board, limits).map_err(|e| e.to_string())
}

/// The participant id header of a request made as a participant.
pub const PARTICIPANT_HEADER: &str = "x-samskab-participant";
/// That participant's device secret (see `Hello::participant_key`).
pub const PARTICIPANT_KEY_HEADER: &str = "x-samskab-participant-key";

fn not_chair() -> AppError {
    AppError::Forbidden(
        "only the facilitator or the current chair can save the board as a template".into(),
    )
}

/// The participant a request is made by, proven by the device secret bound
/// to that participant id on this board (trust on first use, as on the
/// websocket). Without both headers, or with another device's secret: 403.
async fn participant_of(
    state: &AppState,
    board: &str,
    headers: &HeaderMap,
) -> Result<String, AppError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (Some(id), Some(key)) = (header(PARTICIPANT_HEADER), header(PARTICIPANT_KEY_HEADER)) else {
        return Err(not_chair());
    };
    if key.len() < 16 || key.len() > 128 || samskab_board::check_id(&id).is_err() {
        return Err(AppError::BadRequest(
            "a participant key is 16 to 128 characters, with a valid participant id".into(),
        ));
    }
    if !state
        .storage
        .bind_participant(board, &id, &crate::auth::hash_secret(&key))
        .await?
    {
        return Err(AppError::Forbidden(
            "this participant belongs to another device on this board".into(),
        ));
    }
    Ok(id)
}

pub async fn save_template(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Result<Json<SaveTemplate>, JsonRejection>,
) -> Result<impl IntoResponse, AppError> {
    let role = role_of(&state, &id, &headers).await?;
    let chair = match role {
        Role::Facilitator => None,
        Role::Editor => Some(participant_of(&state, &id, &headers).await?),
        Role::Viewer => return Err(not_chair()),
    };
    let board = load_stored(state.storage.as_ref(), &id).await?;
    // The chair holds the facilitator's controls, so it may save too.
    if let Some(me) = chair
        && board.chair().current != me
    {
        return Err(not_chair());
    }
    let Json(req) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::BadRequest("the template needs a name".into()));
    }
    let max = state.config.rooms.limits.max_title_chars;
    if name.chars().count() > max {
        return Err(AppError::BadRequest(format!(
            "the name is too long: at most {max} characters"
        )));
    }
    let series = state.storage.workspace_of_board(&id).await?;
    let workspace = match (req.scope.as_deref(), series) {
        (None | Some("series"), Some(ws)) => Some(ws),
        (Some("series"), None) => {
            return Err(AppError::BadRequest(
                "this board is not a meeting of a series: save the template for the installation"
                    .into(),
            ));
        }
        (None | Some("installation"), _) => None,
        (Some(other), _) => {
            return Err(AppError::BadRequest(format!(
                "scope must be series or installation, not {other:?}"
            )));
        }
    };
    let limits = state.config.rooms.limits.clone();
    let with_content = req.with_content;
    let template_name = name.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let mut fresh = || hex::encode(rand::random::<[u8; 8]>());
        let saved = structure_as_template(&board, &template_name, with_content, &mut fresh);
        check(&saved.ops, &limits)?;
        serde_json::to_string(&saved).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::BadRequest(format!("the board does not make a template: {e}")))?;
    if body.len() > MAX_TEMPLATE_BYTES {
        return Err(AppError::BadRequest(format!(
            "the template is too large ({} bytes, at most {MAX_TEMPLATE_BYTES}): save it without the notes",
            body.len()
        )));
    }
    let record = TemplateRecord {
        id: new_board_id(),
        workspace,
        name: name.clone(),
        created_at: now_ms(),
        body,
    };
    let scope = scope_of(&record);
    let template = record.id.clone();
    if !state.storage.save_template(record, MAX_TEMPLATES).await? {
        return Err(AppError::BadRequest(format!(
            "the {scope} holds {MAX_TEMPLATES} templates already"
        )));
    }
    tracing::info!(board = %id, template = %template, scope, "template saved");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": template, "name": name, "scope": scope })),
    ))
}

/// `GET /api/templates`: the installation's templates.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let all = state.storage.templates(None).await?;
    Ok(Json(json!({ "templates": listing(&all) })))
}

/// The ops of template `id` for a new board: one of the installation's, or
/// one of `workspace`'s own. Any other id is unknown (a series' templates
/// are not shown to anyone outside it).
pub async fn ops_of(
    state: &AppState,
    id: &str,
    workspace: Option<&str>,
) -> Result<Vec<Op>, AppError> {
    let unknown = || AppError::BadRequest(format!("there is no template {id:?} here"));
    let t = state.storage.template(id).await?.ok_or_else(unknown)?;
    if t.workspace.is_some() && t.workspace.as_deref() != workspace {
        return Err(unknown());
    }
    serde_json::from_str::<SavedTemplate>(&t.body)
        .map(|s| s.ops)
        .map_err(|e| AppError::Internal(format!("template {id}: {e}")))
}
