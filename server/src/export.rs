//! Exports, imports, history and restore over HTTP (the renderers live in
//! `samskab-export`; this is only the plumbing).
//!
//! - `GET /api/boards/{id}/export?format=…[&frame=ID|&mindmap=ID][&paper=a4|a3][&orientation=portrait|landscape][&table=notes|votes|actions|decisions][&at=HEADS]`:
//!   any link's secret (viewers too); `table` picks the CSV table. Sent as an attachment with `nosniff`
//!   and a sandboxing Content-Security-Policy, so an SVG opened from here
//!   cannot run script even if it held some.
//! - `POST /api/boards/import` (body: `.automerge` or our JSON): a new board;
//!   the same permission as creating one.
//! - `POST /api/boards/{id}/import`: merges the file into the board
//!   (facilitator or editor), through the board's room.
//! - `GET /api/boards/{id}/history[?since=HEADS]`: sessions, and what
//!   changed since a version.
//! - `POST /api/boards/{id}/restore` `{"heads": [...]}`: a past version back
//!   as new changes (facilitator or editor), through the board's room.
use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use samskab_board::{Board, Ctx};
use samskab_export::{CsvTable, Format, Names, Options, Orientation, Paper, Scope, history};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth;
use crate::error::AppError;
use crate::http::{link, may_create, new_board_id, now_ms, public_base, role_of};
use crate::storage::{BoardMeta, Role, Storage, role_name};

/// Largest import accepted over HTTP.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The headers every export is sent with.
pub const EXPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// Loads a board's stored document (what every client has been acknowledged).
pub async fn load_stored(storage: &dyn Storage, id: &str) -> Result<Board, AppError> {
    let chunks = storage.load(id).await?;
    if chunks.is_empty() {
        return Err(AppError::BoardNotFound);
    }
    let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.bytes).collect();
    blocking(move || {
        Board::load_stored(&bytes, &rand::random::<[u8; 16]>()).map_err(|e| e.to_string())
    })
    .await
    .map_err(AppError::Internal)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("task failed: {e}"))?
}

/// Parses the export query into a format and options.
pub fn options_from(q: &HashMap<String, String>) -> Result<(Format, Options), String> {
    let format = Format::parse(q.get("format").map(String::as_str).unwrap_or("svg"))
        .map_err(|e| e.to_string())?;
    let scope = match (q.get("frame"), q.get("mindmap")) {
        (Some(_), Some(_)) => return Err("give frame or mindmap, not both".into()),
        (Some(f), None) => Scope::Frame(f.clone()),
        (None, Some(m)) => Scope::MindMap(m.clone()),
        (None, None) => Scope::Board,
    };
    let paper = match q.get("paper").map(String::as_str) {
        None | Some("a4") | Some("A4") => Paper::A4,
        Some("a3") | Some("A3") => Paper::A3,
        Some(other) => return Err(format!("paper must be a4 or a3, not {other:?}")),
    };
    let orientation = match q.get("orientation").map(String::as_str) {
        None | Some("landscape") => Orientation::Landscape,
        Some("portrait") => Orientation::Portrait,
        Some(other) => {
            return Err(format!(
                "orientation must be portrait or landscape, not {other:?}"
            ));
        }
    };
    let language = match q.get("lang").map(String::as_str) {
        None => String::new(),
        Some("da") => "da".into(),
        Some("en") => "en".into(),
        Some(other) => return Err(format!("lang must be da or en, not {other:?}")),
    };
    let table = match q.get("table") {
        None => CsvTable::Notes,
        Some(t) if format == Format::Csv => CsvTable::parse(t).map_err(|e| e.to_string())?,
        Some(_) => return Err("table goes with format=csv only".into()),
    };
    Ok((
        format,
        Options {
            scope,
            paper,
            orientation,
            names: Names::Real,
            language,
            table,
        },
    ))
}

