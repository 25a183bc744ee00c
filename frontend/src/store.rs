//! The board kept on this device, in IndexedDB: per board, the saved
//! Automerge document and the hashes of our changes the server has not yet
//! acknowledged. The page loads it before the websocket connects, so what
//! was written offline survives a reload or a closed tab and is sent when the
//! connection returns.
use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB: &str = "samskab";
const STORE: &str = "boards";

/// One board as kept on this device.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub doc: Vec<u8>,
    /// Change hashes (hex) the server has not acknowledged.
    pub unacked: Vec<String>,
    pub title: String,
}

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn error(what: &str) -> JsValue {
    JsValue::from_str(what)
}

/// Resolves when `req` succeeds (with its result) or fails.
async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let r = req.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = r.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let fail = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &error("indexeddb request failed"));
        });
        r.set_onsuccess(Some(ok.unchecked_ref()));
        r.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

/// Resolves when the transaction has committed (the data is on disk).
async fn committed(tx: &IdbTransaction) -> Result<(), JsValue> {
    let t = tx.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject2 = reject.clone();
        let fail = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &error("indexeddb write failed"));
        });
        let abort = Closure::once_into_js(move || {
            let _ = reject2.call1(&JsValue::NULL, &error("indexeddb write aborted"));
        });
        t.set_oncomplete(Some(ok.unchecked_ref()));
        t.set_onerror(Some(fail.unchecked_ref()));
        t.set_onabort(Some(abort.unchecked_ref()));
    });
    JsFuture::from(promise).await.map(|_| ())
}

async fn db() -> Result<IdbDatabase, JsValue> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Ok(db);
    }
    let factory = crate::platform::window()
        .indexed_db()?
        .ok_or_else(|| error("no indexeddb"))?;
    let open: IdbOpenDbRequest = factory.open_with_u32(DB, 1)?;
    let upgrade = Closure::once_into_js(move |e: web_sys::Event| {
        let db = e
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db
            && !db.object_store_names().contains(STORE)
        {
            let _ = db.create_object_store(STORE);
        }
    });
    open.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = request(&open).await?.dyn_into()?;
    OPEN.with(|o| *o.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// The board `id` as kept on this device, if it is.
pub async fn load(id: &str) -> Option<Kept> {
    let inner = async {
        let db = db().await?;
        let tx = db.transaction_with_str(STORE)?;
        let value = request(&tx.object_store(STORE)?.get(&JsValue::from_str(id))?).await?;
        Ok::<_, JsValue>(value)
    };
    let value = inner.await.ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let doc = Reflect::get(&value, &"doc".into()).ok()?;
    let doc = doc.dyn_into::<Uint8Array>().ok()?.to_vec();
    let unacked = Reflect::get(&value, &"unacked".into())
        .ok()
        .and_then(|a| a.dyn_into::<Array>().ok())
        .map(|a| a.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    let title = Reflect::get(&value, &"title".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    Some(Kept {
        doc,
        unacked,
        title,
    })
}

/// Keeps the board `id` on this device; resolves once it is written.
pub async fn save(id: &str, kept: &Kept) -> Result<(), JsValue> {
    let db = db().await?;
    let value = Object::new();
    Reflect::set(
        &value,
        &"doc".into(),
        &Uint8Array::from(kept.doc.as_slice()),
    )?;
    let unacked: Array = kept.unacked.iter().map(|h| JsValue::from_str(h)).collect();
    Reflect::set(&value, &"unacked".into(), &unacked)?;
    Reflect::set(&value, &"title".into(), &JsValue::from_str(&kept.title))?;
    Reflect::set(
        &value,
        &"saved_at".into(),
        &JsValue::from_f64(js_sys::Date::now()),
    )?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    tx.object_store(STORE)?
        .put_with_key(&value, &JsValue::from_str(id))?;
    committed(&tx).await
}
