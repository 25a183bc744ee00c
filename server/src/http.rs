//! The HTTP API under `/api`, and the built frontend for every other path.
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::MethodRouter;
use samskab_board::{Board, Ctx};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::auth::{self, bearer};
use crate::error::AppError;
use crate::storage::{BoardMeta, LinkStatus, Role, parse_role, role_name};

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBoard {
    #[serde(default)]
    pub title: Option<String>,
    /// One of the installation's own templates (`GET /api/templates`).
    #[serde(default)]
    pub template: Option<String>,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A board id: 16 lower-case hex digits from 8 random bytes.
pub(crate) fn new_board_id() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

/// The address people use to reach this server: the setting, or the Host header.
pub(crate) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub(crate) fn link(base: &str, id: &str, secret: &str) -> String {
    format!("{base}/b/{id}#key={secret}")
}

pub async fn create_board(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateBoard>, JsonRejection>,
) -> Result<impl IntoResponse, AppError> {
    may_create(&state, &headers)?;
    let Json(req) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let title = req.title.unwrap_or_default().trim().to_string();
    let max = state.config.rooms.limits.max_title_chars;
    if title.chars().count() > max {
        return Err(AppError::BadRequest(format!(
            "the title is too long: at most {max} characters"
        )));
    }
    let now = now_ms();
    let id = new_board_id();
    let mut board = Board::create(
        &rand::random::<[u8; 16]>(),
        &title,
        &Ctx::new("server", now),
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    if let Some(template) = req.template.as_deref().filter(|t| !t.is_empty()) {
        let ctx = Ctx::new("server", now);
        for op in crate::saved_templates::ops_of(&state, template, None).await? {
            board
                .apply(&op, &ctx)
                .map_err(|e| AppError::BadRequest(format!("the template: {e}")))?;
        }
        samskab_board::validate(&board, &state.config.rooms.limits)
            .map_err(|e| AppError::BadRequest(format!("the template: {e}")))?;
    }
    let meta = BoardMeta {
        id: id.clone(),
        title: title.clone(),
        created_at: now,
    };
    let base = public_base(&state, &headers);
    let mut links = serde_json::Map::new();
    let mut records = Vec::new();
    for role in [Role::Facilitator, Role::Editor, Role::Viewer] {
        let (secret, record) = auth::new_link(role);
        links.insert(
            role_name(role).into(),
            Value::String(link(&base, &id, &secret)),
        );
        records.push(record);
    }
    state
        .storage
        .create_board(meta, board.save(), records)
        .await?;
    tracing::info!(board = %id, "board created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "title": title, "links": links })),
    ))
}

/// Whether this request may create boards (the admin token, when one is set).
pub(crate) fn may_create(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(admin) = &state.config.admin_token {
        let presented = bearer(headers).unwrap_or_default();
        if !auth::constant_time_eq(&presented, admin) {
            return Err(AppError::Unauthorized(
                "only holders of the admin token may create boards on this server".into(),
            ));
        }
    }
    Ok(())
}

/// The role a request's bearer secret grants on `id`; 404 otherwise.
pub(crate) async fn role_of(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
) -> Result<Role, AppError> {
    match auth::authorize(state, id, bearer(headers).as_deref()).await? {
        Some(LinkStatus::Active(role)) => Ok(role),
        Some(LinkStatus::Revoked(_)) => Err(AppError::LinkRevoked),
        None => Err(AppError::BoardNotFound),
    }
}

pub async fn get_board(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    let role = role_of(&state, &id, &headers).await?;
    let meta = state
        .storage
        .board_meta(&id)
        .await?
        .ok_or(AppError::BoardNotFound)?;
    Ok(Json(json!({
        "id": meta.id,
        "title": meta.title,
        "created_at": meta.created_at,
        "permission": role_name(role),
    })))
}

/// Replaces the link of a role with a new one (facilitators only). Everyone
/// connected through the old link is cut off at once.
pub async fn rotate_link(
    State(state): State<AppState>,
    UrlPath((id, role)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    if role_of(&state, &id, &headers).await? != Role::Facilitator {
        return Err(AppError::Forbidden(
            "only the facilitator can re-issue links".into(),
        ));
    }
    let role =
        parse_role(&role).ok_or_else(|| AppError::BadRequest(format!("no such role: {role}")))?;
    let (secret, record) = auth::new_link(role);
    state.storage.replace_link(&id, record).await?;
    state.rooms.revoke(&id, role).await;
    tracing::info!(board = %id, role = role_name(role), "link re-issued");
    let url = link(&public_base(&state, &headers), &id, &secret);
    Ok(Json(json!({ "role": role_name(role), "link": url })))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(state.rooms.open_count()),
    )
}

pub async fn api_not_found() -> AppError {
    AppError::BadRequest("no such API endpoint".into())
}

/// Serves the built frontend; unknown paths get `index.html` so that board
/// URLs like `/b/<id>` load the app, which then routes in the browser.
/// A file's Brotli or gzip copy (`crate::static_files`) is sent instead of
/// the file when there is one and the browser accepts it.
pub fn frontend(dist: Option<&Path>) -> MethodRouter<AppState> {
    match dist.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => axum::routing::get_service(
            ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(ServeFile::new(dir.join("index.html"))),
        )
        // The answer depends on Accept-Encoding: caches in between must
        // not give a gzip copy to a client that asked for none.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        )),
        None => axum::routing::get(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(
                    "<!doctype html><meta charset=utf-8><title>Samskab</title>\
                     <h1>Samskab</h1><p>The web app has not been built. Run <code>scripts/run</code>, \
                     or <code>trunk build --release --offline</code> and pass <code>--static-dir dist</code>.</p>",
                ),
            )
        }),
    }
}