/// An export as a safe download.
pub fn attachment(bytes: Vec<u8>, format: Format, title: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        samskab_export::file_name(title, format)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(EXPORT_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Renders an export of `board` (at `at`, if given) off the async threads.
pub async fn render(
    mut board: Board,
    format: Format,
    opts: Options,
    at: Option<String>,
) -> Result<(Vec<u8>, String), AppError> {
    blocking(move || {
        if let Some(at) = at {
            let heads = history::parse_heads(&[at])?;
            board = history::at(&mut board, &heads)?;
        }
        let title = board.title();
        samskab_export::export(&mut board, format, &opts)
            .map(|b| (b, title))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(AppError::BadRequest)
}

pub async fn export(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    role_of(&state, &id, &headers).await?;
    let (format, opts) = options_from(&q).map_err(AppError::BadRequest)?;
    let table = opts.table;
    let board = load_stored(state.storage.as_ref(), &id).await?;
    let (bytes, title) = render(board, format, opts, q.get("at").cloned()).await?;
    Ok(attachment(bytes, format, &download_title(&title, table)))
}

/// The title the download is named after: a CSV table other than the notes
/// says which (`Title-votes.csv`).
fn download_title(title: &str, table: CsvTable) -> String {
    match table {
        CsvTable::Notes => title.to_string(),
        t => format!("{title} {}", t.as_str()),
    }
}

/// Stores an imported board as a new board with fresh links.
pub async fn create_from(
    state: &AppState,
    mut board: Board,
    base: &str,
) -> Result<(String, String, serde_json::Map<String, Value>), AppError> {
    let id = new_board_id();
    let title = board.title();
    let bytes = blocking(move || Ok(board.save()))
        .await
        .map_err(AppError::Internal)?;
    let meta = BoardMeta {
        id: id.clone(),
        title: title.clone(),
        created_at: now_ms(),
    };
    let mut links = serde_json::Map::new();
    let mut records = Vec::new();
    for role in [Role::Facilitator, Role::Editor, Role::Viewer] {
        let (secret, record) = auth::new_link(role);
        links.insert(
            role_name(role).into(),
            Value::String(link(base, &id, &secret)),
        );
        records.push(record);
    }
    state.storage.create_board(meta, bytes, records).await?;
    Ok((id, title, links))
}

fn parse_import(body: Bytes) -> Result<Board, String> {
    if body.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "the file is too large (at most {} MB)",
            MAX_IMPORT_BYTES / 1_000_000
        ));
    }
    samskab_export::json::import_any(&body, &rand::random::<[u8; 16]>(), now_ms())
        .map_err(|e| e.to_string())
}

pub async fn import_new(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, AppError> {
    may_create(&state, &headers)?;
    let board = blocking(move || parse_import(body))
        .await
        .map_err(AppError::BadRequest)?;
    let base = public_base(&state, &headers);
    let (id, title, links) = create_from(&state, board, &base).await?;
    tracing::info!(board = %id, "board imported");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "title": title, "links": links })),
    ))
}

