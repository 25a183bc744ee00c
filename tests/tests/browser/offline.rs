//! Tier 3: offline. Anna's network goes (a gate in front of the server
//! refuses all her connections: the websocket, the API and the page). She
//! adds and edits notes, reloads the page and closes the tab; the app comes
//! from its service worker and the board from IndexedDB, with her edits;
//! when the network returns Bo sees every edit, and her status says "Saved"
//! only then.
use fantoccini::Locator;
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::gate::Gate;
use samskab_tests::pages::{NOTE_TEXTS, T, kept_for_offline, open_as, saved, sees_note, texts};

const STATE: &str = "return document.querySelector('[data-testid=status]').dataset.state;";
const STATUS: &str = "return document.querySelector('[data-testid=status]').textContent;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_survive_reload_and_merge_when_back() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let gate = Gate::start(server.addr).await;
    let board = server.create_board("Offline meeting").await;
    let mut chrome = Chrome::start().await?;
    let anna = chrome.session(1024, 768, "en-GB").await?;
    let bo = chrome.session(1024, 768, "en-GB").await?;
    let anna_url = gate.url(&format!("/b/{}#key={}", board.id, board.editor));
    let bo_url = server.url(&format!("/b/{}#key={}", board.id, board.editor));
    open_as(&anna, &anna_url, "Anna", "citizen").await?;
    open_as(&bo, &bo_url, "Bo", "administrator").await?;

    // One note while online, stored on the server.
    anna.find(Locator::Css("[data-testid=add-note]"))
        .await?
        .click()
        .await?;
    eventually(
        &anna,
        T,
        "focused",
        "return document.activeElement.dataset.testid === 'note-text';",
    )
    .await?;
    anna.active_element()
        .await?
        .send_keys("Online idea")
        .await?;
    sees_note(&bo, "Bo", "Online idea").await?;
    saved(&anna, "Anna").await?;

    // The network goes, once the app is kept on her tablet.
    kept_for_offline(&anna, "Anna").await?;
    gate.close().await;
    eventually(
        &anna,
        T,
        "offline",
        &format!("return (() => {{ {STATE} }})() === 'offline';"),
    )
    .await?;
    // She edits the first note and adds two more.
    let first = anna.find(Locator::Css("[data-testid=note-text]")).await?;
    first.click().await?;
    anna.execute(
        "const t = document.querySelector('[data-testid=note-text]'); t.setSelectionRange(t.value.length, t.value.length);",
        vec![],
    )
    .await?;
    first.send_keys(" (edited offline)").await?;
    for text in ["Offline one", "Offline two"] {
        anna.find(Locator::Css("[data-testid=add-note]"))
            .await?
            .click()
            .await?;
        eventually(&anna, T, "new note focused", "return document.activeElement.dataset.testid === 'note-text' && document.activeElement.value === '';").await?;
        anna.active_element().await?.send_keys(text).await?;
    }
    // Notes added one after another go side by side, like paper post-its:
    // every corner and the middle of each shows (none covers another).
    let corners = anna
        .execute(
            "return [...document.querySelectorAll('[data-note-id]')].map(n => {
                const r = n.getBoundingClientRect();
                return [[6, 6], [r.width - 6, 6], [6, r.height - 6], [r.width - 6, r.height - 6],
                        [r.width / 2, r.height / 2]].every(([dx, dy]) => {
                    const top = document.elementFromPoint(r.left + dx, r.top + dy);
                    return top && top.closest('[data-note-id]') === n;
                });
            });",
            vec![],
        )
        .await?;
    assert_eq!(
        corners,
        serde_json::json!([true, true, true]),
        "each note shows"
    );
    let status = eventually(
        &anna,
        T,
        "offline with changes kept",
        &format!("const s = (() => {{ {STATUS} }})(); return /Offline: [0-9]+ changes kept on this device/.test(s) ? s : null;"),
    )
    .await?;
    assert!(status.as_str().unwrap_or_default().starts_with("Offline: "));
    screenshot(&anna, "offline-01-offline-edits").await?;
    // Bo sees none of it.
    let bo_texts = texts(&bo.execute(NOTE_TEXTS, vec![]).await?);
    assert_eq!(bo_texts, vec!["Online idea".to_string()]);

    // Reload while still offline: the board comes from this device.
    // (A moment for the last write to IndexedDB.)
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    anna.refresh().await?;
    let after = eventually(
        &anna,
        T,
        "board from IndexedDB",
        &format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t.length === 3 ? t : null;"),
    )
    .await?;
    let mut got = texts(&after);
    got.sort();
    assert_eq!(
        got,
        vec!["Offline one", "Offline two", "Online idea (edited offline)"]
    );
    eventually(
        &anna,
        T,
        "still offline",
        &format!(
            "const s = (() => {{ {STATUS} }})(); return s.startsWith('Offline: ') ? s : null;"
        ),
    )
    .await?;
    screenshot(&anna, "offline-02-after-reload").await?;

    // Close the tab (a new window, the old one closed), then open the
    // board again, still offline.
    anna.new_window(true).await?;
    let handles = anna.windows().await?;
    anna.close_window().await?;
    anna.switch_to_window(handles.last().cloned().expect("new window"))
        .await?;
    anna.goto(&anna_url).await?;
    eventually(
        &anna,
        T,
        "board after closing the tab",
        &format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t.length === 3 ? t : null;"),
    )
    .await?;

    // The network returns: everything reaches Bo, and Anna's status says Saved.
    gate.open();
    for text in ["Offline one", "Offline two", "Online idea (edited offline)"] {
        sees_note(&bo, "Bo", text).await?;
    }
    saved(&anna, "Anna").await?;
    let s = anna.execute(STATUS, vec![]).await?;
    assert!(s.as_str().unwrap_or_default().contains("Saved"), "{s}");
    screenshot(&anna, "offline-03-back-online").await?;
    screenshot(&bo, "offline-04-bo-sees-all").await?;
    anna.close().await?;
    bo.close().await?;
    Ok(())
}
