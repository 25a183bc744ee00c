//! The HTTP API under `/api`, and the built frontend for every other path.
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::MethodRouter;
use samskab_board::{Board, Ctx};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;
use crate::error::AppError;
use crate::storage::BoardMeta;

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBoard {
    #[serde(default)]
    pub title: Option<String>,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A board id: 16 lower-case hex digits from 8 random bytes.
fn new_board_id() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

/// The address people use to reach this server: the setting, or the Host header.
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

pub async fn create_board(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateBoard>, JsonRejection>,
) -> Result<impl IntoResponse, AppError> {
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
    let meta = BoardMeta {
        id: id.clone(),
        title: title.clone(),
        created_at: now,
    };
    state.storage.create_board(meta, board.save()).await?;
    let link = format!("{}/b/{id}", public_base(&state, &headers));
    tracing::info!(board = %id, "board created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "title": title, "link": link })),
    ))
}

pub async fn get_board(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<Value>, AppError> {
    let meta = state
        .storage
        .board_meta(&id)
        .await?
        .ok_or(AppError::BoardNotFound)?;
    Ok(Json(
        json!({ "id": meta.id, "title": meta.title, "created_at": meta.created_at }),
    ))
}

pub async fn api_not_found() -> AppError {
    AppError::BadRequest("no such API endpoint".into())
}

/// Serves the built frontend; unknown paths get `index.html` so that board
/// URLs like `/b/<id>` load the app, which then routes in the browser.
pub fn frontend(dist: Option<&Path>) -> MethodRouter<AppState> {
    match dist.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => axum::routing::get_service(
            ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))),
        ),
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
