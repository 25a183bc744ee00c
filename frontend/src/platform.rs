//! Small wrappers around browser APIs: time, randomness, storage, location.
use wasm_bindgen::JsCast;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// Milliseconds since the Unix epoch (the model takes time as input).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the browser's crypto.getRandomValues");
    buf
}

/// A fresh random id for notes and participants.
pub fn random_id() -> String {
    hex::encode(random_bytes::<8>())
}

pub fn local_get(key: &str) -> Option<String> {
    window()
        .local_storage()
        .ok()
        .flatten()?
        .get_item(key)
        .ok()
        .flatten()
}

pub fn local_set(key: &str, value: &str) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(key, value);
    }
}

/// `s` in upper case by the browser's own Unicode tables
/// (`str::to_uppercase` would bring a copy of them into the download).
pub fn uppercase(s: &str) -> String {
    js_sys::JsString::from(s).to_upper_case().into()
}

pub fn browser_languages() -> Vec<String> {
    let nav = window().navigator();
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if let Some(l) = nav.language() {
        out.push(l);
    }
    out
}

pub fn set_document_lang(code: &str) {
    if let Some(el) = window().document().and_then(|d| d.document_element()) {
        let _ = el.set_attribute("lang", code);
    }
}

pub fn pathname() -> String {
    window().location().pathname().unwrap_or_default()
}

pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The link secret in the URL fragment (`#key=…`), if any.
pub fn fragment_key() -> Option<String> {
    let hash = window().location().hash().ok()?;
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("key="))
        .map(str::to_string)
        .filter(|k| !k.is_empty())
}

pub fn navigate(path: &str) {
    let _ = window().location().set_href(path);
}

/// The websocket address of this server.
pub fn ws_url() -> String {
    let loc = window().location();
    let scheme = if loc.protocol().unwrap_or_default() == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{}/ws", loc.host().unwrap_or_default())
}

/// Calls `f` after `ms` milliseconds.
pub fn set_timeout(ms: i32, f: impl FnOnce() + 'static) {
    let cb = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}

pub fn copy_to_clipboard(text: &str) {
    let _ = window().navigator().clipboard().write_text(text);
}

/// How much of the canvas is visible above the on-screen keyboard: the
/// visual viewport's bottom, measured from the canvas's top edge.
pub fn visible_canvas_height() -> f64 {
    let w = window();
    let canvas_top = w
        .document()
        .and_then(|d| d.query_selector("[data-testid=canvas]").ok().flatten())
        .map(|c| c.get_bounding_client_rect().top())
        .unwrap_or(0.0);
    let bottom = match w.visual_viewport() {
        Some(v) => v.offset_top() + v.height(),
        None => w
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(768.0),
    };
    bottom - canvas_top
}

/// Calls `f` when the visual viewport changes size (the on-screen keyboard
/// opens or closes).
pub fn on_visual_viewport_resize(f: impl FnMut() + 'static) {
    if let Some(v) = window().visual_viewport() {
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(f);
        let _ = v.add_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
        cb.forget();
    }
}
