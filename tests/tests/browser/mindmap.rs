//! Tier 3: a mind map built with the keyboard alone by one person, seen live
//! by another, a node moved onto another by drag, collapse and expand, a
//! note sent into the map and a node sent back to the board.
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::pages::{T, open_as, saved, sees_note};
use samskab_tests::toolbar::click_more;
use serde_json::Value;

/// Types keys into whatever has focus (special keys as `Key`).
async fn keys(c: &Client, text: &str) -> anyhow::Result<()> {
    let mut k = KeyActions::new("kb".into());
    for ch in text.chars() {
        k = k
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    c.perform_actions(k).await?;
    Ok(())
}

fn key(k: Key) -> String {
    let c: char = k.into();
    c.to_string()
}

/// Each node's text and its parent's text, from the list view's outline.
const OUTLINE: &str = "const pairs = []; \
     const walk = (ul, parent) => { for (const li of ul.children) { \
       const s = li.querySelector(':scope > span'); const t = s ? s.textContent : ''; pairs.push(t + '>' + parent); \
       const sub = li.querySelector(':scope > ul'); if (sub) walk(sub, t); } }; \
     const root = document.querySelector('[data-testid=list-outline]'); if (!root) return null; \
     walk(root, ''); return pairs.sort();";

async fn outline(c: &Client, who: &str, want: &[&str]) -> anyhow::Result<Value> {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    let want = serde_json::to_string(&want)?;
    eventually(
        c,
        T,
        &format!("{who}: outline {want}"),
        &format!("const o = (() => {{ {OUTLINE} }})(); return o && JSON.stringify(o) === JSON.stringify({want}) ? o : null;"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mind_map_by_keyboard_seen_by_another_reparented_by_drag() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let mut chrome = Chrome::start().await?;
    let anna = chrome.session(1280, 800, "en-GB").await?;
    let bo = chrome.session(1024, 768, "en-GB").await?;

    // Anna starts a board from the mind-map template: the theme is the root.
    anna.goto(&server.url("/")).await?;
    anna.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=new-board-title]"))
        .await?
        .send_keys("Meeting 3 minutes")
        .await?;
    anna.find(Locator::Css("[data-testid=new-board-theme]"))
        .await?
        .send_keys("Who should take part?")
        .await?;
    anna.find(Locator::Css("[data-testid=template-mindmap]"))
        .await?
        .click()
        .await?;
    anna.find(Locator::Css("[data-testid=display-name]"))
        .await?
        .send_keys("Anna")
        .await?;
    anna.find(Locator::Css("[data-testid=create-board]"))
        .await?
        .click()
        .await?;
    eventually(
        &anna,
        T,
        "mind map with its root focused",
        "const n = document.querySelector('[data-testid=mm-node]'); \
         return n && n.getAttribute('aria-label') === 'Who should take part?' \
           && document.activeElement.dataset.testid === 'mindmap';",
    )
    .await?;

    // Keyboard only: Tab adds a child, Enter a sibling, typing fills them.
    keys(&anna, &key(Key::Tab)).await?;
    eventually(
        &anna,
        T,
        "editing the child",
        "return document.activeElement.dataset.testid === 'mm-edit';",
    )
    .await?;
    keys(&anna, "Citizens").await?;
    keys(&anna, &key(Key::Enter)).await?; // done editing
    keys(&anna, &key(Key::Enter)).await?; // a sibling
    keys(&anna, "Politicians").await?;
    keys(&anna, &key(Key::Enter)).await?;
    keys(&anna, &key(Key::Enter)).await?;
    keys(&anna, "Youth council").await?;
    keys(&anna, &key(Key::Enter)).await?;
    // Up to "Citizens", a child under it, then F2 to fix its text.
    keys(&anna, &key(Key::Up)).await?;
    keys(&anna, &key(Key::Up)).await?;
    keys(&anna, &key(Key::Tab)).await?;
    keys(&anna, "Young").await?;
    keys(&anna, &key(Key::Enter)).await?;
    keys(&anna, &key(Key::F2)).await?;
    keys(&anna, " people").await?;
    keys(&anna, &key(Key::Enter)).await?;
    // A mistake, removed with Delete.
    keys(&anna, &key(Key::Enter)).await?;
    keys(&anna, "Typo").await?;
    keys(&anna, &key(Key::Enter)).await?;
    keys(&anna, &key(Key::Delete)).await?;
    saved(&anna, "Anna").await?;
    screenshot(&anna, "mindmap-01-built-by-keyboard").await?;
    // Every fold button sits beside its node's text, never over it.
    let overlaps = anna
        .execute(
            "return [...document.querySelectorAll('[data-testid=mm-toggle]')].filter(t => { \
               const a = t.getBoundingClientRect(); \
               const b = t.closest('[data-testid=mm-node]').querySelector('.mm-text').getBoundingClientRect(); \
               return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; \
             }).length;",
            vec![],
        )
        .await?;
    assert_eq!(overlaps.as_f64(), Some(0.0), "fold buttons over node text");

    // Bo sees it: in the list view as an outline, and in the mind-map view.
    let bo_url = {
        anna.find(Locator::Css("[data-testid=share]"))
            .await?
            .click()
            .await?;
        anna.wait()
            .at_most(T)
            .for_element(Locator::Css("[data-testid=share-editor]"))
            .await?
            .prop("value")
            .await?
            .expect("editor link")
    };
    open_as(&bo, &bo_url, "Bo", "citizen").await?;
    click_more(&bo, "view-list").await?;
    let root = "Who should take part?";
    outline(
        &bo,
        "Bo",
        &[
            &format!("{root}>"),
            &format!("Citizens>{root}"),
            &format!("Politicians>{root}"),
            &format!("Youth council>{root}"),
            "Young people>Citizens",
        ],
    )
    .await?;
    screenshot(&bo, "mindmap-02-outline-for-bo").await?;
    bo.find(Locator::Css("[data-testid=view-mindmap]"))
        .await?
        .click()
        .await?;
    eventually(
        &bo,
        T,
        "Bo's mind map",
        "return document.querySelectorAll('[data-testid=mm-node]').length === 5;",
    )
    .await?;

    // Bo drags "Youth council" onto "Citizens".
    let node = |text: &'static str| {
        let bo = &bo;
        async move {
            for n in bo.find_all(Locator::Css("[data-testid=mm-node]")).await? {
                if n.attr("aria-label").await?.as_deref() == Some(text) {
                    return Ok::<_, anyhow::Error>(n);
                }
            }
            anyhow::bail!("no node {text}")
        }
    };
    let from = node("Youth council").await?;
    let to = node("Citizens").await?;
    let (fx, fy, fw, fh) = from.rectangle().await?;
    let (tx, ty, tw, th) = to.rectangle().await?;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: from,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: ((tx + tw / 2.0) - (fx + fw / 2.0)) / 2.0,
            y: ((ty + th / 2.0) - (fy + fh / 2.0)) / 2.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(150)),
            x: ((tx + tw / 2.0) - (fx + fw / 2.0)) / 2.0,
            y: ((ty + th / 2.0) - (fy + fh / 2.0)) / 2.0,
        })
        .then(PointerAction::Up { button: 0 });
    bo.perform_actions(drag).await?;
    anna.find(Locator::Css("[data-testid=share]"))
        .await?
        .click()
        .await?;
    click_more(&anna, "view-list").await?;
    outline(
        &anna,
        "Anna",
        &[
            &format!("{root}>"),
            &format!("Citizens>{root}"),
            &format!("Politicians>{root}"),
            "Youth council>Citizens",
            "Young people>Citizens",
        ],
    )
    .await?;
    saved(&bo, "Bo").await?;
    screenshot(&bo, "mindmap-03-reparented-by-drag").await?;

    // Collapse "Citizens" with Ctrl+Left: its children are hidden for Anna.
    anna.find(Locator::Css("[data-testid=view-mindmap]"))
        .await?
        .click()
        .await?;
    node_click(&anna, "Citizens").await?;
    let ctrl: char = Key::Control.into();
    let left: char = Key::Left.into();
    anna.perform_actions(
        KeyActions::new("kb".into())
            .then(KeyAction::Down { value: ctrl })
            .then(KeyAction::Down { value: left })
            .then(KeyAction::Up { value: left })
            .then(KeyAction::Up { value: ctrl }),
    )
    .await?;
    eventually(
        &bo,
        T,
        "collapsed for Bo",
        "return document.querySelectorAll('[data-testid=mm-node]').length === 3;",
    )
    .await?;
    screenshot(&bo, "mindmap-04-collapsed").await?;
    // Expand again with the node's own button.
    let mut toggled = false;
    for n in anna.find_all(Locator::Css("[data-testid=mm-node]")).await? {
        if n.attr("aria-label").await?.as_deref() == Some("Citizens") {
            n.find(Locator::Css("[data-testid=mm-toggle]"))
                .await?
                .click()
                .await?;
            toggled = true;
        }
    }
    assert!(toggled, "Citizens has a fold button");
    eventually(
        &bo,
        T,
        "expanded for Bo",
        "return document.querySelectorAll('[data-testid=mm-node]').length === 5;",
    )
    .await?;

    // A node goes to the board as a note, and the note comes back.
    node_click(&anna, "Politicians").await?;
    anna.find(Locator::Css("[data-testid=mm-to-board]"))
        .await?
        .click()
        .await?;
    anna.find(Locator::Css("[data-testid=view-canvas]"))
        .await?
        .click()
        .await?;
    sees_note(&anna, "Anna", "Politicians").await?;
    anna.find(Locator::Css("[data-testid=note-grip]"))
        .await?
        .click()
        .await?;
    anna.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=to-mindmap]"))
        .await?
        .click()
        .await?;
    eventually(
        &anna,
        T,
        "back in the mind map",
        "return [...document.querySelectorAll('[data-testid=mm-node]')].some(n => n.getAttribute('aria-label') === 'Politicians');",
    )
    .await?;
    eventually(
        &bo,
        T,
        "Bo: no note left",
        "return document.querySelectorAll('[data-testid=mm-node]').length === 5;",
    )
    .await?;
    screenshot(&anna, "mindmap-05-note-back-in-map").await?;
    anna.close().await?;
    bo.close().await?;
    Ok(())
}

async fn node_click(c: &Client, text: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        for n in c.find_all(Locator::Css("[data-testid=mm-node]")).await? {
            if n.attr("aria-label").await?.as_deref() == Some(text) {
                n.click().await?;
                return Ok(());
            }
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("no node {text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