async fn editor_role(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Role, AppError> {
    let role = role_of(state, id, headers).await?;
    if !role.can_edit() {
        return Err(AppError::Forbidden(
            "only the facilitator and editors can change the board".into(),
        ));
    }
    Ok(role)
}

pub async fn import_merge(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    editor_role(&state, &id, &headers).await?;
    let mut other = blocking(move || parse_import(body))
        .await
        .map_err(AppError::BadRequest)?;
    let heads = state
        .rooms
        .apply(
            &id,
            Box::new(move |b: &mut Board| {
                b.doc_mut()
                    .merge(other.doc_mut())
                    .map(|_| ())
                    .map_err(|e| format!("cannot merge: {e}"))
            }),
        )
        .await
        .map_err(AppError::BadRequest)?;
    tracing::info!(board = %id, "file merged into board");
    Ok(Json(
        json!({ "heads": heads.iter().map(|h| h.to_string()).collect::<Vec<_>>() }),
    ))
}

pub async fn history_list(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    role_of(&state, &id, &headers).await?;
    let mut board = load_stored(state.storage.as_ref(), &id).await?;
    let since = q.get("since").cloned();
    let lang = q.get("lang").cloned().unwrap_or_default();
    blocking(move || {
        let sessions = history::sessions(&mut board);
        let heads: Vec<String> = board.heads().iter().map(|h| h.to_string()).collect();
        let mut out = json!({ "heads": heads, "sessions": sessions });
        if let Some(since) = since {
            let before = history::parse_heads(&[since])?;
            history::at(&mut board, &before)?;
            let now = board.heads();
            let diff = board.diff(&before, &now);
            out["since"] = json!({
                "summary": history::summary(&diff, &lang),
                "diff": diff,
            });
        }
        Ok(Json(out))
    })
    .await
    .map_err(AppError::BadRequest)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    pub heads: Vec<String>,
}

pub async fn restore(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Result<Json<RestoreRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let role = editor_role(&state, &id, &headers).await?;
    let Json(req) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let heads = history::parse_heads(&req.heads).map_err(AppError::BadRequest)?;
    if heads.is_empty() {
        return Err(AppError::BadRequest("give the version's heads".into()));
    }
    let ctx = Ctx::new(role_name(role), now_ms());
    let new_heads = state
        .rooms
        .apply(
            &id,
            Box::new(move |b: &mut Board| history::restore(b, &heads, &ctx).map(|_| ())),
        )
        .await
        .map_err(AppError::BadRequest)?;
    tracing::info!(board = %id, "past version restored");
    Ok(Json(
        json!({ "heads": new_heads.iter().map(|h| h.to_string()).collect::<Vec<_>>() }),
    ))
}

/// Freezes the board as it is now into a public, read-only copy (facilitator
/// only). The copy is built from the JSON snapshot with names replaced by
/// role groups, except those of participants who agreed to be named
/// (`named_consent`; nobody's in anonymous mode), so neither its content nor
/// its history holds anyone else's name; it has only a viewer link, so
/// nobody can change it. Returns its public address
/// `/s/<copy id>/<secret>`.
pub async fn create_snapshot(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    if role_of(&state, &id, &headers).await? != Role::Facilitator {
        return Err(AppError::Forbidden(
            "only the facilitator can publish a snapshot".into(),
        ));
    }
    let board = load_stored(state.storage.as_ref(), &id).await?;
    let mut copy = blocking(move || {
        let json = serde_json::to_vec(&samskab_export::json::snapshot(&board, Names::RoleGroups))
            .map_err(|e| e.to_string())?;
        samskab_export::json::import(&json, &rand::random::<[u8; 16]>(), now_ms())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(AppError::Internal)?;
    let snapshot_id = new_board_id();
    let title = copy.title();
    let bytes = blocking(move || Ok(copy.save()))
        .await
        .map_err(AppError::Internal)?;
    let (secret, record) = auth::new_link(Role::Viewer);
    state
        .storage
        .create_board(
            BoardMeta {
                id: snapshot_id.clone(),
                title,
                created_at: now_ms(),
            },
            bytes,
            vec![record],
        )
        .await?;
    let path = format!("/s/{snapshot_id}/{secret}");
    let url = format!("{}{path}", public_base(&state, &headers));
    tracing::info!(board = %id, snapshot = %snapshot_id, "public snapshot published");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": snapshot_id, "url": url })),
    ))
}

async fn snapshot_board(state: &AppState, id: &str, secret: &str) -> Result<Board, AppError> {
    match auth::authorize(state, id, Some(secret)).await? {
        Some(crate::storage::LinkStatus::Active(Role::Viewer)) => {
            load_stored(state.storage.as_ref(), id).await
        }
        _ => Err(AppError::BoardNotFound),
    }
}

/// `GET /s/{id}/{secret}`: the public snapshot as a page (the board as an
/// SVG image, which cannot run script, and its downloads).
pub async fn public_page(
    State(state): State<AppState>,
    UrlPath((id, secret)): UrlPath<(String, String)>,
) -> Result<Response, AppError> {
    let board = snapshot_board(&state, &id, &secret).await?;
    let title = samskab_export::text::xml_escape(&samskab_export::text::clean(&board.title()));
    let theme = samskab_export::text::xml_escape(&samskab_export::text::clean(&board.theme()));
    let links: String = ["pdf", "png", "svg", "md", "csv", "json"]
        .iter()
        .map(|f| {
            format!(
                "<a href=\"/s/{id}/{secret}/export/{f}\">{}</a> ",
                f.to_uppercase()
            )
        })
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"da\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
         <body style=\"font-family:sans-serif;margin:1rem\"><h1>{title}</h1><p>{theme}</p>\
         <p>{links}</p><img style=\"max-width:100%\" alt=\"{title}\" src=\"/s/{id}/{secret}/export/svg?inline=1\"></body></html>"
    );
    let mut res = (StatusCode::OK, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

/// `GET /s/{id}/{secret}/export/{format}`: a download of the public snapshot
/// (`?inline=1` shows the SVG in the page instead of downloading it).
pub async fn public_export(
    State(state): State<AppState>,
    UrlPath((id, secret, format)): UrlPath<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let board = snapshot_board(&state, &id, &secret).await?;
    let mut query = q.clone();
    query.insert("format".into(), format);
    query.remove("at");
    let (format, opts) = options_from(&query).map_err(AppError::BadRequest)?;
    let table = opts.table;
    let (bytes, title) = render(board, format, opts, None).await?;
    let mut res = attachment(bytes, format, &download_title(&title, table));
    if q.get("inline").is_some_and(|v| v == "1") {
        res.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline"),
        );
    }
    Ok(res)
}
