//! Tier 3: a go-around round with a pass, and private ideation, in real
//! Chromium with three people. Mette (facilitator, administrator) starts a
//! round; the first speaker passes (with their own button), the others take
//! their turn; everyone sees whose turn it is and who is next, and the
//! balance counts the pass apart from the turns. Then private ideation: Jens writes a private note
//! online, Aisha one while her network is gone (kept on her device, sent
//! when it is back). Before the reveal neither note is on anyone else's
//! page; after it, both are on every board.
use fantoccini::{Client, Locator};
use samskab_tests::TestServer;
use samskab_tests::browser::{Chrome, dist_dir, eventually, screenshot};
use samskab_tests::gate::Gate;
use samskab_tests::pages::{T, kept_for_offline, open_as, saved, sees_note};
use serde_json::json;

const JENS_IDEA: &str = "Ungeråd med egen økonomi";
const AISHA_IDEA: &str = "Borgerbudget i hver bydel";

async fn click(c: &Client, testid: &str) -> anyhow::Result<()> {
    c.wait()
        .at_most(T)
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn type_into(c: &Client, testid: &str, value: &str) -> anyhow::Result<()> {
    c.wait()
        .at_most(T)
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await?;
    c.execute(
        "const e = document.querySelector(`[data-testid=${arguments[0]}]`); e.value = arguments[1]; \
         e.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![json!(testid), json!(value)],
    )
    .await?;
    Ok(())
}

/// The round line in the strip: "Speaking now: X (mm:ss) · Next: Y".
async fn speaker_line(c: &Client) -> anyhow::Result<String> {
    Ok(c.execute(
        "return document.querySelector('[data-testid=facil-speaker]').textContent;",
        vec![],
    )
    .await?
    .as_str()
    .unwrap_or_default()
    .to_string())
}

fn speaker_and_next(line: &str) -> (String, String) {
    let rest = line.strip_prefix("Speaking now: ").unwrap_or_default();
    let speaker = rest.split(" (").next().unwrap_or_default().to_string();
    let next = rest.rsplit("Next: ").next().unwrap_or_default().to_string();
    (speaker, next)
}

/// Everything the page shows or holds in its fields.
const PAGE_TEXT: &str = "return document.body.innerText + ' ' + \
     [...document.querySelectorAll('input, textarea')].map(e => e.value).join(' ');";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_with_a_pass_and_private_ideation_revealed_at_once() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let gate = Gate::start(server.addr).await;
    let board = server.create_board("Runde og idéer").await;
    let mut chrome = Chrome::start().await?;
    let mette = chrome.session(1024, 900, "en-GB").await?;
    let aisha = chrome.session(1024, 900, "en-GB").await?;
    let jens = chrome.session(1024, 900, "en-GB").await?;
    let url = |key: &str| format!("/b/{}#key={key}", board.id);
    open_as(
        &mette,
        &server.url(&url(&board.facilitator)),
        "Mette",
        "administrator",
    )
    .await?;
    open_as(&aisha, &gate.url(&url(&board.editor)), "Aisha", "citizen").await?;
    open_as(
        &jens,
        &server.url(&url(&board.editor)),
        "Jens",
        "politician",
    )
    .await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        saved(c, who).await?;
        click(c, "facil-toggle").await?;
    }
    // All three are on the board's list of participants.
    eventually(
        &mette,
        T,
        "three participants",
        "return document.querySelectorAll('[data-testid=chair-select] option').length === 4;",
    )
    .await?;

    // The round.
    type_into(&mette, "round-question", "Hvad skal vi huske?").await?;
    click(&mette, "round-start").await?;
    let mut lines = Vec::new();
    for c in [&mette, &aisha, &jens] {
        let line = eventually(
            c,
            T,
            "the round is on",
            "const t = document.querySelector('[data-testid=facil-speaker]').textContent; \
             return t.startsWith('Speaking now: ') ? t : null;",
        )
        .await?;
        lines.push(speaker_and_next(line.as_str().unwrap_or_default()));
    }
    assert!(
        lines.iter().all(|l| *l == lines[0]),
        "everyone sees the same turn: {lines:?}"
    );
    let (first, second) = lines[0].clone();
    assert_ne!(first, second);
    for name in [&first, &second] {
        assert!(
            ["Mette", "Aisha", "Jens"].contains(&name.as_str()),
            "{lines:?}"
        );
    }
    screenshot(&aisha, "facilitation-01-round").await?;
    // A participant's panel shows what is going on (the round), not the
    // headings of steps nobody has started.
    let headings = aisha
        .execute(
            "return [...document.querySelectorAll('[data-testid=facil-panel] h3')].map(h => h.textContent);",
            vec![],
        )
        .await?;
    assert_eq!(headings, json!(["Round"]));

    // The first speaker passes their own turn: a citizen or a politician
    // with the speaker's own button (nobody else has it), the facilitator
    // with hers. The next person's turn shows on every device.
    if first == "Mette" {
        click(&mette, "round-pass").await?;
    } else {
        let (speaker, other) = if first == "Aisha" {
            (&aisha, &jens)
        } else {
            (&jens, &aisha)
        };
        let others_button = other
            .execute(
                "return document.querySelector('[data-testid=my-turn-pass]') !== null;",
                vec![],
            )
            .await?;
        assert_eq!(others_button, json!(false), "only the speaker may pass");
        click(speaker, "my-turn-pass").await?;
    }
    for c in [&mette, &aisha, &jens] {
        let want = format!("Speaking now: {second} (");
        eventually(
            c,
            T,
            "the second speaker's turn",
            &format!(
                "return document.querySelector('[data-testid=facil-speaker]').textContent.startsWith({}) || null;",
                serde_json::to_string(&want)?
            ),
        )
        .await?;
    }
    click(&mette, "round-next").await?;
    eventually(
        &mette,
        T,
        "the third speaker, nobody after",
        "return document.querySelector('[data-testid=facil-speaker]').textContent.endsWith('Next: —') || null;",
    )
    .await?;
    let (third, _) = speaker_and_next(&speaker_line(&mette).await?);
    assert!(
        ![&first, &second].contains(&&third),
        "three different speakers"
    );
    click(&mette, "round-next").await?;
    for c in [&mette, &aisha, &jens] {
        eventually(
            c,
            T,
            "the round is over",
            "return document.querySelector('[data-testid=facil-speaker]').textContent === 'The round is over' || null;",
        )
        .await?;
    }
    // The balance counts the pass apart from the turns taken.
    let role = |name: &str| match name {
        "Mette" => "administrator",
        "Aisha" => "citizen",
        _ => "politician",
    };
    let balance = eventually(
        &mette,
        T,
        "balance with the round",
        "const r = [...document.querySelectorAll('[data-testid=balance-row]')] \
           .map(e => [e.dataset.role, e.dataset.turns, e.dataset.passes]); \
         const total = r.reduce((n, x) => n + Number(x[1]) + Number(x[2]), 0); \
         return total === 3 ? r : null;",
    )
    .await?;
    let passes = |r: &str| {
        balance
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x[0] == r)
            .map(|x| {
                (
                    x[1].as_str().unwrap_or("").to_string(),
                    x[2].as_str().unwrap_or("").to_string(),
                )
            })
            .unwrap_or_default()
    };
    assert_eq!(
        passes(role(&first)),
        ("0".into(), "1".into()),
        "{first} passed: {balance}"
    );
    assert_eq!(passes(role(&second)).0, "1", "{second} spoke: {balance}");
    // The panel fits its content: nothing to scroll sideways for.
    let widths = mette
        .execute(
            "const p = document.querySelector('[data-testid=facil-panel]'); return [p.scrollWidth, p.clientWidth];",
            vec![],
        )
        .await?;
    assert!(
        widths[0].as_f64() <= widths[1].as_f64(),
        "the panel scrolls sideways: {widths}"
    );
    screenshot(&mette, "facilitation-02-round-over").await?;

    // Private ideation.
    click(&mette, "ideation-start").await?;
    type_into(&jens, "private-text", JENS_IDEA).await?;
    click(&jens, "private-add").await?;
    eventually(
        &jens,
        T,
        "Jens's private note, stored by the server",
        &format!(
            "return [...document.querySelectorAll('[data-testid=private-note]')].some(e => e.textContent === {}) || null;",
            serde_json::to_string(JENS_IDEA)?
        ),
    )
    .await?;
    // Aisha's network goes; she writes hers on her device.
    gate.close().await;
    eventually(
        &aisha,
        T,
        "offline",
        "return document.querySelector('[data-testid=status]').dataset.state === 'offline' || null;",
    )
    .await?;
    type_into(&aisha, "private-text", AISHA_IDEA).await?;
    click(&aisha, "private-add").await?;
    eventually(
        &aisha,
        T,
        "Aisha's note kept on her device",
        &format!(
            "return [...document.querySelectorAll('[data-testid=private-note-waiting]')].some(e => e.textContent.startsWith({})) || null;",
            serde_json::to_string(AISHA_IDEA)?
        ),
    )
    .await?;
    screenshot(&aisha, "facilitation-03-private-offline").await?;
    // Back online: it goes to the server as her private note.
    gate.open();
    eventually(
        &aisha,
        T,
        "Aisha's note sent",
        &format!(
            "return ([...document.querySelectorAll('[data-testid=private-note]')].some(e => e.textContent === {}) \
               && !document.querySelector('[data-testid=private-note-waiting]')) || null;",
            serde_json::to_string(AISHA_IDEA)?
        ),
    )
    .await?;
    saved(&aisha, "Aisha").await?;
    // Nobody else has either note before the reveal.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for (c, who, hidden) in [
        (&mette, "Mette", vec![JENS_IDEA, AISHA_IDEA]),
        (&jens, "Jens", vec![AISHA_IDEA]),
        (&aisha, "Aisha", vec![JENS_IDEA]),
    ] {
        let text = c.execute(PAGE_TEXT, vec![]).await?;
        let text = text.as_str().unwrap_or_default();
        for h in hidden {
            assert!(
                !text.contains(h),
                "{who} must not see {h:?} before the reveal"
            );
        }
    }

    // The reveal: both notes on every board at once.
    click(&mette, "ideation-reveal").await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha"), (&jens, "Jens")] {
        sees_note(c, who, JENS_IDEA).await?;
        sees_note(c, who, AISHA_IDEA).await?;
    }
    screenshot(&mette, "facilitation-04-revealed").await?;
    for c in [mette, aisha, jens] {
        c.close().await?;
    }
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

