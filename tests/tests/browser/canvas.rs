//! Tier 3: the canvas in two real headless Chromium browsers (and a viewer):
//! joining with a name and role group, notes by key and double-click, typing,
//! multi-select and moving together, colour, frames, arrows, resize, zoom,
//! presence, the list view, the language switch, and a viewer's keys.
use std::time::Duration;

use fantoccini::actions::{
    Actions, InputSource, KeyAction, KeyActions, MouseActions, PointerAction, WheelAction,
    WheelActions,
};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::pages::{NOTE_TEXTS, T, ZOOM, number, open_as, saved, sees_note, texts};
use samskab_tests::toolbar::click_more;

async fn press(c: &Client, key: char) -> anyhow::Result<()> {
    let keys = KeyActions::new("kb".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await?;
    Ok(())
}

async fn note_count(c: &Client) -> anyhow::Result<usize> {
    Ok(number(
        c,
        "return document.querySelectorAll('[data-testid=note]').length;",
    )
    .await? as usize)
}

/// Drags from the centre of `from` (offset by dx0, dy0) by (dx, dy), with or
/// without Shift held.
async fn drag(
    c: &Client,
    selector: &str,
    index: usize,
    (dx0, dy0): (f64, f64),
    (dx, dy): (f64, f64),
) -> anyhow::Result<()> {
    let el = c
        .find_all(Locator::Css(selector))
        .await?
        .into_iter()
        .nth(index)
        .ok_or_else(|| anyhow::anyhow!("no {selector} #{index}"))?;
    let m = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: el,
            duration: None,
            x: dx0,
            y: dy0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(120)),
            x: dx / 2.0,
            y: dy / 2.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(120)),
            x: dx / 2.0,
            y: dy / 2.0,
        })
        .then(PointerAction::Up { button: 0 });
    c.perform_actions(m).await?;
    Ok(())
}

async fn shift_click(c: &Client, selector: &str, index: usize) -> anyhow::Result<()> {
    let el = c
        .find_all(Locator::Css(selector))
        .await?
        .into_iter()
        .nth(index)
        .ok_or_else(|| anyhow::anyhow!("no {selector} #{index}"))?;
    let shift: char = Key::Shift.into();
    let p = Duration::from_millis(10);
    let keys = KeyActions::new("kb".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Pause { duration: p })
        .then(KeyAction::Pause { duration: p })
        .then(KeyAction::Pause { duration: p })
        .then(KeyAction::Up { value: shift });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause { duration: p })
        .then(PointerAction::MoveToElement {
            element: el,
            duration: None,
            x: -40.0,
            y: 0.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::Up { button: 0 })
        .then(PointerAction::Pause { duration: p });
    c.perform_actions(Actions::from(keys).and(mouse)).await?;
    Ok(())
}

