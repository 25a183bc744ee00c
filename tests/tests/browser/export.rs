//! Tier 3: export, history and public snapshots in the browser, at
//! 1024×768. A board from an earlier meeting (imported with its history,
//! three hours old) gets a new note today. The facilitator exports the
//! minutes (Markdown), an SVG image and an A3 PDF through the export panel
//! and checks the downloaded bytes, publishes a public snapshot, opens the
//! history ("what changed since the last meeting", one version per
//! meeting), previews the earlier meeting's version and restores it; the
//! board then shows that version. Last, with the network gone, the SVG and
//! the minutes are still made in the browser from the board on the device.
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use samskab_board::{Board, Color, Ctx, Op};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::gate::Gate;
use samskab_tests::pages::{NOTE_TEXTS, T, open_as, open_consenting, saved, sees_note, texts};
use serde_json::Value;

const DISH: &str = "Blåbærgrød på Ærø";
const PATH: &str = "Cykelsti langs åen";
const TODAY: &str = "Ny idé i dag";

/// Collects uncaught errors in the page into `window.__errors` (a panic in
/// the wasm build shows as "RuntimeError: unreachable").
const ERRORS: &str = "window.__errors = []; \
     addEventListener('error', e => __errors.push(String(e.message))); \
     addEventListener('unhandledrejection', e => __errors.push(String(e.reason)));";

/// Last meeting's board: made three hours ago, so that today's edits are a
/// meeting of their own in the history.
fn earlier_meeting() -> Board {
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3 * 3600 * 1000;
    let ctx = |minutes: i64| Ctx::new("anna", t0 + minutes * 60_000);
    let mut b = Board::create(&[3; 16], "Borgermøde om åen", &ctx(0)).unwrap();
    b.apply(
        &Op::CreateFrame {
            id: "f1".into(),
            name: "Idéer".into(),
            x: 20.0,
            y: 20.0,
            w: 520.0,
            h: 320.0,
            color: Color::Blue,
        },
        &ctx(1),
    )
    .unwrap();
    for (i, (id, text)) in [("n1", DISH), ("n2", PATH)].into_iter().enumerate() {
        b.apply(
            &Op::CreateNote {
                id: id.into(),
                x: 60.0 + 240.0 * i as f64,
                y: 80.0,
                color: Color::Yellow,
                text: text.into(),
            },
            &ctx(2 + i as i64),
        )
        .unwrap();
    }
    b.apply(
        &Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some("f1".into()),
        },
        &ctx(5),
    )
    .unwrap();
    b
}

/// Imports `board` with its history: (id, facilitator secret, viewer secret).
async fn import(server: &TestServer, mut board: Board) -> anyhow::Result<(String, String, String)> {
    let res = reqwest::Client::new()
        .post(server.url("/api/boards/import"))
        .body(board.save())
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "import: {}", res.status());
    let v: Value = res.json().await?;
    let key = |role: &str| {
        let link = v["links"][role].as_str().unwrap_or_default();
        link.split_once("#key=")
            .map(|(_, k)| k.to_string())
            .unwrap_or_default()
    };
    Ok((
        v["id"].as_str().unwrap_or_default().into(),
        key("facilitator"),
        key("viewer"),
    ))
}

