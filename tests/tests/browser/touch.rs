//! Tier 3: a 1024×768 tablet (touch emulation). A note is created by a
//! double tap, dragged by a finger and typed into after a tap; two fingers
//! pinch the zoom; every control is at least 44 px; a desktop user sees it all.
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
    tablet.close().await?;
    desk.close().await?;
    Ok(())
}