/// [dots, waiting to be sent?] of my dots on the vote item `note`.
fn my_dots_on(note: &str) -> String {
    format!(
        "const li = [...document.querySelectorAll('[data-testid=vote-item]')] \
           .find(li => li.querySelector('span').textContent === {}); \
         if (!li) return null; const d = li.querySelector('[data-testid=my-dots]'); \
         return [d.textContent, d.dataset.waiting, !!li.querySelector('[data-testid=my-dots-waiting]')];",
        serde_json::to_string(note).unwrap_or_default()
    )
}

async fn add_note(c: &Client, text: &str) -> anyhow::Result<()> {
    let before = c
        .execute(
            "return document.querySelectorAll('[data-testid=note]').length;",
            vec![],
        )
        .await?;
    click(c, "add-note").await?;
    eventually(
        c,
        T,
        "new note focused",
        &format!(
            "return document.querySelectorAll('[data-testid=note]').length === {before} + 1 \
               && document.activeElement.dataset.testid === 'note-text';"
        ),
    )
    .await?;
    c.active_element().await?.send_keys(text).await?;
    Ok(())
}

/// Dots given offline (#6). Aisha gives one dot online; her network goes:
/// she gives two more, reloads the page, still sees them as hers, marked as
/// waiting to be sent, beside the one the server holds; back online they
/// reach the server, and Mette's results after the reveal count all three. In the next vote she is too late: it is
/// revealed while she is offline, and she is told her dots came too late.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dots_given_offline_are_kept_and_counted_or_reported_too_late() -> anyhow::Result<()> {
    let dist = dist_dir();
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let gate = Gate::start(server.addr).await;
    let board = server.create_board("Afstemning").await;
    let mut chrome = Chrome::start().await?;
    let mette = chrome.session(1024, 900, "en-GB").await?;
    let aisha = chrome.session(1024, 900, "en-GB").await?;
    let url = |key: &str| format!("/b/{}#key={key}", board.id);
    open_as(
        &mette,
        &server.url(&url(&board.facilitator)),
        "Mette",
        "administrator",
    )
    .await?;
    open_as(&aisha, &gate.url(&url(&board.editor)), "Aisha", "citizen").await?;
    for (c, who) in [(&mette, "Mette"), (&aisha, "Aisha")] {
        saved(c, who).await?;
    }
    for text in ["Cykelstier", "Bænke"] {
        add_note(&mette, text).await?;
        sees_note(&aisha, "Aisha", text).await?;
    }
    saved(&mette, "Mette").await?;
    for c in [&mette, &aisha] {
        click(c, "facil-toggle").await?;
    }
    click(&mette, "vote-open").await?;
    eventually(
        &aisha,
        T,
        "the vote reaches Aisha",
        "return document.querySelectorAll('[data-testid=vote-item]').length === 2 || null;",
    )
    .await?;

    // Online, one dot: the server holds it.
    dot_on(&aisha, "Cykelstier").await?;
    eventually(
        &aisha,
        T,
        "one dot held by the server",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '1' && d[1] === 'false' ? d : null;",
            my_dots_on("Cykelstier")
        ),
    )
    .await?;

    // Offline, she gives two more: hers, kept on her device.
    kept_for_offline(&aisha, "Aisha").await?;
    gate.close().await;
    eventually(
        &aisha,
        T,
        "offline",
        "return document.querySelector('[data-testid=status]').dataset.state === 'offline' || null;",
    )
    .await?;
    dot_on(&aisha, "Bænke").await?;
    dot_on(&aisha, "Bænke").await?;
    let waiting = eventually(
        &aisha,
        T,
        "two dots waiting",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '2' ? d : null;",
            my_dots_on("Bænke")
        ),
    )
    .await?;
    assert_eq!(waiting, json!(["2", "true", true]), "marked as waiting");
    let left = aisha
        .find(Locator::Css("[data-testid=dots-left]"))
        .await?
        .text()
        .await?;
    assert_eq!(left, "Dots left: 0");
    screenshot(&aisha, "facilitation-05-dots-offline").await?;

    // A reload, still offline: the dots are still hers, still waiting.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    aisha.refresh().await?;
    click(&aisha, "facil-toggle").await?;
    let after = eventually(
        &aisha,
        T,
        "the dots after the reload",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '2' ? d : null;",
            my_dots_on("Bænke")
        ),
    )
    .await?;
    assert_eq!(after, json!(["2", "true", true]), "kept over the reload");
    // The dot the server holds shows too, and counts against her three.
    let held = aisha.execute(&my_dots_on("Cykelstier"), vec![]).await?;
    assert_eq!(held, json!(["1", "false", false]), "the server's dot");
    let left = aisha
        .find(Locator::Css("[data-testid=dots-left]"))
        .await?
        .text()
        .await?;
    assert_eq!(left, "Dots left: 0", "after the reload");
    screenshot(&aisha, "facilitation-06-dots-after-reload").await?;

    // Back online: the server holds them (no longer waiting).
    gate.open();
    eventually(
        &aisha,
        T,
        "the dots sent",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '2' && d[1] === 'false' && !d[2] ? d : null;",
            my_dots_on("Bænke")
        ),
    )
    .await?;
    saved(&aisha, "Aisha").await?;
    // Mette's results after the reveal count them.
    click(&mette, "vote-reveal").await?;
    let results = eventually(
        &mette,
        T,
        "the results",
        "const r = [...document.querySelectorAll('[data-testid=vote-result]')].map(e => e.textContent); \
         return r.length === 2 ? r : null;",
    )
    .await?;
    for counted in ["Bænke — 2", "Cykelstier — 1"] {
        assert!(
            results
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r.as_str().unwrap_or_default().starts_with(counted)),
            "Aisha's online dot and two offline dots are counted: {results}"
        );
    }
    screenshot(&mette, "facilitation-07-results-with-offline-dots").await?;

    // The next vote is revealed while she is offline: her dot is too late.
    click(&mette, "vote-open").await?;
    eventually(
        &aisha,
        T,
        "the second vote reaches Aisha",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '0' ? d : null;",
            my_dots_on("Cykelstier")
        ),
    )
    .await?;
    gate.close().await;
    eventually(
        &aisha,
        T,
        "offline again",
        "return document.querySelector('[data-testid=status]').dataset.state === 'offline' || null;",
    )
    .await?;
    dot_on(&aisha, "Cykelstier").await?;
    eventually(
        &aisha,
        T,
        "one dot waiting",
        &format!(
            "const d = (() => {{ {} }})(); return d && d[0] === '1' && d[2] ? d : null;",
            my_dots_on("Cykelstier")
        ),
    )
    .await?;
    click(&mette, "vote-reveal").await?;
    eventually(
        &mette,
        T,
        "the second results",
        "const r = [...document.querySelectorAll('[data-testid=vote-result]')].map(e => e.textContent); \
         return r.length === 2 && r.every(t => t.includes(' — 0')) ? r : null;",
    )
    .await?;
    gate.open();
    let late = eventually(
        &aisha,
        T,
        "told the dots came too late",
        "const e = document.querySelector('[data-testid=dots-too-late]'); return e ? e.textContent : null;",
    )
    .await?;
    assert!(
        late.as_str()
            .unwrap_or_default()
            .starts_with("Your dots came too late"),
        "{late}"
    );
    saved(&aisha, "Aisha").await?;
    screenshot(&aisha, "facilitation-08-dots-too-late").await?;
    // Nothing else broke: she is still on the board, the results stand.
    let results = eventually(
        &aisha,
        T,
        "Aisha sees the second results",
        "const r = [...document.querySelectorAll('[data-testid=vote-result]')].map(e => e.textContent); \
         return r.length === 2 ? r : null;",
    )
    .await?;
    assert!(
        results
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r.as_str().unwrap_or_default().contains(" — 0")),
        "the late dot is counted nowhere: {results}"
    );
    for c in [mette, aisha] {
        c.close().await?;
    }
    Ok(())
}