async fn click(c: &Client, testid: &str) -> anyhow::Result<()> {
    c.find(Locator::Css(&format!("[data-testid={testid}]")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Picks a format and downloads it; returns (file name, bytes, made offline),
/// read back through the page's "download again" link (the same blob URL
/// the download used).
async fn export_as(c: &Client, ext: &str) -> anyhow::Result<(String, Vec<u8>, bool)> {
    click(c, &format!("export-format-{ext}")).await?;
    click(c, "export-download").await?;
    let name = eventually(
        c,
        T,
        &format!("{ext} exported"),
        &format!(
            "const e = document.querySelector('[data-testid=export-error]'); if (e) return 'error: ' + e.textContent; \
             const n = document.querySelector('[data-testid=export-name]'); \
             return n && n.textContent.endsWith('.{ext}') ? n.textContent : null;"
        ),
    )
    .await?;
    let name = name.as_str().unwrap_or_default().to_string();
    anyhow::ensure!(!name.starts_with("error: "), "{name}");
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const a = document.querySelector('[data-testid=export-link]');
             fetch(a.href).then(r => r.arrayBuffer())
               .then(b => done(Array.from(new Uint8Array(b))))
               .catch(e => done('error: ' + e));",
            vec![],
        )
        .await?;
    let bytes: Vec<u8> = serde_json::from_value(got.clone())
        .map_err(|_| anyhow::anyhow!("reading the download: {got}"))?;
    let offline = c
        .execute(
            "return !!document.querySelector('[data-testid=export-offline]');",
            vec![],
        )
        .await?
        == Value::Bool(true);
    Ok((name, bytes, offline))
}

/// Every text node of an SVG, joined by spaces (an independent XML parser).
fn svg_text(bytes: &[u8]) -> anyhow::Result<String> {
    let s = std::str::from_utf8(bytes)?;
    let doc = roxmltree::Document::parse(s)?;
    anyhow::ensure!(doc.root_element().tag_name().name() == "svg");
    Ok(doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_history_restore_and_snapshot_in_the_browser() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let gate = Gate::start(server.addr).await;
    let (id, key, viewer_key) = import(&server, earlier_meeting()).await?;
    let mut chrome = Chrome::start().await?;
    let c = chrome.session(1024, 768, "en-GB").await?;
    open_as(
        &c,
        &gate.url(&format!("/b/{id}#key={key}")),
        "Bo",
        "politician",
    )
    .await?;
    sees_note(&c, "Bo", DISH).await?;
    c.execute(ERRORS, vec![]).await?;

    // Today's meeting adds a note.
    click(&c, "add-note").await?;
    eventually(
        &c,
        T,
        "new note focused",
        "return document.activeElement.dataset.testid === 'note-text';",
    )
    .await?;
    c.active_element().await?.send_keys(TODAY).await?;
    sees_note(&c, "Bo", TODAY).await?;
    saved(&c, "Bo").await?;

    // The export panel.
    click(&c, "export").await?;
    eventually(
        &c,
        T,
        "export panel",
        "return !!document.querySelector('[data-testid=export-panel]');",
    )
    .await?;
    screenshot(&c, "export-01-panel").await?;
    // Every control in it is a touch target of at least 44 px.
    let small = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=export-panel] :is(button, select, label.choice, a.btn)')] \
               .filter(e => e.getClientRects().length) \
               .map(e => e.getBoundingClientRect()) \
               .filter(r => r.height < 44 || r.width < 44).length;",
            vec![],
        )
        .await?;
    assert_eq!(small, Value::from(0), "controls smaller than 44 px");

    let (name, md, offline) = export_as(&c, "md").await?;
    assert!(!offline, "the server made the minutes");
    assert_eq!(name, "Borgerm-de-om-en.md");
    let md = String::from_utf8(md)?;
    for text in [DISH, PATH, TODAY] {
        assert!(md.contains(text), "{text:?} in the minutes:\n{md}");
    }

    let (name, svg, _) = export_as(&c, "svg").await?;
    assert!(name.ends_with(".svg"));
    let words = svg_text(&svg)?;
    for text in [DISH, PATH, TODAY] {
        assert!(words.contains(text), "{text:?} in the SVG: {words}");
    }

    // A3 portrait PDF of the frame only.
    click(&c, "export-format-pdf").await?;
    click(&c, "export-paper-a3").await?;
    click(&c, "export-portrait").await?;
    c.execute(
        "const s = document.querySelector('[data-testid=export-scope]'); s.value = 'frame:f1'; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )
    .await?;
    let (_, pdf, _) = export_as(&c, "pdf").await?;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let doc = lopdf::Document::load_mem(&pdf)?;
    let (_, page) = doc.get_pages().into_iter().next().expect("a page");
    let media = doc
        .get_object(page)?
        .as_dict()?
        .get(b"MediaBox")?
        .as_array()?
        .iter()
        .map(|o| o.as_float().unwrap_or(0.0))
        .collect::<Vec<_>>();
    // A3 portrait: 297 × 420 mm, taller than wide.
    assert!(
        (media[2] - 842.0).abs() < 2.0 && (media[3] - 1191.0).abs() < 2.0,
        "{media:?}"
    );
    screenshot(&c, "export-02-pdf-done").await?;

    // A public snapshot, on the facilitator link.
    click(&c, "snapshot-create").await?;
    let url = eventually(
        &c,
        T,
        "snapshot link",
        "const i = document.querySelector('[data-testid=snapshot-url]'); return i && i.value ? i.value : null;",
    )
    .await?;
    let url = url.as_str().unwrap_or_default().to_string();
    assert!(url.contains("/s/"), "{url}");
    let page = reqwest::get(&url).await?;
    assert_eq!(page.status(), 200);
    assert!(page.text().await?.contains("Borgermøde om åen"));
    screenshot(&c, "export-03-snapshot").await?;

    // History: two meetings, and what changed since the last one.
    click(&c, "history").await?;
    let summary = eventually(
        &c,
        T,
        "history with two meetings and a summary",
        "const rows = document.querySelectorAll('[data-testid=history-session]'); \
         const s = document.querySelector('[data-testid=history-summary]'); \
         return rows.length === 2 && s ? [...s.querySelectorAll('li')].map(l => l.textContent) : null;",
    )
    .await?;
    assert!(
        texts(&summary).contains(&"1 new note".to_string()),
        "{summary}"
    );
    screenshot(&c, "export-04-history").await?;

    // Preview the earlier meeting's version.
    c.find(Locator::Css(
        "[data-testid=history-session][data-index='0'] [data-testid=history-show]",
    ))
    .await?
    .click()
    .await?;
    eventually(
        &c,
        T,
        "preview image loaded",
        "const i = document.querySelector('[data-testid=history-preview-image]'); \
         return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await?;
    screenshot(&c, "export-05-preview").await?;

    // Restore it: today's note goes, the earlier notes stay.
    c.find(Locator::Css(
        "[data-testid=history-session][data-index='0'] [data-testid=history-restore]",
    ))
    .await?
    .click()
    .await?;
    click(&c, "restore-yes").await?;
    eventually(
        &c,
        T,
        "restored",
        "return !!document.querySelector('[data-testid=restore-done]');",
    )
    .await?;
    let shown = eventually(
        &c,
        T,
        "board shows the restored version",
        &format!(
            "const t = (() => {{ {NOTE_TEXTS} }})(); \
             return t.length === 2 && !t.includes({TODAY:?}) ? t : null;"
        ),
    )
    .await?;
    let mut shown = texts(&shown);
    shown.sort();
    assert_eq!(shown, vec![DISH.to_string(), PATH.to_string()]);
    screenshot(&c, "export-06-restored").await?;
    // Escape closes the panel and gives the focus back to its button.
    c.execute(
        "document.querySelector('[data-testid=history-show]').focus();",
        vec![],
    )
    .await?;
    c.perform_actions(
        KeyActions::new("kb".into())
            .then(KeyAction::Down {
                value: Key::Escape.into(),
            })
            .then(KeyAction::Up {
                value: Key::Escape.into(),
            }),
    )
    .await?;
    eventually(
        &c,
        T,
        "history closed, focus on its button",
        "return !document.querySelector('[data-testid=history-panel]') \
           && document.activeElement.dataset.testid === 'history';",
    )
    .await?;

    // Offline: the browser makes the SVG and the minutes itself.
    click(&c, "export").await?;
    gate.close().await;
    eventually(
        &c,
        T,
        "offline",
        "return document.querySelector('[data-testid=status]').dataset.state === 'offline';",
    )
    .await?;
    let (name, svg, offline) = export_as(&c, "svg").await?;
    assert!(offline, "made on the device");
    assert_eq!(name, "Borgerm-de-om-en.svg", "named as the server names it");
    let words = svg_text(&svg)?;
    assert!(words.contains(DISH) && !words.contains(TODAY), "{words}");
    let (_, md, offline) = export_as(&c, "md").await?;
    assert!(offline);
    assert!(String::from_utf8(md)?.contains(DISH));
    // PNG needs the server: a clear message instead.
    click(&c, "export-format-png").await?;
    click(&c, "export-download").await?;
    let err = eventually(
        &c,
        T,
        "PNG refused offline",
        "const e = document.querySelector('[data-testid=export-error]'); return e ? e.textContent : null;",
    )
    .await?;
    assert!(err.as_str().unwrap_or_default().contains("server"), "{err}");
    screenshot(&c, "export-07-offline").await?;
    let errors = c.execute("return window.__errors;", vec![]).await?;
    assert_eq!(errors, serde_json::json!([]), "errors in the page");
    c.close().await?;

    // A viewer, in Danish, may export too, but neither publish nor restore.
    let v = chrome.session(1024, 768, "da-DK").await?;
    open_as(
        &v,
        &server.url(&format!("/b/{id}#key={viewer_key}")),
        "Cecilie",
        "citizen",
    )
    .await?;
    sees_note(&v, "Cecilie", DISH).await?;
    click(&v, "export").await?;
    let (name, md, offline) = export_as(&v, "md").await?;
    assert!(!offline);
    assert!(name.ends_with(".md"));
    assert!(String::from_utf8(md)?.contains(DISH));
    screenshot(&v, "export-08-viewer-da").await?;
    assert_eq!(
        v.execute(
            "return !!document.querySelector('[data-testid=snapshot-section]');",
            vec![]
        )
        .await?,
        Value::Bool(false),
        "no snapshot for a viewer"
    );
    click(&v, "history").await?;
    eventually(
        &v,
        T,
        "viewer's history",
        "return document.querySelectorAll('[data-testid=history-show]').length >= 2;",
    )
    .await?;
    assert_eq!(
        v.execute(
            "return document.querySelectorAll('[data-testid=history-restore]').length;",
            vec![]
        )
        .await?,
        Value::from(0),
        "no restore for a viewer"
    );
    screenshot(&v, "export-09-viewer-history-da").await?;
    // Closing the panel while a preview is on its way is no error (the
    // answer finds the panel gone).
    v.execute(ERRORS, vec![]).await?;
    v.execute(
        "document.querySelector('[data-testid=history-show]').click(); \
         document.querySelector('[data-testid=history-panel-close]').click();",
        vec![],
    )
    .await?;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let errors = v.execute("return window.__errors;", vec![]).await?;
    assert_eq!(errors, serde_json::json!([]), "errors in the page");
    click(&v, "history").await?;
    eventually(
        &v,
        T,
        "history opens again",
        "return document.querySelectorAll('[data-testid=history-show]').length >= 2;",
    )
    .await?;
    v.close().await?;
    Ok(())
}

/// Publishes a public snapshot of board `id` with the facilitator's secret
/// and returns its JSON export as text (what the town can download).
async fn public_json(server: &TestServer, id: &str, key: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let res = http
        .post(server.url(&format!("/api/boards/{id}/snapshots")))
        .bearer_auth(key)
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "snapshot: {}", res.status());
    let v: Value = res.json().await?;
    let url = v["url"].as_str().unwrap_or_default().to_string();
    let res = http.get(format!("{url}/export/json")).send().await?;
    anyhow::ensure!(res.status() == 200, "snapshot json: {}", res.status());
    Ok(res.text().await?)
}

/// Consent to be named: Anna ticks "my name may appear in public
/// snapshots" when she joins, Bo does not. The public snapshot names Anna
/// and shows Bo only as his role group. Bo changes his mind later in the
/// Facilitation panel, and the next snapshot names him too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_given_in_the_join_dialog_names_only_that_person_in_a_public_snapshot()
-> anyhow::Result<()> {
    const ANNA: &str = "Anna Æbelø";
    const BO: &str = "Bo Nørgaard";
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let res = reqwest::Client::new()
        .post(server.url("/api/boards"))
        .json(&serde_json::json!({ "title": "Høring om åen" }))
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "create: {}", res.status());
    let v: Value = res.json().await?;
    let id = v["id"].as_str().unwrap_or_default().to_string();
    let link = |role: &str| v["links"][role].as_str().unwrap_or_default().to_string();
    let key = link("facilitator")
        .split_once("#key=")
        .map(|(_, k)| k.to_string())
        .unwrap_or_default();
    let local = |l: String| server.url(&l[l.find("/b/").unwrap_or(0)..]);

    let mut chrome = Chrome::start().await?;
    let anna = chrome.session(1024, 768, "en-GB").await?;
    let bo = chrome.session(1024, 768, "en-GB").await?;
    anna.goto(&local(link("facilitator"))).await?;
    eventually(
        &anna,
        T,
        "join dialog",
        "return !!document.querySelector('[data-testid=join-dialog]');",
    )
    .await?;
    // A name is needed: joining without one says so.
    click(&anna, "join").await?;
    eventually(
        &anna,
        T,
        "missing name explained",
        "return !!document.querySelector('[data-testid=join-error]');",
    )
    .await?;
    screenshot(&anna, "consent-01-join-dialog").await?;
    open_consenting(&anna, &local(link("facilitator")), ANNA, "citizen", true).await?;
    open_consenting(&bo, &local(link("editor")), BO, "politician", false).await?;

    // Both are on the board's list of participants; only Anna agreed.
    // The Facilitation panel opened, the state of my consent box once I am
    // on the list.
    let consent_box = "const t = document.querySelector('[data-testid=facil-toggle]'); \
         if (t && t.getAttribute('aria-expanded') !== 'true') t.click(); \
         const b = document.querySelector('[data-testid=my-name-consent]'); \
         return b ? (b.checked ? 'ticked' : 'not ticked') : null;";
    let anna_box = eventually(&anna, T, "Anna's consent box", consent_box).await?;
    assert_eq!(anna_box, "ticked", "Anna agreed when she joined");
    let bo_box = eventually(&bo, T, "Bo's consent box", consent_box).await?;
    assert_eq!(bo_box, "not ticked", "Bo did not");
    saved(&anna, "Anna").await?;
    saved(&bo, "Bo").await?;
    screenshot(&bo, "consent-02-panel").await?;

    let json = public_json(&server, &id, &key).await?;
    assert!(json.contains(ANNA), "Anna agreed to be named:\n{json}");
    assert!(!json.contains(BO), "Bo did not agree to be named:\n{json}");
    assert!(!json.contains("Nørgaard"), "not even his surname:\n{json}");

    // Bo changes his mind; the next snapshot names him.
    bo.find(Locator::Css("[data-testid=my-name-consent]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "Bo's consent ticked",
        "return document.querySelector('[data-testid=my-name-consent]').checked || null;",
    )
    .await?;
    saved(&bo, "Bo").await?;
    let json = public_json(&server, &id, &key).await?;
    assert!(
        json.contains(ANNA) && json.contains(BO),
        "both named now:\n{json}"
    );
    anna.close().await?;
    bo.close().await?;
    Ok(())
}
