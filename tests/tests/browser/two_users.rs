//! Tier 3: two real headless Chromium browsers on one board.
use std::time::Duration;

use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::pages::open_as;
use samskab_tests::toolbar::click_more;
use serde_json::Value;

const T: Duration = Duration::from_secs(15);

const NOTE_TEXTS: &str =
    "return [...document.querySelectorAll('[data-testid=note-text]')].map(e => e.value);";

fn texts(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The note's position as the page shows it (its CSS transform).
const NOTE_POSITION: &str = "const n = document.querySelector('[data-testid=note]'); \
     if (!n) return null; const m = new DOMMatrix(getComputedStyle(n).transform); return [m.e, m.f];";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_co_edit_sticky_notes() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let mut chrome = Chrome::start().await?;
    let anna = chrome.session(1280, 800, "da-DK").await?;
    let bo = chrome.session(1024, 768, "en-GB").await?;

    // Anna creates a board from the start page and lands on its page.
    anna.goto(&server.url("/")).await?;
    anna.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=new-board-title]"))
        .await?
        .send_keys("Hvornår skal borgerne inddrages?")
        .await?;
    anna.find(Locator::Css("[data-testid=display-name]"))
        .await?
        .send_keys("Anna")
        .await?;
    screenshot(&anna, "01-start-page-da").await?;
    anna.find(Locator::Css("[data-testid=create-board]"))
        .await?
        .click()
        .await?;
    eventually(
        &anna,
        T,
        "board page",
        "return location.pathname.startsWith('/b/');",
    )
    .await?;
    let title = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=board-title]"))
        .await?;
    assert_eq!(title.text().await?, "Hvornår skal borgerne inddrages?");
    // The share panel gives the participants' and the public's links.
    anna.find(Locator::Css("[data-testid=share]"))
        .await?
        .click()
        .await?;
    let url = anna
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
    assert!(url.contains("#key=") && viewer_url.contains("#key=") && url != viewer_url);
    screenshot(&anna, "01b-share-panel").await?;
    anna.find(Locator::Css("[data-testid=share]"))
        .await?
        .click()
        .await?;

    // Bo opens the shared URL and says who he is.
    open_as(&bo, &url, "Bo", "citizen").await?;
    bo.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=add-note]"))
        .await?;
    eventually(
        &bo,
        T,
        "Bo connected",
        "return document.querySelector('[data-testid=status]').dataset.state === 'saved';",
    )
    .await?;

    // Anna adds a note and types; Bo sees it with its text.
    anna.find(Locator::Css("[data-testid=add-note]"))
        .await?
        .click()
        .await?;
    let note = anna
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=note-text]"))
        .await?;
    note.click().await?;
    note.send_keys("Borgerne skal med fra start").await?;
    let seen = eventually(&bo, T, "Bo sees Anna's note", &format!(
        "const t = (() => {{ {NOTE_TEXTS} }})(); return t.includes('Borgerne skal med fra start') ? t : null;"
    )).await?;
    assert_eq!(texts(&seen), vec!["Borgerne skal med fra start"]);
    eventually(
        &anna,
        T,
        "Anna saved",
        "return document.querySelector('[data-testid=status]').dataset.state === 'saved';",
    )
    .await?;
    let status_da = anna
        .find(Locator::Css("[data-testid=status]"))
        .await?
        .text()
        .await?;
    assert!(
        status_da.contains("Gemt"),
        "Danish browser shows Danish status: {status_da}"
    );

    // A viewer sees the board live, with no editing controls, and keys do nothing.
    let cecilie = chrome.session(1024, 768, "da-DK").await?;
    open_as(&cecilie, &viewer_url, "Cecilie", "other").await?;
    eventually(&cecilie, T, "viewer sees the note", &format!(
        "const t = (() => {{ {NOTE_TEXTS} }})(); return t.includes('Borgerne skal med fra start') ? t : null;"
    )).await?;
    let controls = cecilie.execute(
        "return ['add-note','undo','redo','note-delete'].filter(id => document.querySelector(`[data-testid=${id}]`));",
        vec![],
    ).await?;
    assert_eq!(
        controls,
        serde_json::json!([]),
        "no editing controls for a viewer"
    );
    let readonly = cecilie
        .execute(
            "return document.querySelector('[data-testid=note-text]').readOnly;",
            vec![],
        )
        .await?;
    assert_eq!(readonly, serde_json::json!(true));
    let viewer_note = cecilie
        .find(Locator::Css("[data-testid=note-text]"))
        .await?;
    viewer_note.click().await.ok();
    viewer_note.send_keys("forsøg").await.ok();
    screenshot(&cecilie, "01c-viewer").await?;

    // Bo drags the note; Anna sees it move.
    let before = eventually(&anna, T, "note position", NOTE_POSITION).await?;
    let grip = bo.find(Locator::Css("[data-testid=note-grip]")).await?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: grip,
            duration: None,
            x: -40.0,
            y: 0.0,
        })
        .then(PointerAction::Down { button: 0 })
        // Up and to the left, so the pointer stays in the window whatever
        // bars sit above the canvas.
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: -20.0,
            y: -60.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: -30.0,
            y: -90.0,
        })
        .then(PointerAction::Up { button: 0 });
    bo.perform_actions(drag).await?;
    let bx = before[0].as_f64().unwrap_or_default();
    let by = before[1].as_f64().unwrap_or_default();
    let moved = eventually(&anna, T, "Anna sees the move", &format!(
        "const p = (() => {{ {NOTE_POSITION} }})(); return p && Math.abs(p[0] - {bx} + 50) < 2 && Math.abs(p[1] - {by} + 150) < 2 ? p : null;"
    )).await?;
    assert!(moved.is_array());

    // Both type into the same note at the same moment: both texts survive.
    let place_caret = |at_end: bool| {
        format!(
            "const t = document.querySelector('[data-testid=note-text]'); t.focus(); \
         const i = {} ; t.setSelectionRange(i, i); return true;",
            if at_end { "t.value.length" } else { "0" }
        )
    };
    anna.execute(&place_caret(true), vec![]).await?;
    bo.execute(&place_caret(false), vec![]).await?;
    let anna_el = anna.find(Locator::Css("[data-testid=note-text]")).await?;
    let bo_el = bo.find(Locator::Css("[data-testid=note-text]")).await?;
    let (a, b) = tokio::join!(
        anna_el.send_keys(", også de unge"),
        bo_el.send_keys("Vigtigt: ")
    );
    a?;
    b?;
    let expected = "Vigtigt: Borgerne skal med fra start, også de unge";
    let check =
        format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t[0] === '{expected}' ? t : null;");
    eventually(&anna, T, "Anna has both texts", &check).await?;
    eventually(&bo, T, "Bo has both texts", &check).await?;
    screenshot(&anna, "02-anna-after-concurrent-typing").await?;
    screenshot(&bo, "03-bo-after-concurrent-typing").await?;

    // A second note from Bo, then Anna reloads: everything is there.
    bo.find(Locator::Css("[data-testid=add-note]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "Bo's second note",
        "return document.querySelectorAll('[data-testid=note]').length === 2;",
    )
    .await?;
    let second = bo
        .find_all(Locator::Css("[data-testid=note-text]"))
        .await?
        .pop()
        .expect("second note");
    second.click().await?;
    second.send_keys("Ungdomsråd?").await?;
    eventually(
        &bo,
        T,
        "Bo saved",
        "return document.querySelector('[data-testid=status]').dataset.state === 'saved';",
    )
    .await?;
    // Bo undoes his typing (only his), and redoes it; Anna sees both.
    bo.find(Locator::Css("[data-testid=undo]"))
        .await?
        .click()
        .await?;
    let has = |t: &str| {
        format!(
            "const t = (() => {{ {NOTE_TEXTS} }})(); return t.includes('{t}') && t.includes('{expected}');"
        )
    };
    eventually(&anna, T, "Anna sees Bo's undo", &has("")).await?;
    click_more(&bo, "redo").await?;
    eventually(&anna, T, "Anna sees Bo's redo", &has("Ungdomsråd?")).await?;
    eventually(
        &bo,
        T,
        "Bo saved",
        "return document.querySelector('[data-testid=status]').dataset.state === 'saved';",
    )
    .await?;
    anna.refresh().await?;
    let after_reload = eventually(
        &anna,
        T,
        "notes after reload",
        &format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t.length === 2 ? t : null;"),
    )
    .await?;
    let mut got = texts(&after_reload);
    got.sort();
    assert_eq!(got, vec!["Ungdomsråd?".to_string(), expected.to_string()]);

    // Bo deletes his note; Anna sees it go.
    let delete = bo
        .find_all(Locator::Css("[data-testid=note-delete]"))
        .await?
        .pop()
        .expect("delete button");
    delete.click().await?;
    eventually(
        &anna,
        T,
        "deleted for Anna",
        "return document.querySelectorAll('[data-testid=note]').length === 1;",
    )
    .await?;

    // Stop the server and start it again on the same data: still there.
    let port_url = url.clone();
    server.stop().await;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let restarted = port_url.replace(
        &port_url[..port_url.find("/b/").unwrap_or(0)],
        &server.url(""),
    );
    // (A new port is a new origin: the browser asks Bo's name again.)
    open_as(&bo, &restarted, "Bo", "citizen").await?;
    let after_restart = eventually(
        &bo,
        T,
        "notes after restart",
        &format!("const t = (() => {{ {NOTE_TEXTS} }})(); return t.length === 1 ? t : null;"),
    )
    .await?;
    assert_eq!(texts(&after_restart), vec![expected.to_string()]);
    screenshot(&bo, "04-after-restart").await?;

    // A board that does not exist gets a clear page, not a blank screen.
    bo.goto(&server.url("/b/doesnotexist")).await?;
    let nf = bo
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=board-not-found] h1"))
        .await?;
    assert_eq!(nf.text().await?, "Board not found");
    screenshot(&bo, "05-board-not-found").await?;

    // The viewer's typing changed nothing anywhere.
    let cecilie_texts = eventually(&cecilie, T, "viewer texts", NOTE_TEXTS).await?;
    assert!(!cecilie_texts.to_string().contains("forsøg"));
    anna.close().await?;
    bo.close().await?;
    cecilie.close().await?;
    Ok(())
}
