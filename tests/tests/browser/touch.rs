//! Tier 3: a 1024×768 tablet (touch emulation). A note is created by a
//! double tap, dragged by a finger and typed into after a tap; two fingers
//! pinch the zoom; every control is at least 44 px; a desktop user sees it all.
//! The tool bar is one row in Danish and in English (the rarer tools in a
//! "More" menu that a tap opens), and no note shows under the bars at the
//! bottom of the screen.
use std::time::Duration;

use fantoccini::actions::{Actions, InputSource, PointerAction, TouchActions};
use fantoccini::{Client, Locator};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::pages::{T, ZOOM, number, open_as, saved, sees_note};

fn finger(id: &str) -> TouchActions {
    TouchActions::new(id.into())
}

async fn tap(c: &Client, x: f64, y: f64, times: usize) -> anyhow::Result<()> {
    let mut f = finger("f1").then(PointerAction::MoveTo {
        duration: None,
        x,
        y,
    });
    for _ in 0..times {
        f = f
            .then(PointerAction::Down { button: 0 })
            .then(PointerAction::Pause {
                duration: Duration::from_millis(40),
            })
            .then(PointerAction::Up { button: 0 })
            .then(PointerAction::Pause {
                duration: Duration::from_millis(60),
            });
    }
    c.perform_actions(f).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablet_touch_create_drag_edit_and_pinch() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let board = server.create_board("Borgermøde").await;
    let url = server.url(&format!("/b/{}#key={}", board.id, board.editor));
    let mut chrome = Chrome::start().await?;
    let tablet = chrome.touch_session(1024, 768, "da-DK").await?;
    let desk = chrome.session(1280, 800, "da-DK").await?;
    open_as(&tablet, &url, "Karin", "citizen").await?;
    open_as(&desk, &url, "Mads", "politician").await?;
    saved(&tablet, "tablet").await?;
    assert_eq!(
        tablet
            .execute(
                "return navigator.maxTouchPoints > 0 && window.innerWidth;",
                vec![]
            )
            .await?,
        serde_json::json!(1024)
    );

    // Every control is a touch target of at least 44×44 px, and the tool
    // bars fit the width.
    let small = tablet
        .execute(
            "return [...document.querySelectorAll('button, a.btn, input[type=text]')]\
               .filter(b => b.offsetParent && (b.getBoundingClientRect().height < 44 || b.getBoundingClientRect().width < 44))\
               .map(b => b.dataset.testid || b.textContent);",
            vec![],
        )
        .await?;
    assert_eq!(small, serde_json::json!([]), "touch targets under 44 px");
    assert_eq!(
        tablet
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![]
            )
            .await?,
        serde_json::json!(true)
    );

    // A double tap on the board adds a note, with the keyboard in it.
    let canvas = tablet.find(Locator::Css("[data-testid=canvas]")).await?;
    let (cx, cy, cw, ch) = canvas.rectangle().await?;
    tap(&tablet, cx + cw / 2.0, cy + ch / 2.0, 2).await?;
    eventually(
        &tablet,
        T,
        "note by double tap",
        "return document.querySelectorAll('[data-testid=note]').length === 1 && document.activeElement.dataset.testid === 'note-text';",
    )
    .await?;
    tablet
        .active_element()
        .await?
        .send_keys("Flere bænke i parken")
        .await?;
    sees_note(&desk, "desk", "Flere bænke i parken").await?;

    // A finger drags the note by its grip.
    let grip = tablet.find(Locator::Css("[data-testid=note-grip]")).await?;
    let (gx, gy, gw, gh) = grip.rectangle().await?;
    let before = number(
        &desk,
        "return new DOMMatrix(getComputedStyle(document.querySelector('[data-testid=note]')).transform).e;",
    )
    .await?;
    let drag = finger("f1")
        .then(PointerAction::MoveTo {
            duration: None,
            x: gx + gw / 2.0 - 40.0,
            y: gy + gh / 2.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: -100.0,
            y: 30.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: -100.0,
            y: 30.0,
        })
        .then(PointerAction::Up { button: 0 });
    tablet.perform_actions(drag).await?;
    eventually(
        &desk,
        T,
        "moved for the desk",
        &format!(
            "const e = new DOMMatrix(getComputedStyle(document.querySelector('[data-testid=note]')).transform).e; \
             return Math.abs(e - ({before} - 200)) < 4;"
        ),
    )
    .await?;

    // A tap in the text puts the caret there; typing edits the note.
    let text = tablet.find(Locator::Css("[data-testid=note-text]")).await?;
    let (tx, ty, tw, th) = text.rectangle().await?;
    tap(&tablet, tx + tw - 20.0, ty + th - 20.0, 1).await?;
    eventually(
        &tablet,
        T,
        "caret in the note",
        "return document.activeElement.dataset.testid === 'note-text';",
    )
    .await?;
    tablet
        .execute(
            "const t = document.activeElement; t.setSelectionRange(t.value.length, t.value.length);",
            vec![],
        )
        .await?;
    tablet
        .active_element()
        .await?
        .send_keys(" og træer")
        .await?;
    sees_note(&desk, "desk", "Flere bænke i parken og træer").await?;
    screenshot(&tablet, "touch-01-note-by-touch").await?;

    // Two fingers pinch outwards on the background: the zoom grows.
    let z0 = number(&tablet, ZOOM).await?;
    let (mx, my) = (cx + cw * 0.7, cy + ch * 0.6);
    let f1 = finger("f1")
        .then(PointerAction::MoveTo {
            duration: None,
            x: mx - 40.0,
            y: my,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(300)),
            x: mx - 140.0,
            y: my,
        });
    let f2 = finger("f2")
        .then(PointerAction::MoveTo {
            duration: None,
            x: mx + 40.0,
            y: my,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(300)),
            x: mx + 140.0,
            y: my,
        });
    let f1 = f1.then(PointerAction::Up { button: 0 });
    let f2 = f2.then(PointerAction::Up { button: 0 });
    tablet.perform_actions(Actions::from(f1).and(f2)).await?;
    let z1 = number(&tablet, ZOOM).await?;
    assert!(z1 > z0 * 1.5, "pinch zoomed from {z0} to {z1}");
    screenshot(&tablet, "touch-02-after-pinch").await?;
    saved(&tablet, "tablet").await?;

    // One finger on the background pans.
    let world_x = "return new DOMMatrix(getComputedStyle(document.querySelector('[data-testid=world]')).transform).e;";
    let x0 = number(&tablet, world_x).await?;
    let pan = finger("f1")
        .then(PointerAction::MoveTo {
            duration: None,
            x: cx + 100.0,
            y: cy + ch - 150.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 150.0,
            y: 0.0,
        })
        .then(PointerAction::Up { button: 0 });
    tablet.perform_actions(pan).await?;
    let x1 = number(&tablet, world_x).await?;
    assert!((x1 - x0 - 150.0).abs() < 10.0, "panned from {x0} to {x1}");
    screenshot(&tablet, "touch-03-after-pan").await?;

    // The board at the bottom of the screen is not under the bars there:
    // "Show all" brings the note back, a finger drags it by its grip to
    // the bottom left, where the facilitation bar is, and no note shows
    // under the bar.
    for testid in ["zoom-fit", "zoom-out"] {
        let b = tablet
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await?;
        let (bx, by, bw, bh) = b.rectangle().await?;
        tap(&tablet, bx + bw / 2.0, by + bh / 2.0, 1).await?;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let note_rect = "const r = document.querySelector('[data-testid=note]').getBoundingClientRect(); \
                     return [r.left, r.top, r.height];";
    let at = tablet.execute(note_rect, vec![]).await?;
    let (nx, ny) = (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0));
    assert!(
        at[2].as_f64().unwrap_or(0.0) > 60.0,
        "the note is big enough to reach the bottom bar: {at}"
    );
    let target_top = 768.0 - 90.0;
    let grip = tablet.find(Locator::Css("[data-testid=note-grip]")).await?;
    let (gx, gy, gw, gh) = grip.rectangle().await?;
    let down = finger("f1")
        .then(PointerAction::MoveTo {
            duration: None,
            x: gx + gw / 2.0 - 40.0,
            y: gy + gh / 2.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(300)),
            x: cx + 24.0 - nx,
            y: target_top - ny,
        })
        .then(PointerAction::Up { button: 0 });
    tablet.perform_actions(down).await?;
    let moved = tablet.execute(note_rect, vec![]).await?;
    assert!(
        (moved[1].as_f64().unwrap_or(0.0) - target_top).abs() < 10.0,
        "the note is at the bottom now: {moved}"
    );
    screenshot(&tablet, "touch-04-note-at-the-bottom").await?;
    // What of each note shows (its rectangle cut to the board's visible
    // area) meets none of the bars at the bottom.
    let covered = tablet
        .execute(
            "const c = document.querySelector('[data-testid=canvas]').getBoundingClientRect(); \
              const cut = (r, c) => ({ l: Math.max(r.left, c.left), t: Math.max(r.top, c.top), \
              r: Math.min(r.right, c.right), b: Math.min(r.bottom, c.bottom) }); \
              const meets = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; \
              const bars = [...document.querySelectorAll('.facil-dock, [data-testid=facil-strip]')] \
              .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0) \
              .map(r => ({ l: r.left, t: r.top, r: r.right, b: r.bottom })); \
              if (bars.length === 0) return 'no bars'; \
              return [...document.querySelectorAll('[data-testid=note]')] \
              .map(n => cut(n.getBoundingClientRect(), c)).filter(v => v.r > v.l && v.b > v.t) \
              .filter(v => bars.some(b => meets(v, b))).length;",
            vec![],
        )
        .await?;
    assert_eq!(
        covered,
        serde_json::json!(0),
        "notes under the bars at the bottom"
    );

    // The tool bar is one row at 1024 px, in Danish and in English; the
    // tools used less often are in "More", opened by a tap, every one
    // 44 px or more and on the screen.
    for lang in ["da", "en"] {
        if lang == "en" {
            tablet
                .find(Locator::Css("[data-testid=language-switch]"))
                .await?
                .click()
                .await?;
            eventually(
                &tablet,
                T,
                "English",
                "return document.documentElement.lang === 'en' || null;",
            )
            .await?;
        }
        let rows = tablet
            .execute(
                "const t = document.querySelector('[data-testid=toolbar]'); \
                  const rs = [...t.children].filter(e => e.offsetParent && e.getBoundingClientRect().height > 0) \
                  .map(e => e.getBoundingClientRect()); \
                  const first = Math.min(...rs.map(r => r.bottom)); \
                  const rows = rs.some(r => r.top >= first) ? 2 : 1; \
                  return [rows, Math.round(t.getBoundingClientRect().height)];",
                vec![],
            )
            .await?;
        assert_eq!(rows[0], serde_json::json!(1), "{lang}: toolbar rows {rows}");
        assert!(
            rows[1].as_f64().unwrap_or(999.0) < 2.0 * 44.0,
            "{lang}: the toolbar is one row high: {rows}"
        );
        let more = tablet
            .find(Locator::Css("[data-testid=toolbar-more]"))
            .await?;
        let (mx, my, mw, mh) = more.rectangle().await?;
        tap(&tablet, mx + mw / 2.0, my + mh / 2.0, 1).await?;
        let items = eventually(
            &tablet,
            T,
            "the More menu open",
            "const m = document.querySelector('[data-testid=toolbar-more-items]'); \
              if (!m.offsetParent) return null; \
              return [...m.querySelectorAll('button')].map(b => { const r = b.getBoundingClientRect(); \
              return [b.dataset.testid, b.textContent.trim(), r.width >= 44 && r.height >= 44 \
              && r.left >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight]; });",
        )
        .await?;
        let items: Vec<(String, String, bool)> = serde_json::from_value(items)?;
        let ids: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(
            ids,
            ["add-frame", "tool-connect", "redo", "view-list"],
            "{lang}"
        );
        assert!(
            items.iter().all(|i| i.2 && !i.1.is_empty()),
            "{lang}: named, 44 px, on screen: {items:?}"
        );
        screenshot(&tablet, &format!("touch-05-toolbar-more-{lang}")).await?;
        // A choice closes it: "Frame" adds a frame.
        let frames = number(
            &tablet,
            "return document.querySelectorAll('[data-testid=frame]').length;",
        )
        .await?;
        let frame = tablet.find(Locator::Css("[data-testid=add-frame]")).await?;
        let (fx, fy, fw, fh) = frame.rectangle().await?;
        tap(&tablet, fx + fw / 2.0, fy + fh / 2.0, 1).await?;
        eventually(
            &tablet,
            T,
            "a frame more, the menu closed",
            &format!(
                "return (document.querySelectorAll('[data-testid=frame]').length === {} \
                   && !document.querySelector('[data-testid=toolbar-more-items]').offsetParent) || null;",
                frames + 1.0
            ),
        )
        .await?;
    }
    // By keyboard too: Enter on "More" opens it, Tab reaches its first
    // tool, Escape closes it and puts the focus back on "More".
    let more = tablet
        .find(Locator::Css("[data-testid=toolbar-more]"))
        .await?;
    tablet
        .execute(
            "document.querySelector('[data-testid=toolbar-more]').focus(); return true;",
            vec![],
        )
        .await?;
    more.send_keys("\u{E007}").await?;
    eventually(
        &tablet,
        T,
        "open by Enter",
        "return document.querySelector('[data-testid=toolbar-more]').getAttribute('aria-expanded') === 'true' \
           && !!document.querySelector('[data-testid=toolbar-more-items]').offsetParent;",
    )
    .await?;
    tablet.active_element().await?.send_keys("\u{E004}").await?;
    eventually(
        &tablet,
        T,
        "Tab to the first tool in the menu",
        "return document.activeElement.dataset.testid === 'add-frame';",
    )
    .await?;
    tablet.active_element().await?.send_keys("\u{E00C}").await?;
    eventually(
        &tablet,
        T,
        "closed by Escape, focus back on More",
        "return !document.querySelector('[data-testid=toolbar-more-items]').offsetParent \
           && document.activeElement.dataset.testid === 'toolbar-more';",
    )
    .await?;
    tablet.close().await?;
    desk.close().await?;
    Ok(())
}
