//! The server's export, history, restore and snapshot routes (see
//! `server/src/export.rs`), through `fetch` with the board's secret as a
//! bearer token, and the browser download of the bytes they return.
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::platform;

/// Why a call did not give what was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No answer at all (offline, server down, the request never left).
    Unreachable,
    /// The server answered with an error: its status and its sentence.
    Failed { status: u16, message: String },
}

impl CallError {
    /// The sentence to show after a localized prefix.
    pub fn message(&self, unreachable: &str) -> String {
        match self {
            CallError::Unreachable => unreachable.to_string(),
            CallError::Failed { status, message } if message.trim().is_empty() => {
                format!("HTTP {status}")
            }
            CallError::Failed { message, .. } => message.clone(),
        }
    }
}

async fn call(
    method: &str,
    path: &str,
    key: &str,
    body: Option<String>,
) -> Result<Response, CallError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(b) = &body {
        init.set_body(&JsValue::from_str(b));
    }
    let req = Request::new_with_str_and_init(path, &init).map_err(|_| CallError::Unreachable)?;
    if body.is_some() {
        let _ = req.headers().set("Content-Type", "application/json");
    }
    let _ = req.headers().set("Authorization", &format!("Bearer {key}"));
    let resp = JsFuture::from(platform::window().fetch_with_request(&req))
        .await
        .map_err(|_| CallError::Unreachable)?;
    let resp: Response = resp.dyn_into().map_err(|_| CallError::Unreachable)?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = text_of(&resp).await.unwrap_or_default();
    // A proxy in front of a server that is down answers 502–504.
    if matches!(status, 502..=504) {
        return Err(CallError::Unreachable);
    }
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or(text);
    Err(CallError::Failed { status, message })
}

async fn text_of(resp: &Response) -> Result<String, CallError> {
    let t = resp.text().map_err(|_| CallError::Unreachable)?;
    Ok(JsFuture::from(t)
        .await
        .map_err(|_| CallError::Unreachable)?
        .as_string()
        .unwrap_or_default())
}

async fn json_of<T: for<'de> Deserialize<'de>>(resp: Response) -> Result<T, CallError> {
    let text = text_of(&resp).await?;
    serde_json::from_str(&text).map_err(|e| CallError::Failed {
        status: resp.status(),
        message: e.to_string(),
    })
}

/// `a=b&c=d` with every value escaped.
pub fn query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// A file made for download.
#[derive(Debug, Clone)]
pub struct File {
    pub bytes: Vec<u8>,
    pub name: String,
    pub content_type: String,
}

/// `GET /api/boards/{id}/export?{query}`: the file, named as the server
/// names it (or `fallback_name`).
pub async fn export(
    id: &str,
    key: &str,
    query: &str,
    fallback_name: &str,
) -> Result<File, CallError> {
    let resp = call(
        "GET",
        &format!("/api/boards/{id}/export?{query}"),
        key,
        None,
    )
    .await?;
    let name = resp
        .headers()
        .get("Content-Disposition")
        .ok()
        .flatten()
        .and_then(|d| {
            d.split_once("filename=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(n, _)| n.to_string())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fallback_name.to_string());
    let content_type = resp
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_else(|| "application/octet-stream".into());
    let buf = JsFuture::from(resp.array_buffer().map_err(|_| CallError::Unreachable)?)
        .await
        .map_err(|_| CallError::Unreachable)?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    Ok(File {
        bytes,
        name,
        content_type,
    })
}

/// One working session of the board's history (`samskab_export::history::Session`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    /// Seconds since the Unix epoch.
    pub start: i64,
    pub end: i64,
    pub changes: usize,
    pub heads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Since {
    pub summary: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct History {
    pub heads: Vec<String>,
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub since: Option<Since>,
}

/// `GET /api/boards/{id}/history[?since=HEADS]&lang=…`.
pub async fn history(
    id: &str,
    key: &str,
    since: Option<&[String]>,
    lang: &str,
) -> Result<History, CallError> {
    let mut q = vec![("lang", lang.to_string())];
    if let Some(heads) = since {
        q.push(("since", heads.join(",")));
    }
    let path = format!("/api/boards/{id}/history?{}", query(&q));
    json_of(call("GET", &path, key, None).await?).await
}

/// `POST /api/boards/{id}/restore`: the version at `heads` back, as new changes.
pub async fn restore(id: &str, key: &str, heads: &[String]) -> Result<(), CallError> {
    let body = serde_json::json!({ "heads": heads }).to_string();
    call(
        "POST",
        &format!("/api/boards/{id}/restore"),
        key,
        Some(body),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Snapshot {
    pub url: String,
}

/// `POST /api/boards/{id}/snapshots` (facilitator link only).
pub async fn snapshot(id: &str, key: &str) -> Result<Snapshot, CallError> {
    json_of(call("POST", &format!("/api/boards/{id}/snapshots"), key, None).await?).await
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Permission {
    permission: String,
}

/// The role this device's link grants ("facilitator", "editor", "viewer").
pub async fn permission(id: &str, key: &str) -> Result<String, CallError> {
    let p: Permission =
        json_of(call("GET", &format!("/api/boards/{id}"), key, None).await?).await?;
    Ok(p.permission)
}

/// The secret this device opened the board with.
pub fn key(id: &str) -> String {
    crate::boards::recall(id).map(|r| r.key).unwrap_or_default()
}

/// A `blob:` URL for `file` (revoke it with [`revoke`]).
pub fn object_url(file: &File) -> Result<String, JsValue> {
    let array = js_sys::Uint8Array::from(file.bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(&file.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    web_sys::Url::create_object_url_with_blob(&blob)
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Starts the browser's download of `url` as `name` (a hidden `<a download>`).
pub fn save_as(url: &str, name: &str) -> Result<(), JsValue> {
    let doc = platform::window()
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(url);
    a.set_download(name);
    a.set_attribute("hidden", "")?;
    let body = doc.body().ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    Ok(())
}