/// Note positions by text, as the page shows them.
const POSITIONS: &str = "return Object.fromEntries([...document.querySelectorAll('[data-testid=note]')].map(n => \
     [n.querySelector('textarea').value, (m => [m.e, m.f])(new DOMMatrix(getComputedStyle(n).transform))]));";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canvas_notes_frames_arrows_zoom_presence_and_viewer() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let mut chrome = Chrome::start().await?;
    let anna = chrome.session(1280, 800, "en-GB").await?;
    let bo = chrome.session(1024, 768, "da-DK").await?;

    // Anna creates a blank board with a theme question, as a politician.
    anna.goto(&server.url("/")).await?;
    let title = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=new-board-title]"))
        .await?;
    title.send_keys("Participation policy").await?;
    anna.find(Locator::Css("[data-testid=new-board-theme]"))
        .await?
        .send_keys("When should citizens be involved?")
        .await?;
    anna.find(Locator::Css("[data-testid=template-blank]"))
        .await?
        .click()
        .await?;
    anna.find(Locator::Css("[data-testid=display-name]"))
        .await?
        .send_keys("Anna")
        .await?;
    anna.find(Locator::Css("[data-testid=role-politician]"))
        .await?
        .click()
        .await?;
    screenshot(&anna, "canvas-01-start").await?;
    anna.find(Locator::Css("[data-testid=create-board]"))
        .await?
        .click()
        .await?;
    let theme = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=board-theme]"))
        .await?;
    assert_eq!(theme.text().await?, "When should citizens be involved?");
    // The empty board says what to do, in lines a person can read (it once
    // wrapped after every word: its box on the canvas has no width).
    let hint = anna
        .execute(
            "const r = document.querySelector('.empty-hint').getBoundingClientRect(); \
             return [r.width, r.height];",
            vec![],
        )
        .await?;
    let (w, h) = (
        hint[0].as_f64().unwrap_or(0.0),
        hint[1].as_f64().unwrap_or(0.0),
    );
    assert!(w >= 300.0 && h <= 60.0, "empty-board hint is {w}x{h} px");
    // No join dialog for the one who created the board and gave a name.
    assert!(
        anna.find(Locator::Css("[data-testid=join-dialog]"))
            .await
            .is_err()
    );
    anna.find(Locator::Css("[data-testid=share]"))
        .await?
        .click()
        .await?;
    let editor_url = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=share-editor]"))
        .await?
        .prop("value")
        .await?
        .expect("editor link");
    let viewer_url = anna
        .find(Locator::Css("[data-testid=share-viewer]"))
        .await?
        .prop("value")
        .await?
        .expect("viewer link");
    anna.find(Locator::Css("[data-testid=share]"))
        .await?
        .click()
        .await?;

    // Bo joins from the link: the page asks his name and role group (in Danish).
    bo.goto(&editor_url).await?;
    let dialog = bo
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=join-dialog] h1"))
        .await?;
    assert_eq!(dialog.text().await?, "Deltag på tavlen");
    screenshot(&bo, "canvas-02-join-dialog-da").await?;
    open_as(&bo, &editor_url, "Bo", "citizen").await?;
    saved(&bo, "Bo").await?;

    // Anna adds a note with the N key and types into it.
    anna.find(Locator::Css("[data-testid=canvas]"))
        .await?
        .click()
        .await?;
    press(&anna, 'n').await?;
    eventually(
        &anna,
        T,
        "note focused",
        "return document.activeElement && document.activeElement.dataset.testid === 'note-text';",
    )
    .await?;
    anna.active_element()
        .await?
        .send_keys("Involve citizens from the start")
        .await?;
    sees_note(&bo, "Bo", "Involve citizens from the start").await?;

    // Bo double-clicks the board: a note where he clicked, and he types.
    let canvas = bo.find(Locator::Css("[data-testid=canvas]")).await?;
    let dbl = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: -250.0,
            y: 150.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::Up { button: 0 })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::Up { button: 0 });
    bo.perform_actions(dbl).await?;
    eventually(&bo, T, "Bo's note", "return document.querySelectorAll('[data-testid=note]').length === 2 && document.activeElement.dataset.testid === 'note-text';").await?;
    bo.active_element().await?.send_keys("Ungdomsråd").await?;
    sees_note(&anna, "Anna", "Ungdomsråd").await?;
    saved(&anna, "Anna").await?;
    saved(&bo, "Bo").await?;
    screenshot(&anna, "canvas-03-two-notes").await?;
    // The minimap shows both notes as drawn shapes.
    eventually(
        &anna,
        T,
        "the minimap draws both notes",
        "const r = [...document.querySelectorAll('[data-testid=minimap] rect')] \
           .filter(e => e.getBoundingClientRect().width > 0); \
         return r.length >= 2 ? r.length : null;",
    )
    .await?;

    // Anna selects both notes (click, Shift+click) and drags them together.
    // Selecting does not move the board on the screen (the selection's bar
    // floats over it): the note stays under the finger that will drag it.
    anna.find(Locator::Css("[data-testid=canvas]"))
        .await?
        .send_keys("\u{e00c}")
        .await?;
    eventually(
        &anna,
        T,
        "nothing selected",
        "return !document.querySelector('[data-testid=selection-bar]');",
    )
    .await?;
    const FIRST_NOTE: &str = "const r = document.querySelectorAll('[data-testid=note]')[0].getBoundingClientRect(); return [r.left, r.top];";
    let unselected = anna.execute(FIRST_NOTE, vec![]).await?;
    let before = anna.execute(POSITIONS, vec![]).await?;
    drag(
        &anna,
        "[data-testid=note-grip]",
        0,
        (-40.0, 0.0),
        (0.0, 0.0),
    )
    .await?;
    eventually(
        &anna,
        T,
        "the selection's bar",
        "return !!document.querySelector('[data-testid=selection-bar]');",
    )
    .await?;
    assert_eq!(
        anna.execute(FIRST_NOTE, vec![]).await?,
        unselected,
        "selecting a note moved the board on the screen"
    );
    shift_click(&anna, "[data-testid=note-grip]", 1).await?;
    eventually(
        &anna,
        T,
        "two selected",
        "return document.querySelectorAll('[data-selected=true]').length === 2;",
    )
    .await?;
    drag(
        &anna,
        "[data-testid=note-grip]",
        0,
        (-40.0, 0.0),
        (120.0, 80.0),
    )
    .await?;
    let moved = |before: &serde_json::Value, key: &str, dx: f64, dy: f64| {
        let b = &before[key];
        format!(
            "const p = (() => {{ {POSITIONS} }})()[{k}]; return p && Math.abs(p[0] - {x}) < 3 && Math.abs(p[1] - {y}) < 3;",
            k = serde_json::to_string(key).unwrap(),
            x = b[0].as_f64().unwrap_or_default() + dx,
            y = b[1].as_f64().unwrap_or_default() + dy,
        )
    };
    // Anna's zoom is 1, so screen pixels are board units.
    for key in ["Involve citizens from the start", "Ungdomsråd"] {
        eventually(
            &anna,
            T,
            "moved for Anna",
            &moved(&before, key, 120.0, 80.0),
        )
        .await?;
        eventually(&bo, T, "moved for Bo", &moved(&before, key, 120.0, 80.0)).await?;
    }

    // Colour for the selection, from the selection bar.
    anna.find(Locator::Css("[data-testid=color-pink]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "pink for Bo",
        "return document.querySelectorAll('.note.note-pink').length === 2;",
    )
    .await?;
    screenshot(&anna, "canvas-04-selected-pink").await?;

    // A frame; Anna drags the first note into it; the list view shows it there.
    click_more(&anna, "add-frame").await?;
    let frame = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=frame]"))
        .await?;
    // Escape lets go of the selection, so that only this note moves (and
    // the selection bar goes away: measure after that).
    press(&anna, Key::Escape.into()).await?;
    eventually(
        &anna,
        T,
        "nothing selected",
        "return document.querySelectorAll('[data-selected=true]').length === 0;",
    )
    .await?;
    let (fx, fy, fw, fh) = frame.rectangle().await?;
    // The notes are not in any particular order on the page: find Anna's.
    let involve = anna
        .execute(
            "return [...document.querySelectorAll('[data-testid=note]')] \
               .findIndex(n => n.querySelector('textarea').value.includes('Involve citizens'));",
            vec![],
        )
        .await?
        .as_u64()
        .expect("Anna's note is on the page") as usize;
    let grip = anna
        .find_all(Locator::Css("[data-testid=note-grip]"))
        .await?
        .into_iter()
        .nth(involve)
        .expect("a grip");
    let (gx, gy, gw, gh) = grip.rectangle().await?;
    let (tx, ty) = (fx + fw / 2.0 - 60.0, fy + fh / 2.0 - 40.0);
    let (sx, sy) = (gx + gw / 2.0 - 40.0, gy + gh / 2.0);
    drag(
        &anna,
        "[data-testid=note-grip]",
        involve,
        (-40.0, 0.0),
        (tx - sx, ty - sy),
    )
    .await?;
    click_more(&bo, "view-list").await?;
    let listed = eventually(
        &bo,
        T,
        "note listed under the frame",
        "const h = [...document.querySelectorAll('.list-view h3')]; \
         const f = h.find(e => e.textContent.startsWith('Frame') || e.textContent.startsWith('Ramme')); \
         if (!f) return null; const ul = f.nextElementSibling; \
         return ul && ul.textContent.includes('Involve citizens') ? ul.textContent : null;",
    )
    .await?;
    assert!(listed.as_str().unwrap_or_default().contains("Involve"));
    screenshot(&bo, "canvas-05-list-view-da").await?;
    bo.find(Locator::Css("[data-testid=view-canvas]"))
        .await?
        .click()
        .await?;

    // An arrow from the first note to the second, with the arrow tool.
    click_more(&anna, "tool-connect").await?;
    let targets = anna
        .find_all(Locator::Css("[data-testid=note-connect-target]"))
        .await?;
    assert_eq!(targets.len(), 2, "every note is a target");
    targets[0].click().await?;
    anna.find_all(Locator::Css("[data-testid=note-connect-target]"))
        .await?[1]
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "Bo sees the arrow",
        "return document.querySelectorAll('[data-testid=connector]').length === 1;",
    )
    .await?;
    press(&anna, Key::Escape.into()).await?;

    // Resize: the corner handle makes the note bigger, for both.
    let w0 = number(
        &bo,
        "return document.querySelector('[data-testid=note]').getBoundingClientRect().width;",
    )
    .await?;
    drag(
        &anna,
        "[data-testid=note-resize]",
        1,
        (0.0, 0.0),
        // Sideways: the note may sit at the bottom of the window.
        (80.0, 0.0),
    )
    .await?;
    eventually(
        &bo,
        T,
        "bigger for Bo",
        &format!(
            "return [...document.querySelectorAll('[data-testid=note]')].some(n => n.getBoundingClientRect().width > {w0} + 30);"
        ),
    )
    .await?;

    // Resize by keyboard: Tab from a note's text reaches its corner handle,
    // which has a name; arrow keys on it make the note wider and taller
    // (for Bo too) without moving it.
    let id = anna
        .execute(
            "return document.querySelectorAll('[data-testid=note]')[1].dataset.noteId;",
            vec![],
        )
        .await?;
    let sel = format!("[data-note-id=\"{}\"]", id.as_str().unwrap_or_default());
    let geometry = format!(
        "const n = document.querySelector('{sel}'); const m = new DOMMatrix(getComputedStyle(n).transform); \
         return [m.e, m.f, parseFloat(n.style.width), parseFloat(n.style.height)];"
    );
    let geometry_of = async |c: &Client| -> anyhow::Result<Vec<f64>> {
        let v = c.execute(&geometry, vec![]).await?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
            .unwrap_or_default())
    };
    anna.execute(
        &format!("document.querySelector('{sel} textarea').focus();"),
        vec![],
    )
    .await?;
    press(&anna, Key::Tab.into()).await?;
    let handle = anna
        .execute(
            "const a = document.activeElement; \
             return a && a.dataset.testid === 'note-resize' ? a.getAttribute('aria-label') : null;",
            vec![],
        )
        .await?;
    assert!(
        handle.as_str().is_some_and(|l| !l.trim().is_empty()),
        "Tab from the note's text focuses its named resize handle, got {handle:?}"
    );
    let before = geometry_of(&anna).await?;
    assert_eq!(before.len(), 4, "note geometry {before:?}");
    press(&anna, Key::Right.into()).await?;
    press(&anna, Key::Right.into()).await?;
    press(&anna, Key::Down.into()).await?;
    let (w, h) = (before[2] + 40.0, before[3] + 20.0);
    let resized = format!(
        "const n = document.querySelector('{sel}'); \
         return n && parseFloat(n.style.width) === {w} && parseFloat(n.style.height) === {h};"
    );
    eventually(&anna, T, "Anna's note resized by keyboard", &resized).await?;
    eventually(&bo, T, "Bo sees the keyboard resize", &resized).await?;
    let after = geometry_of(&anna).await?;
    assert_eq!(
        after[..2],
        before[..2],
        "arrow keys on the resize handle do not move the note"
    );
    screenshot(&anna, "canvas-05b-keyboard-resize").await?;
    press(&anna, Key::Escape.into()).await?;

    // Live cursor: Bo sees Anna's pointer with her name.
    let canvas = anna.find(Locator::Css("[data-testid=canvas]")).await?;
    anna.perform_actions(
        MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: canvas,
            duration: Some(Duration::from_millis(200)),
            x: 200.0,
            y: 200.0,
        }),
    )
    .await?;
    let cursor = eventually(
        &bo,
        T,
        "Anna's cursor",
        "const c = document.querySelector('[data-testid=peer-cursor]'); return c ? c.textContent : null;",
    )
    .await?;
    assert_eq!(cursor, "Anna");
    saved(&anna, "Anna").await?;
    screenshot(&anna, "canvas-06-frame-arrow").await?;
    screenshot(&bo, "canvas-07-bo-1024").await?;

    // Zoom: Ctrl+wheel zooms in, the buttons zoom out, "show all" fits.
    let canvas = anna.find(Locator::Css("[data-testid=canvas]")).await?;
    let ctrl: char = Key::Control.into();
    let p = Duration::from_millis(10);
    let keys = KeyActions::new("kb".into())
        .then(KeyAction::Down { value: ctrl })
        .then(KeyAction::Pause { duration: p })
        .then(KeyAction::Up { value: ctrl });
    let (cx, cy, _, _) = canvas.rectangle().await?;
    let wheel = WheelActions::new("wheel".into())
        .then(WheelAction::Pause { duration: p })
        .then(WheelAction::Scroll {
            duration: None,
            x: cx as i64 + 300,
            y: cy as i64 + 200,
            delta_x: 0,
            delta_y: -100,
        })
        .then(WheelAction::Pause { duration: p });
    anna.perform_actions(Actions::from(keys).and(wheel)).await?;
    let z = eventually(
        &anna,
        T,
        "zoomed in",
        &format!("const z = (() => {{ {ZOOM} }})(); return z > 1.5 ? z : null;"),
    )
    .await?;
    assert!(z.as_f64().unwrap_or_default() > 1.5);
    // A plain wheel pans and keeps the zoom.
    for _ in 0..3 {
        anna.find(Locator::Css("[data-testid=zoom-out]"))
            .await?
            .click()
            .await?;
    }
    anna.find(Locator::Css("[data-testid=zoom-fit]"))
        .await?
        .click()
        .await?;
    let inside = eventually(
        &anna,
        T,
        "every note in view",
        "const c = document.querySelector('[data-testid=canvas]').getBoundingClientRect(); \
         const ns = [...document.querySelectorAll('[data-testid=note]')]; \
         return ns.length === 2 && ns.every(n => { const r = n.getBoundingClientRect(); \
           return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom; });",
    )
    .await?;
    assert_eq!(inside, true);
    screenshot(&anna, "canvas-08-fit").await?;

    // Following: Bo taps Anna in the presence list and sees what she sees;
    // when she zooms, so does his view; a touch on his board stops it.
    const ZOOM_LEVEL: &str =
        "return document.querySelector('[data-testid=zoom-level]').textContent;";
    let at = |z: &serde_json::Value| {
        format!("return document.querySelector('[data-testid=zoom-level]').textContent === {z};")
    };
    let other_than = |z: &serde_json::Value| {
        format!(
            "const z = document.querySelector('[data-testid=zoom-level]').textContent; return z !== {z} ? z : null;"
        )
    };
    bo.find(Locator::Css("[data-testid=peer]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "Bo follows Anna",
        "return !!document.querySelector('[data-testid=following]');",
    )
    .await?;
    // Nothing covers the banner's button (Bo still has a note selected, so
    // the selection's bar floats over the board too).
    eventually(
        &bo,
        T,
        "the banner's button can be tapped",
        "const b = document.querySelector('[data-testid=stop-following]'); const r = b.getBoundingClientRect(); \
         return !!document.querySelector('[data-testid=selection-bar]') && b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));",
    )
    .await?;
    let anna_zoom = anna.execute(ZOOM_LEVEL, vec![]).await?;
    eventually(&bo, T, "Bo at Anna's zoom", &at(&anna_zoom)).await?;
    anna.find(Locator::Css("[data-testid=zoom-out]"))
        .await?
        .click()
        .await?;
    let anna_zoom = eventually(&anna, T, "Anna zoomed out", &other_than(&anna_zoom)).await?;
    eventually(&bo, T, "Bo's view follows Anna's zoom", &at(&anna_zoom)).await?;
    screenshot(&bo, "canvas-08b-bo-follows-anna").await?;
    // Bo touches an empty corner of his board.
    let canvas = bo.find(Locator::Css("[data-testid=canvas]")).await?;
    let (_, _, w, h) = canvas.rectangle().await?;
    bo.perform_actions(
        MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: canvas,
                duration: None,
                x: -(w / 2.0) + 20.0,
                y: h / 2.0 - 20.0,
            })
            .then(PointerAction::Down { button: 0 })
            .then(PointerAction::Up { button: 0 }),
    )
    .await?;
    eventually(
        &bo,
        T,
        "Bo stopped following",
        "return !document.querySelector('[data-testid=following]');",
    )
    .await?;
    anna.find(Locator::Css("[data-testid=zoom-in]"))
        .await?
        .click()
        .await?;
    eventually(&anna, T, "Anna zoomed in", &other_than(&anna_zoom)).await?;
    // Long enough for her view to reach Bo (presence goes out at most 20
    // times a second) had he still followed.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        bo.execute(ZOOM_LEVEL, vec![]).await?,
        anna_zoom,
        "Bo's view still followed Anna after he touched his board"
    );

    // Accessible names: a note says what it is and what it says.
    let label = anna
        .execute(
            "return [...document.querySelectorAll('[data-testid=note]')].map(n => n.getAttribute('aria-label'));",
            vec![],
        )
        .await?;
    assert!(
        label.to_string().contains("Note: Involve citizens"),
        "{label}"
    );

    // A viewer: no editing controls; the keys change nothing.
    let cecilie = chrome.session(1024, 768, "en-GB").await?;
    open_as(&cecilie, &viewer_url, "Cecilie", "other").await?;
    sees_note(&cecilie, "Cecilie", "Ungdomsråd").await?;
    let controls = cecilie.execute(
        "return ['add-note','add-frame','tool-connect','tool-area','undo','redo','note-delete','note-resize','frame-delete']\
           .filter(id => document.querySelector(`[data-testid=${id}]`));",
        vec![],
    ).await?;
    assert_eq!(
        controls,
        serde_json::json!([]),
        "no editing controls for a viewer"
    );
    cecilie
        .find(Locator::Css("[data-testid=canvas]"))
        .await?
        .click()
        .await?;
    cecilie
        .find_all(Locator::Css("[data-testid=note-grip]"))
        .await?[0]
        .click()
        .await?;
    for k in [
        'n',
        Key::Delete.into(),
        Key::Backspace.into(),
        Key::Right.into(),
    ] {
        press(&cecilie, k).await?;
    }
    drag(
        &cecilie,
        "[data-testid=note-grip]",
        0,
        (-40.0, 0.0),
        (100.0, 100.0),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(note_count(&cecilie).await?, 2);
    assert_eq!(note_count(&anna).await?, 2);
    screenshot(&cecilie, "canvas-09-viewer").await?;

    // Anna deletes a note with the Delete key; Bo sees it go.
    anna.find_all(Locator::Css("[data-testid=note-grip]"))
        .await?[1]
        .click()
        .await?;
    press(&anna, Key::Delete.into()).await?;
    eventually(
        &bo,
        T,
        "deleted for Bo",
        "return document.querySelectorAll('[data-testid=note]').length === 1;",
    )
    .await?;
    let left = texts(&bo.execute(NOTE_TEXTS, vec![]).await?);
    assert_eq!(left.len(), 1);

    // The language switch changes the interface text.
    let add = bo.find(Locator::Css("[data-testid=add-note]")).await?;
    assert!(add.text().await?.contains("Ny seddel"));
    bo.find(Locator::Css("[data-testid=language-switch]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "English",
        "return document.querySelector('[data-testid=add-note]').textContent.includes('Add note') \
           && document.querySelector('[data-testid=status]').textContent.includes('Saved') \
           && document.documentElement.lang === 'en';",
    )
    .await?;
    screenshot(&bo, "canvas-10-bo-english").await?;
    anna.close().await?;
    bo.close().await?;
    cecilie.close().await?;
    Ok(())
}
