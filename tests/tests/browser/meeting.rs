//! Tier 3: a meeting in real Chromium with three people: the facilitator
//! (an administrator) prepares the meeting on the series page, a citizen and
//! a politician join the meeting's board on the participants' link. A shared
//! timer, a hidden dot vote revealed at once, an action and a decision with
//! dissent; participants never see the facilitator's controls.
use std::time::Duration;

use fantoccini::{Client, Locator};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::pages::{open_as, saved, sees_note, texts};
use serde_json::{Value, json};

const T: Duration = Duration::from_secs(20);

async fn click(c: &Client, testid: &str) -> anyhow::Result<()> {
    c.wait()
        .at_most(T)
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Sets an input's value as a person typing would (an `input` event).
async fn fill(c: &Client, testid: &str, value: &str) -> anyhow::Result<()> {
    c.wait()
        .at_most(T)
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await?;
    c.execute(
        "const e = document.querySelector(`[data-testid=${arguments[0]}]`); e.value = arguments[1]; \
         e.dispatchEvent(new Event('input', { bubbles: true })); \
         e.dispatchEvent(new Event('change', { bubbles: true })); return true;",
        vec![json!(testid), json!(value)],
    )
    .await?;
    Ok(())
}

/// The texts of every element with this test id.
async fn all_texts(c: &Client, testid: &str) -> anyhow::Result<Vec<String>> {
    let v = c
        .execute(
            "return [...document.querySelectorAll(`[data-testid=${arguments[0]}]`)].map(e => e.textContent.trim());",
            vec![json!(testid)],
        )
        .await?;
    Ok(texts(&v))
}

async fn count(c: &Client, testid: &str) -> anyhow::Result<usize> {
    Ok(all_texts(c, testid).await?.len())
}

/// Adds a note in the middle of my view and types `text` into it.
async fn add_note(c: &Client, who: &str, text: &str, before: usize) -> anyhow::Result<()> {
    click(c, "add-note").await?;
    eventually(
        c,
        T,
        &format!("{who}: new note focused"),
        &format!(
            "return document.querySelectorAll('[data-testid=note]').length === {} && \
             document.activeElement && document.activeElement.dataset.testid === 'note-text';",
            before + 1
        ),
    )
    .await?;
    c.active_element().await?.send_keys(text).await?;
    Ok(())
}

/// Gives the vote item whose text is `note` one more of my dots.
async fn dot_on(c: &Client, note: &str) -> anyhow::Result<()> {
    for item in c.find_all(Locator::Css("[data-testid=vote-item]")).await? {
        if item.text().await?.contains(note) {
            item.find(Locator::Css("[data-testid=dot-plus]"))
                .await?
                .click()
                .await?;
            return Ok(());
        }
    }
    anyhow::bail!("no vote item {note:?}")
}

/// My dots per vote item, as (note text, dots).
const MY_DOTS: &str = "return [...document.querySelectorAll('[data-testid=vote-item]')].map(li => \
     [li.querySelector('span').textContent, li.querySelector('[data-testid=my-dots]').textContent]);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_people_hold_a_meeting_with_a_timer_and_a_hidden_dot_vote() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;

    // The committee's series exists; its facilitator opens it.
    let created: Value = reqwest::Client::new()
        .post(server.url("/api/workspaces"))
        .json(&json!({ "name": "Udvalget for borgerinddragelse" }))
        .send()
        .await?
        .json()
        .await?;
    let link = |role: &str| {
        let l = created["links"][role].as_str().expect("link");
        server.url(&l[l.find("/w/").expect("a /w/ link")..])
    };
    let mut chrome = Chrome::start().await?;
    let mette = chrome.session(1024, 768, "da-DK").await?;
    let aisha = chrome.session(1024, 768, "da-DK").await?;
    let jens = chrome.session(1024, 768, "en-GB").await?;

    mette.goto(&link("facilitator")).await?;
    fill(&mette, "meeting-date-input", "2027-01-12").await?;
    fill(
        &mette,
        "meeting-theme-input",
        "Hvornår skal borgerne inddrages?",
    )
    .await?;
    fill(
        &mette,
        "meeting-agenda-input",
        "Velkomst\nIdéer\nAfstemning",
    )
    .await?;
    click(&mette, "meeting-add").await?;
    let theme = mette
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=meeting-theme]"))
        .await?
        .text()
        .await?;
    assert_eq!(theme, "Hvornår skal borgerne inddrages?");
    screenshot(&mette, "meeting-01-series-page").await?;

    // The participants' series page gives each the board with their role.
    jens.goto(&link("editor")).await?;
    let board_url = jens
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=meeting-link]"))
        .await?
        .attr("href")
        .await?
        .expect("a board link");
    assert!(
        jens.find_all(Locator::Css("[data-testid=new-meeting]"))
            .await?
            .is_empty(),
        "participants cannot add meetings"
    );
    let mette_board = mette
        .find(Locator::Css("[data-testid=meeting-link]"))
        .await?
        .attr("href")
        .await?
        .expect("a board link");
    assert_ne!(mette_board, board_url, "each role has its own link");

    // Neither device created the series, yet each is shown the series'
    // links (and each meeting board's) for its role and the roles below.
    let shown = |testid: &str| {
        format!(
            "return [...document.querySelectorAll('[data-testid^={testid}-]')] \
               .map(e => e.dataset.testid.slice({}) + ' ' + e.value);",
            testid.len() + 1
        )
    };
    let mette_links = texts(&mette.execute(&shown("series-link"), vec![]).await?);
    let l = |role: &str| created["links"][role].as_str().unwrap_or_default();
    assert_eq!(
        mette_links,
        [
            format!("facilitator {}", l("facilitator")),
            format!("editor {}", l("editor")),
            format!("viewer {}", l("viewer")),
        ],
        "the facilitator's series page"
    );
    let jens_links = texts(&jens.execute(&shown("series-link"), vec![]).await?);
    assert_eq!(
        jens_links,
        [
            format!("editor {}", l("editor")),
            format!("viewer {}", l("viewer")),
        ],
        "a participant's series page: no facilitator link"
    );
    let jens_board_links = texts(&jens.execute(&shown("meeting-share"), vec![]).await?);
    assert_eq!(jens_board_links.len(), 2, "{jens_board_links:?}");
    assert!(
        jens_board_links[0].starts_with("editor ") && jens_board_links[0].ends_with(&board_url),
        "{jens_board_links:?} vs {board_url}"
    );
    assert!(
        jens_board_links[1].starts_with("viewer "),
        "{jens_board_links:?}"
    );

    open_as(&mette, &server.url(&mette_board), "Mette", "administrator").await?;
    open_as(&aisha, &server.url(&board_url), "Aisha", "citizen").await?;
    open_as(&jens, &server.url(&board_url), "Jens", "politician").await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        saved(c, who).await?;
        let theme = c
            .wait()
            .at_most(T)
            .for_element(Locator::Css("[data-testid=board-theme]"))
            .await?
            .text()
            .await?;
        assert_eq!(theme, "Hvornår skal borgerne inddrages?", "{who}");
        c.wait()
            .at_most(T)
            .for_element(Locator::Css("[data-testid=back-to-series]"))
            .await?;
    }

    // Two ideas, one from each participant.
    add_note(&aisha, "Aisha", "Borgerpanel", 0).await?;
    sees_note(&jens, "Jens", "Borgerpanel").await?;
    add_note(&jens, "Jens", "Ungeråd", 1).await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha")] {
        sees_note(c, who, "Ungeråd").await?;
        sees_note(c, who, "Borgerpanel").await?;
    }
    saved(&aisha, "Aisha").await?;
    saved(&jens, "Jens").await?;

    // Only the facilitator holds the controls.
    for c in [&mette, &aisha, &jens] {
        click(c, "facil-toggle").await?;
        c.wait()
            .at_most(T)
            .for_element(Locator::Css("[data-testid=facil-panel]"))
            .await?;
    }
    for (c, who) in [(&aisha, "Aisha"), (&jens, "Jens")] {
        for control in [
            "timer-start",
            "vote-open",
            "vote-reveal",
            "chair-select",
            "groups-split",
            "anonymous",
        ] {
            assert_eq!(count(c, control).await?, 0, "{who} sees {control}");
        }
    }
    assert_eq!(count(&mette, "timer-start").await?, 1);

    // The facilitator marks the current agenda item; everyone sees it.
    for item in mette
        .find_all(Locator::Css("[data-testid=agenda-item]"))
        .await?
    {
        if item.text().await? == "Idéer" {
            item.click().await?;
            break;
        }
    }
    for (c, now) in [
        (&mette, "Nu: Idéer"),
        (&aisha, "Nu: Idéer"),
        (&jens, "Now: Idéer"),
    ] {
        let shown = eventually(
            c,
            T,
            &format!("{now} shown"),
            "const e = document.querySelector('[data-testid=agenda-current]'); return e && e.textContent;",
        )
        .await?;
        assert_eq!(shown, now);
    }
    assert_eq!(
        count(&aisha, "agenda-item").await?,
        0,
        "only the facilitator marks items"
    );
    assert_eq!(count(&aisha, "agenda-entry").await?, 3);

    // The facilitator starts the timer; everyone sees it count down.
    click(&mette, "timer-start").await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        eventually(
            c,
            T,
            &format!("{who} sees the timer"),
            "const t = document.querySelector('[data-testid=facil-timer]').textContent; \
             return /0[45]:\\d\\d/.test(t) ? t : null;",
        )
        .await?;
    }

    // A dot vote on the two notes: each participant votes; nobody sees
    // anyone else's dots.
    click(&mette, "vote-open").await?;
    for (c, who) in [(&aisha, "Aisha"), (&jens, "Jens")] {
        eventually(
            c,
            T,
            &format!("{who} sees the vote"),
            "return document.querySelectorAll('[data-testid=vote-item]').length === 2;",
        )
        .await?;
    }
    dot_on(&aisha, "Borgerpanel").await?;
    eventually(
        &aisha,
        T,
        "Aisha's first dot",
        "return document.querySelector('[data-testid=dots-left]').textContent.endsWith('2');",
    )
    .await?;
    dot_on(&aisha, "Borgerpanel").await?;
    dot_on(&jens, "Ungeråd").await?;
    let mine = |v: Value| {
        let mut pairs: Vec<(String, String)> = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p[0].as_str().unwrap_or_default().to_string(),
                    p[1].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        pairs.sort();
        pairs
    };
    let a = eventually(
        &aisha,
        T,
        "Aisha's dots",
        &format!(
            "const d = (() => {{ {MY_DOTS} }})(); return d.some(p => p[1] === '2') ? d : null;"
        ),
    )
    .await?;
    let j = eventually(
        &jens,
        T,
        "Jens's dots",
        &format!(
            "const d = (() => {{ {MY_DOTS} }})(); return d.some(p => p[1] === '1') ? d : null;"
        ),
    )
    .await?;
    assert_eq!(
        mine(a),
        [
            ("Borgerpanel".to_string(), "2".to_string()),
            ("Ungeråd".into(), "0".into())
        ]
    );
    assert_eq!(
        mine(j),
        [
            ("Borgerpanel".to_string(), "0".to_string()),
            ("Ungeråd".into(), "1".into())
        ]
    );
    // Give the server time to pass on anything it would: still nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        assert_eq!(
            count(c, "vote-result").await?,
            0,
            "{who} sees results before the reveal"
        );
    }
    let j = mine(jens.execute(MY_DOTS, vec![]).await?);
    assert_eq!(j[0].1, "0", "Jens sees none of Aisha's dots");
    screenshot(&aisha, "meeting-02-citizen-votes-hidden").await?;
    screenshot(&jens, "meeting-03-politician-votes-hidden").await?;

    // The facilitator reveals: everyone sees the same totals at once.
    click(&mette, "vote-reveal").await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        let v = eventually(
            c,
            T,
            &format!("{who} sees the results"),
            "const r = [...document.querySelectorAll('[data-testid=vote-result]')].map(e => e.textContent); \
             return r.length === 2 ? r : null;",
        )
        .await?;
        let results = texts(&v);
        assert!(
            results[0].starts_with("Borgerpanel — 2"),
            "{who}: {results:?}"
        );
        assert!(results[1].starts_with("Ungeråd — 1"), "{who}: {results:?}");
    }
    screenshot(&mette, "meeting-04-facilitator-revealed").await?;
    screenshot(&jens, "meeting-05-politician-revealed").await?;

    // Outcomes: the winning note becomes an action; a decision over both
    // notes; the concreteness check names the idea with no action; the
    // politician records his dissent in his own words.
    for c in [&mette, &aisha, &jens] {
        click(c, "facil-toggle").await?;
        click(c, "outcomes-toggle").await?;
        c.wait()
            .at_most(T)
            .for_element(Locator::Css("[data-testid=outcomes-panel]"))
            .await?;
    }
    let note_id = aisha
        .execute(
            "const o = [...document.querySelectorAll('[data-testid=action-note] option')].find(o => o.textContent === 'Borgerpanel'); return o && o.value;",
            vec![],
        )
        .await?;
    fill(
        &aisha,
        "action-note",
        note_id.as_str().expect("the note's option"),
    )
    .await?;
    fill(&aisha, "action-owner", "Aisha").await?;
    fill(&aisha, "action-deadline", "2027-03-01").await?;
    fill(&aisha, "action-done-when", "Kommissoriet er sendt").await?;
    click(&aisha, "action-create").await?;
    let titles = eventually(
        &jens,
        T,
        "Jens sees the action",
        "const t = [...document.querySelectorAll('[data-testid=action-title]')].map(e => e.textContent); return t.length ? t : null;",
    )
    .await?;
    assert_eq!(texts(&titles), ["Borgerpanel"]);

    fill(
        &mette,
        "decision-text",
        "Vi arbejder videre med begge idéer",
    )
    .await?;
    fill(
        &mette,
        "decision-agreement",
        "Borgerpanelet først, ungerådet til foråret",
    )
    .await?;
    for item in mette
        .find_all(Locator::Css("[data-testid=decision-item]"))
        .await?
    {
        let label = item.text().await?;
        if label == "Borgerpanel" || label == "Ungeråd" {
            item.find(Locator::Css("input")).await?.click().await?;
        }
    }
    click(&mette, "decision-create").await?;
    let vague = eventually(
        &aisha,
        T,
        "Aisha sees the concreteness check",
        "const v = [...document.querySelectorAll('[data-testid=vague-item] span:first-child')].map(e => e.textContent); return v.length ? v : null;",
    )
    .await?;
    assert_eq!(
        texts(&vague),
        ["Ungeråd"],
        "only the idea without an action is vague"
    );

    fill(&jens, "dissent-text", "Ungerådet bør komme først").await?;
    click(&jens, "dissent-save").await?;
    let dissent = eventually(
        &mette,
        T,
        "Mette sees the dissent",
        "const d = [...document.querySelectorAll('[data-testid=dissent-entry]')].map(e => e.textContent); return d.length ? d : null;",
    )
    .await?;
    assert_eq!(texts(&dissent), ["Jens: Ungerådet bør komme først"]);
    mette
        .execute(
            "document.querySelector('[data-testid=decisions]').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
    screenshot(&mette, "meeting-06-outcomes").await?;

    // Anonymous mode hides who wrote what.
    click(&mette, "outcomes-toggle").await?;
    click(&mette, "facil-toggle").await?;
    click(&mette, "anonymous").await?;
    let dissent = eventually(
        &aisha,
        T,
        "the dissent without its author",
        "const d = [...document.querySelectorAll('[data-testid=dissent-entry]')].map(e => e.textContent); return d.length && !d[0].startsWith('Jens') ? d : null;",
    )
    .await?;
    assert_eq!(texts(&dissent), ["En deltager: Ungerådet bør komme først"]);
    let authors = all_texts(&aisha, "action-author").await?;
    assert!(authors.iter().all(|a| !a.contains("Aisha")), "{authors:?}");
    aisha
        .execute(
            "document.querySelector('[data-testid=decisions]').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
    screenshot(&aisha, "meeting-07-anonymous").await?;

    // The vague idea becomes an action too: the decision is concrete.
    click(&aisha, "vague-make-action").await?;
    eventually(
        &aisha,
        T,
        "the action form is ready for Ungeråd",
        "const s = document.querySelector('[data-testid=action-note]'); \
         return document.activeElement.dataset.testid === 'action-owner' && \
         s.options[s.selectedIndex].textContent === 'Ungeråd';",
    )
    .await?;
    fill(&aisha, "action-owner", "Jens").await?;
    fill(&aisha, "action-deadline", "2027-04-01").await?;
    click(&aisha, "action-create").await?;
    jens.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=all-concrete]"))
        .await?;
    assert_eq!(count(&jens, "vague-item").await?, 0);
    assert_eq!(count(&jens, "action").await?, 2);

    // Mixed groups: each group gets its own frame on everyone's board, and
    // the frames stay when the groups come back together.
    click(&mette, "groups-split").await?;
    let groups = eventually(
        &mette,
        T,
        "two groups",
        "const g = [...document.querySelectorAll('[data-testid=group]')].map(e => e.textContent); return g.length === 2 ? g : null;",
    )
    .await?;
    let members: usize = texts(&groups).iter().map(|g| g.split(", ").count()).sum();
    assert_eq!(members, 3, "{groups:?}");
    for (c, who) in [(&mette, "Mette"), (&jens, "Jens")] {
        // Under the open panels: pressed by script.
        c.execute(
            "document.querySelector('[data-testid=zoom-fit]').click(); return true;",
            vec![],
        )
        .await?;
        let names = eventually(
            c,
            T,
            &format!("{who} sees the group frames"),
            "const f = [...document.querySelectorAll('[data-testid=frame-name]')].map(e => e.value); return f.length === 2 ? f : null;",
        )
        .await?;
        assert_eq!(texts(&names), ["Gruppe 1", "Gruppe 2"], "{who}");
    }
    screenshot(&jens, "meeting-08-group-frames").await?;
    // A long outcomes panel (1024x625 here) scrolls inside itself and stops
    // below the toolbar and the selection's bar: both stay in reach.
    let gap = jens
        .execute(
            "const bottom = Math.max(...['[data-testid=toolbar]', '.selection-bar'] \
               .map(s => document.querySelector(s)).filter(e => e) \
               .map(e => e.getBoundingClientRect().bottom)); \
             const p = document.querySelector('.facil-panel'); \
             return p ? p.getBoundingClientRect().top - bottom : null;",
            vec![],
        )
        .await?;
    assert!(
        gap.as_f64().is_some_and(|g| g >= 0.0),
        "panel over the toolbar: {gap}"
    );
    click(&mette, "groups-together").await?;
    click(&jens, "outcomes-toggle").await?;
    click(&jens, "facil-toggle").await?;
    jens.wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=groups-together-shown]"))
        .await?;
    mette
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=groups-together-shown]"))
        .await?;
    assert_eq!(count(&jens, "frame").await?, 2, "the frames stay");

    // The chair goes to the citizen; back on the series page the
    // facilitator sees who chaired, plans the rotation and starts the next
    // meeting from this one's minutes.
    let aisha_id = mette
        .execute(
            "const o = [...document.querySelectorAll('[data-testid=chair-select] option')].find(o => o.textContent === 'Aisha'); return o && o.value;",
            vec![],
        )
        .await?;
    fill(
        &mette,
        "chair-select",
        aisha_id.as_str().expect("Aisha's option"),
    )
    .await?;
    aisha
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=you-chair]"))
        .await?;
    saved(&mette, "Mette").await?;
    // The chair (Aisha, on her editor link) keeps this board's structure
    // as a template of the series: she holds the facilitator's controls.
    let panel_open = aisha
        .execute(
            "return document.querySelector('[data-testid=template-save]') !== null;",
            vec![],
        )
        .await?;
    if panel_open != json!(true) {
        click(&aisha, "facil-toggle").await?;
    }
    fill(&aisha, "template-name", "Vores mødeskabelon").await?;
    click(&aisha, "template-save").await?;
    let saved_as = aisha
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=template-saved]"))
        .await?
        .text()
        .await?;
    assert_eq!(saved_as, "Skabelonen er gemt: Vores mødeskabelon");
    click(&mette, "back-to-series").await?;
    let chair = mette
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=meeting-chair]"))
        .await?
        .text()
        .await?;
    assert_eq!(chair, "Ordstyrer: Aisha");
    assert_eq!(all_texts(&mette, "meeting-current").await?, ["Nu: Idéer"]);
    // The next meeting may start from it.
    let offered = mette
        .execute(
            "return [...document.querySelectorAll('[data-testid=meeting-template] option')].map(o => o.textContent);",
            vec![],
        )
        .await?;
    assert_eq!(
        texts(&offered),
        [
            "Ingen skabelon (mindmap-referat)",
            "Vores mødeskabelon (til denne møderække)"
        ]
    );
    // The rotation names people of the series, picked by name, kept by id.
    for who in ["Aisha", "Jens"] {
        let id = mette
            .execute(
                &format!(
                    "const o = [...document.querySelectorAll('[data-testid=rotation-pick] option')].find(o => o.textContent === '{who}'); return o && o.value;"
                ),
                vec![],
            )
            .await?;
        fill(
            &mette,
            "rotation-pick",
            id.as_str().expect("a participant of the series"),
        )
        .await?;
        click(&mette, "rotation-add").await?;
    }
    assert_eq!(
        all_texts(&mette, "rotation-entry").await?,
        ["Aisha", "Jens"]
    );
    click(&mette, "rotation-save").await?;
    mette
        .wait()
        .at_most(T)
        .for_element(Locator::Css("[data-testid=rotation-saved]"))
        .await?;
    fill(&mette, "meeting-date-input", "2027-02-09").await?;
    fill(&mette, "meeting-theme-input", "Hvem skal være med?").await?;
    let from_previous = mette
        .find(Locator::Css("[data-testid=meeting-from-previous]"))
        .await?
        .prop("checked")
        .await?;
    assert_eq!(from_previous.as_deref(), Some("true"));
    click(&mette, "meeting-add").await?;
    let themes = eventually(
        &mette,
        T,
        "two meetings",
        "const t = [...document.querySelectorAll('[data-testid=meeting-theme]')].map(e => e.textContent); return t.length === 2 ? t : null;",
    )
    .await?;
    assert_eq!(
        texts(&themes),
        ["Hvornår skal borgerne inddrages?", "Hvem skal være med?"]
    );
    assert_eq!(
        all_texts(&mette, "meeting-planned").await?,
        ["Planlagt ordstyrer: Aisha", "Planlagt ordstyrer: Jens"]
    );
    mette
        .execute(
            "document.querySelector('[data-testid=meetings]').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
    screenshot(&mette, "meeting-09-series-two-meetings").await?;

    for c in [mette, aisha, jens] {
        c.close().await?;
    }
    Ok(())
}
