//! The server's HTTP API, through `fetch`.
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[derive(Debug, Clone, Deserialize)]
pub struct BoardInfo {
    pub id: String,
    pub title: String,
}

/// The three share links of a new board.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Links {
    pub facilitator: String,
    pub editor: String,
    pub viewer: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    pub id: String,
    pub links: Links,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    NotFound,
    Revoked,
    Unreachable,
    Refused(String),
}

pub(crate) async fn fetch(
    method: &str,
    path: &str,
    body: Option<String>,
    key: Option<&str>,
) -> Result<(u16, String), ApiError> {
    fetch_as(method, path, body, key, None).await
}

/// `fetch` as a participant: `(id, device secret)`, which the server checks
/// like `Hello::participant_key` (the chair's requests).
pub(crate) async fn fetch_as(
    method: &str,
    path: &str,
    body: Option<String>,
    key: Option<&str>,
    participant: Option<(&str, &str)>,
) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = &body {
        init.set_body(&JsValue::from_str(b));
    }
    let req = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::Unreachable)?;
    if body.is_some() {
        let _ = req.headers().set("Content-Type", "application/json");
    }
    if let Some(key) = key {
        let _ = req.headers().set("Authorization", &format!("Bearer {key}"));
    }
    if let Some((id, secret)) = participant {
        let _ = req.headers().set("X-Samskab-Participant", id);
        let _ = req.headers().set("X-Samskab-Participant-Key", secret);
    }
    let resp = JsFuture::from(crate::platform::window().fetch_with_request(&req))
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let resp: Response = resp.dyn_into().map_err(|_| ApiError::Unreachable)?;
    let text = JsFuture::from(resp.text().map_err(|_| ApiError::Unreachable)?)
        .await
        .map_err(|_| ApiError::Unreachable)?
        .as_string()
        .unwrap_or_default();
    Ok((resp.status(), text))
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Refused(e.to_string()))
}

/// A new board; `template`: one of the installation's own templates.
pub async fn create_board(title: &str, template: Option<&str>) -> Result<Created, ApiError> {
    let body = match template {
        Some(t) => serde_json::json!({ "title": title, "template": t }),
        None => serde_json::json!({ "title": title }),
    }
    .to_string();
    match fetch("POST", "/api/boards", Some(body), None).await? {
        (201, text) => parse(&text),
        (_, text) => Err(ApiError::Refused(text)),
    }
}

pub async fn board_info(id: &str, key: &str) -> Result<BoardInfo, ApiError> {
    match fetch("GET", &format!("/api/boards/{id}"), None, Some(key)).await? {
        (200, text) => parse(&text),
        (404, _) => Err(ApiError::NotFound),
        (410, _) => Err(ApiError::Revoked),
        (500..=599, _) => Err(ApiError::Unreachable),
        (_, text) => Err(ApiError::Refused(text)),
    }
}
