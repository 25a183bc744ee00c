//! Steps on Samskab's pages that several browser tests share.
use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::browser::eventually;

pub const T: Duration = Duration::from_secs(20);

/// The texts of the notes on the page, in page order.
pub const NOTE_TEXTS: &str =
    "return [...document.querySelectorAll('[data-testid=note-text]')].map(e => e.value);";

pub fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Opens `url` and, if the page asks who this is, answers.
pub async fn open_as(c: &Client, url: &str, name: &str, role: &str) -> anyhow::Result<()> {
    open_consenting(c, url, name, role, false).await
}

/// As [`open_as`]; with `consent`, also ticks "my name may appear in
/// public snapshots" in the join dialog.
pub async fn open_consenting(
    c: &Client,
    url: &str,
    name: &str,
    role: &str,
    consent: bool,
) -> anyhow::Result<()> {
    c.goto(url).await?;
    let found = eventually(
        c,
        T,
        "board or join dialog",
        "return document.querySelector('[data-testid=join-dialog]') ? 'join' : \
         (document.querySelector('[data-testid=canvas], [data-testid=mindmap-view], [data-testid=list-view]') ? 'board' : null);",
    )
    .await?;
    if found == "join" {
        c.find(Locator::Css("[data-testid=display-name]"))
            .await?
            .send_keys(name)
            .await?;
        c.find(Locator::Css(&format!("[data-testid=role-{role}]")))
            .await?
            .click()
            .await?;
        if consent {
            c.find(Locator::Css("[data-testid=name-consent]"))
                .await?
                .click()
                .await?;
        }
        c.find(Locator::Css("[data-testid=join]"))
            .await?
            .click()
            .await?;
    }
    eventually(
        c,
        T,
        "board shown",
        "return !!document.querySelector('[data-testid=toolbar]');",
    )
    .await?;
    Ok(())
}

/// Waits until the status says every edit is stored on the server.
pub async fn saved(c: &Client, who: &str) -> anyhow::Result<()> {
    eventually(
        c,
        T,
        &format!("{who}: saved"),
        "return document.querySelector('[data-testid=status]').dataset.state === 'saved';",
    )
    .await?;
    Ok(())
}

/// Waits until the app's service worker controls the page and keeps the
/// app on this device (its page and wasm), so that it opens without network.
pub async fn kept_for_offline(c: &Client, who: &str) -> anyhow::Result<()> {
    eventually(
        c,
        T,
        &format!("{who}: the app kept for offline use"),
        "(async () => {
            const cache = await caches.open('samskab-app');
            const kept = (await cache.keys()).map(r => new URL(r.url).pathname);
            window.__samskabKept = !!navigator.serviceWorker.controller
                && kept.includes('/') && kept.some(p => p.endsWith('.wasm'));
        })();
        return window.__samskabKept === true;",
    )
    .await?;
    Ok(())
}

/// Waits until the page shows a note with exactly this text.
pub async fn sees_note(c: &Client, who: &str, text: &str) -> anyhow::Result<Vec<String>> {
    let t = serde_json::to_string(text)?;
    let v = eventually(
        c,
        T,
        &format!("{who} sees {text:?}"),
        &format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t.includes({t}) ? t : null;"),
    )
    .await?;
    Ok(texts(&v))
}

/// Runs `script` and returns a number.
pub async fn number(c: &Client, script: &str) -> anyhow::Result<f64> {
    Ok(c.execute(script, vec![])
        .await?
        .as_f64()
        .unwrap_or(f64::NAN))
}

/// The camera's zoom as the page shows it.
pub const ZOOM: &str = "const w = document.querySelector('[data-testid=world]'); \
     return new DOMMatrix(getComputedStyle(w).transform).a;";
