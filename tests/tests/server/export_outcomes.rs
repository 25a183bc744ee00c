//! The meeting's outcomes in the exports (agenda, vote results, decisions
//! with dissent, actions), anonymous mode, and consent to be named in a
//! public snapshot. Read back by independent parsers (pulldown-cmark, csv,
//! serde_json, roxmltree, lopdf).
use std::collections::BTreeMap;
use std::time::Duration;

use automerge::ReadDoc;
use automerge::transaction::Transactable;
use samskab_board::facilitation::{
    ActionStatus, AgendaItem, FacilOp, OutcomeOp, Settings, Tally, VoteState,
};
use samskab_board::{Board, Op, RoleGroup};
use samskab_export::csv::{ACTION_COLUMNS, DECISION_COLUMNS, VOTE_COLUMNS};
use samskab_export::{CsvTable, Format, Names, Options, Scope, json, minutes};
use samskab_protocol::ErrorReason;
use samskab_tests::{TestServer, WsClient, converge};

use super::export::{DANISH, ctx, export, import, md_outline, meeting, pdf_text, svg_texts};

const NAMES: [&str; 3] = ["Anna Sørensen", "Bo Ærø", "Cai Østergaard"];
const BO_DISSENT: &str = "Det er for dyrt — brug pengene på lys";
const CAI_DISSENT: &str = "Jeg vil hellere have 30 km/t";
const ANNA_DISSENT: &str = "Enig, men [lys](javascript:alert(1)) først";
const FORMULA: &str = "=HYPERLINK(\"http://x\";\"y\")";

fn fac(b: &mut Board, act: FacilOp) {
    b.apply(&Op::Facilitate { act }, &ctx("anna")).unwrap();
}

fn outcome(b: &mut Board, who: &str, act: OutcomeOp) {
    b.apply(&Op::Outcome { act }, &ctx(who)).unwrap();
}

/// The meeting of `export.rs` with a third participant, an agenda, a
/// revealed vote split by role group, two actions and a decision with three
/// dissents.
fn outcomes_meeting() -> Board {
    let mut b = meeting();
    b.apply(
        &Op::SetParticipant {
            name: "Cai Østergaard".into(),
            role: RoleGroup::Citizen,
            color: "#993366".into(),
        },
        &ctx("cai"),
    )
    .unwrap();
    fac(
        &mut b,
        FacilOp::SetAgenda {
            items: vec![
                AgendaItem {
                    id: "a1".into(),
                    title: "Velkomst".into(),
                },
                AgendaItem {
                    id: "a2".into(),
                    title: "Skolevejen [sikker]".into(),
                },
            ],
        },
    );
    fac(&mut b, FacilOp::SetCurrentItem { id: "a2".into() });
    fac(
        &mut b,
        FacilOp::VoteOpen {
            id: "v1".into(),
            items: vec!["n1".into(), "b".into(), "x4".into()],
            dots: 3,
            by_role: true,
        },
    );
    let tally = |item: &str, roles: &[(RoleGroup, u32)]| Tally {
        item: item.into(),
        total: roles.iter().map(|(_, n)| n).sum(),
        by_role: roles.iter().copied().collect::<BTreeMap<_, _>>(),
    };
    fac(
        &mut b,
        FacilOp::VoteResults {
            results: vec![
                tally("n1", &[(RoleGroup::Citizen, 3), (RoleGroup::Politician, 2)]),
                tally("b", &[(RoleGroup::Politician, 2)]),
                tally("x4", &[(RoleGroup::Citizen, 1)]),
            ],
            voters: 3,
        },
    );
    outcome(
        &mut b,
        "anna",
        OutcomeOp::CreateAction {
            id: "act1".into(),
            source: "n1".into(),
            text: "Tegn en ny cykelsti".into(),
            owner: "Bo Ærø".into(),
            deadline: "2026-03-01".into(),
            done_when: "Planen er vedtaget i udvalget".into(),
        },
    );
    outcome(
        &mut b,
        "anna",
        OutcomeOp::UpdateAction {
            id: "act1".into(),
            text: None,
            owner: None,
            deadline: None,
            done_when: None,
            status: Some(ActionStatus::Doing),
        },
    );
    outcome(
        &mut b,
        "bo",
        OutcomeOp::CreateAction {
            id: "act2".into(),
            source: String::new(),
            text: FORMULA.into(),
            owner: "Forvaltningen".into(),
            deadline: String::new(),
            done_when: String::new(),
        },
    );
    outcome(
        &mut b,
        "anna",
        OutcomeOp::CreateDecision {
            id: "d1".into(),
            text: "Vi bygger cykelstien".into(),
            items: vec!["n1".into(), "b".into()],
        },
    );
    outcome(
        &mut b,
        "anna",
        OutcomeOp::SetAgreement {
            id: "d1".into(),
            agreement: "Fem af seks er enige".into(),
        },
    );
    for (who, words) in [
        ("bo", BO_DISSENT),
        ("cai", CAI_DISSENT),
        ("anna", ANNA_DISSENT),
    ] {
        outcome(
            &mut b,
            who,
            OutcomeOp::SetDissent {
                id: "d1".into(),
                text: words.into(),
            },
        );
    }
    b
}

fn anonymous(b: &mut Board) {
    fac(
        b,
        FacilOp::SetSettings {
            settings: Settings {
                anonymous: true,
                ..Settings::default()
            },
        },
    );
}

fn md(b: &Board, opts: &Options) -> String {
    minutes::minutes(b, opts).unwrap()
}

/// The `n`th item after the first one whose text is `text` (`n` = 0: that
/// item itself).
fn after(items: &[(usize, String)], text: &str, n: usize) -> (usize, String) {
    let i = items
        .iter()
        .position(|(_, t)| t == text)
        .unwrap_or_else(|| panic!("no item {text:?} in {items:#?}"));
    items[i + n].clone()
}

/// The raw Markdown of one `## ` section.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(&format!("## {heading}"))
        .unwrap_or_else(|| panic!("no section {heading:?} in {md}"));
    let rest = &md[start + 3..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn minutes_list_agenda_votes_decisions_with_each_dissent_and_actions() {
    let b = outcomes_meeting();
    let text = md(&b, &Options::default());
    let (headings, items) = md_outline(&text);
    for h in ["Dagsorden", "Beslutninger", "Handlinger"] {
        assert!(headings.iter().any(|x| x == h), "{h}: {headings:?}");
    }
    assert!(
        headings
            .iter()
            .any(|h| h == "Afstemningsresultat (3 stemte, 3 prikker hver)"),
        "{headings:?}"
    );
    // The agenda, the current item marked, brackets kept as text.
    assert!(items.contains(&(1, "Velkomst".into())), "{items:#?}");
    assert!(items.contains(&(1, "Skolevejen [sikker] (aktuelt punkt)".into())));

    // Votes: per item, then per role group one level deeper; never per person.
    assert_eq!(after(&items, &format!("{DANISH}: 5"), 0).0, 1);
    assert_eq!(
        after(&items, &format!("{DANISH}: 5"), 1),
        (2, "Borger: 3".into())
    );
    assert_eq!(
        after(&items, &format!("{DANISH}: 5"), 2),
        (2, "Politiker: 2".into())
    );
    assert_eq!(
        after(&items, "Fartgrænser på 30 km/t: 2", 2),
        (2, "Politiker: 2".into())
    );
    assert!(items.contains(&(1, format!("{FORMULA}: 1"))));
    let votes = section(&text, "Afstemningsresultat");
    for n in NAMES {
        assert!(!votes.contains(n), "{n} in the vote results: {votes}");
    }

    // The decision, its agreement, what it covers, every dissent in the
    // dissenter's own words with their name.
    assert_eq!(
        after(&items, "Vi bygger cykelstien", 1),
        (2, "Enighed: Fem af seks er enige".into())
    );
    assert_eq!(
        after(&items, "Vi bygger cykelstien", 2),
        (2, format!("Omfatter: {DANISH}; Fartgrænser på 30 km/t"))
    );
    assert_eq!(
        after(&items, "Vi bygger cykelstien", 3),
        (2, "Uenighed:".into())
    );
    for (name, words) in [
        ("Anna Sørensen", ANNA_DISSENT),
        ("Bo Ærø", BO_DISSENT),
        ("Cai Østergaard", CAI_DISSENT),
    ] {
        assert!(
            items.contains(&(3, format!("{name}: {words}"))),
            "{name}: {items:#?}"
        );
    }

    // Actions with owner, deadline, done-when, status and source.
    for (n, want) in [
        (1, "Ansvarlig: Bo Ærø"),
        (2, "Frist: 2026-03-01"),
        (3, "Færdig når: Planen er vedtaget i udvalget"),
        (4, "Status: i gang"),
    ] {
        assert_eq!(after(&items, "Tegn en ny cykelsti", n), (2, want.into()));
    }
    assert_eq!(
        after(&items, "Tegn en ny cykelsti", 5),
        (2, format!("Fra: {DANISH}"))
    );
    assert_eq!(after(&items, FORMULA, 2), (2, "Frist: (ingen)".into()));
    assert_eq!(after(&items, FORMULA, 4), (2, "Status: åben".into()));

    // English headings and labels.
    let en = md(
        &b,
        &Options {
            language: "en".into(),
            ..Options::default()
        },
    );
    let (headings, items) = md_outline(&en);
    for h in [
        "Agenda",
        "Vote results (3 voters, 3 dots each)",
        "Decisions",
        "Actions",
    ] {
        assert!(headings.iter().any(|x| x == h), "{h}: {headings:?}");
    }
    assert!(items.contains(&(2, "Citizen: 3".into())));
    assert!(items.contains(&(2, "Status: in progress".into())));
    assert!(items.contains(&(1, "Skolevejen [sikker] (current item)".into())));

    // Minutes of one frame leave the board's outcomes out.
    let frame = md(
        &b,
        &Options {
            scope: Scope::Frame("f1".into()),
            ..Options::default()
        },
    );
    assert!(!frame.contains("Beslutninger") && !frame.contains("Dagsorden"));

    // A public version: role groups for people, and for an owner who is one.
    let public = md(
        &b,
        &Options {
            names: Names::RoleGroups,
            ..Options::default()
        },
    );
    for n in NAMES {
        assert!(!public.contains(n), "{n} in the public minutes");
    }
    let (_, items) = md_outline(&public);
    assert!(items.contains(&(3, format!("Politiker: {BO_DISSENT}"))));
    assert!(items.contains(&(3, format!("Borger: {CAI_DISSENT}"))));
    assert!(items.contains(&(2, "Ansvarlig: Politiker".into())));
    assert!(items.contains(&(2, "Ansvarlig: Forvaltningen".into())));
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    (headers, r.records().map(|r| r.unwrap()).collect())
}

fn csv_of(b: &mut Board, table: CsvTable, names: Names) -> Vec<u8> {
    samskab_export::export(
        b,
        Format::Csv,
        &Options {
            table,
            names,
            ..Options::default()
        },
    )
    .unwrap()
}

#[test]
fn csv_tables_of_votes_actions_and_decisions_read_back() {
    let mut b = outcomes_meeting();
    let (headers, rows) = csv_rows(&csv_of(&mut b, CsvTable::Votes, Names::Real));
    assert_eq!(headers, VOTE_COLUMNS);
    assert_eq!(rows.len(), 3);
    let first: Vec<&str> = rows[0].iter().collect();
    assert_eq!(
        first,
        ["v1", "n1", DANISH, "5", "3", "2", "0", "0", "3", "3"]
    );
    let formula = rows.iter().find(|r| &r[1] == "x4").unwrap();
    assert_eq!(&formula[2], format!("'{FORMULA}"), "formula defused");

    let (headers, rows) = csv_rows(&csv_of(&mut b, CsvTable::Actions, Names::Real));
    assert_eq!(headers, ACTION_COLUMNS);
    assert_eq!(rows.len(), 2);
    let act1: Vec<&str> = rows[0].iter().take(9).collect();
    assert_eq!(
        act1,
        [
            "act1",
            "Tegn en ny cykelsti",
            "Bo Ærø",
            "2026-03-01",
            "Planen er vedtaget i udvalget",
            "doing",
            "n1",
            DANISH,
            "Anna Sørensen"
        ]
    );
    assert_eq!(&rows[1][1], format!("'{FORMULA}"));
    assert_eq!(&rows[1][5], "open");

    let (headers, rows) = csv_rows(&csv_of(&mut b, CsvTable::Decisions, Names::Real));
    assert_eq!(headers, DECISION_COLUMNS);
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][2], "Fem af seks er enige");
    assert_eq!(&rows[0][4], "3");
    let dissent: Vec<&str> = rows[0][5].lines().collect();
    assert_eq!(
        dissent,
        [
            format!("Anna Sørensen: {ANNA_DISSENT}"),
            format!("Bo Ærø: {BO_DISSENT}"),
            format!("Cai Østergaard: {CAI_DISSENT}"),
        ]
    );

    // Role groups in the public tables.
    let (_, rows) = csv_rows(&csv_of(&mut b, CsvTable::Decisions, Names::RoleGroups));
    assert!(rows[0][5].contains(&format!("Politiker: {BO_DISSENT}")));
    let (_, rows) = csv_rows(&csv_of(&mut b, CsvTable::Actions, Names::RoleGroups));
    assert_eq!((&rows[0][2], &rows[0][8]), ("Politiker", "Borger"));

    // Bad input: clear errors.
    let err = CsvTable::parse("people").unwrap_err().to_string();
    assert!(err.contains("notes, votes, actions or decisions"), "{err}");
    let err = samskab_export::export(
        &mut b,
        Format::Csv,
        &Options {
            table: CsvTable::Votes,
            scope: Scope::Frame("f1".into()),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("whole board"), "{err}");

    // No revealed vote: a header and no rows.
    let mut plain = meeting();
    let (headers, rows) = csv_rows(&csv_of(&mut plain, CsvTable::Votes, Names::Real));
    assert_eq!((headers.len(), rows.len()), (VOTE_COLUMNS.len(), 0));
}

#[test]
fn json_keeps_agenda_vote_results_actions_and_decisions_through_import() {
    let mut b = outcomes_meeting();
    let bytes = export(&mut b, Format::Json);
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["version"], 2);
    assert_eq!(doc["actions"].as_array().unwrap().len(), 2);
    assert_eq!(doc["votes"][0]["results"][0]["by_role"]["citizen"], 3);
    let copy = json::import(&bytes, &[9; 16], 1_770_000_000_000).unwrap();
    assert_eq!(copy.actions(), b.actions());
    assert_eq!(copy.decisions(), b.decisions());
    let (v, w) = (copy.vote(), b.vote());
    assert_eq!(v.state, VoteState::Revealed);
    assert_eq!(
        (v.id, v.items, v.dots, v.by_role, v.results, v.voters),
        (w.id, w.items, w.dots, w.by_role, w.results, w.voters)
    );
    assert_eq!(copy.facilitation().agenda, b.facilitation().agenda);
    assert_eq!(copy.participants(), b.participants());
    samskab_board::validate(&copy, &Default::default()).unwrap();

    // Version 1 files (before outcomes) still import.
    let mut v1 = doc.clone();
    v1["version"] = 1.into();
    for k in ["anonymous", "agenda", "votes", "actions", "decisions"] {
        v1.as_object_mut().unwrap().remove(k);
    }
    let old = json::import(&serde_json::to_vec(&v1).unwrap(), &[9; 16], 0).unwrap();
    assert_eq!(old.notes().len(), b.notes().len());
    assert!(old.actions().is_empty() && old.decisions().is_empty());
    // A version we do not know: a clear error.
    let mut v3 = doc.clone();
    v3["version"] = 3.into();
    let err = json::import(&serde_json::to_vec(&v3).unwrap(), &[9; 16], 0).unwrap_err();
    assert!(err.to_string().contains("version 1 to 2"), "{err}");
    // A bad action is named.
    let mut bad = doc.clone();
    bad["actions"][1]["deadline"] = "next week".into();
    let err = json::import(&serde_json::to_vec(&bad).unwrap(), &[9; 16], 0).unwrap_err();
    assert!(err.to_string().contains("action act2"), "{err}");

    // The public JSON: role groups as dissenters; two citizens keep two
    // dissents when imported.
    let public = json::snapshot(&b, Names::RoleGroups);
    let by: Vec<&str> = public.decisions[0]
        .dissent
        .iter()
        .map(|d| d.by.as_str())
        .collect();
    assert_eq!(by, ["Borger", "Politiker", "Borger"]);
    let copy = json::import(&serde_json::to_vec(&public).unwrap(), &[9; 16], 0).unwrap();
    let dissent = &copy.decisions()[0].dissent;
    assert_eq!(dissent.len(), 3);
    assert_eq!(dissent["Borger-2"], CAI_DISSENT);
}

#[test]
fn anonymous_mode_names_nobody_in_md_csv_json_svg_or_pdf() {
    let mut b = outcomes_meeting();
    anonymous(&mut b);
    // Asking for real names changes nothing: anonymous mode wins.
    let text = md(&b, &Options::default());
    let (_, items) = md_outline(&text);
    assert!(
        items.contains(&(1, DANISH.into())),
        "no author after a note"
    );
    for words in [ANNA_DISSENT, BO_DISSENT, CAI_DISSENT] {
        assert!(items.contains(&(3, words.into())), "{words}: {items:#?}");
    }
    for n in ["Anna", "Cai"] {
        assert!(!text.contains(n), "{n} in the anonymous minutes");
    }
    // An owner is who took the task on, not an author: kept.
    assert!(items.contains(&(2, "Ansvarlig: Bo Ærø".into())));
    assert_eq!(text.matches("Bo Ærø").count(), 1);
    // Vote tallies by role group are counts, and stay.
    assert!(items.contains(&(2, "Borger: 3".into())));
    // Not even a role group as author.
    assert!(!section(&text, "Noter").contains("Borger"));

    let (headers, rows) = csv_rows(&csv_of(&mut b, CsvTable::Notes, Names::Real));
    let author = headers.iter().position(|h| h == "author").unwrap();
    assert!(rows.iter().all(|r| r[author].is_empty()));
    let (_, rows) = csv_rows(&csv_of(&mut b, CsvTable::Decisions, Names::Real));
    assert_eq!(rows[0][5].lines().collect::<Vec<_>>().len(), 3);
    assert!(
        rows[0][5]
            .lines()
            .all(|l| [ANNA_DISSENT, BO_DISSENT, CAI_DISSENT].contains(&l))
    );
    assert!(rows[0][6].is_empty());

    let bytes = export(&mut b, Format::Json);
    let raw = String::from_utf8(bytes.clone()).unwrap();
    for n in NAMES.iter().filter(|n| **n != "Bo Ærø") {
        assert!(!raw.contains(n), "{n} in the anonymous JSON");
    }
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["anonymous"], true);
    assert!(doc["participants"].as_array().unwrap().is_empty());
    let mut authors = Vec::new();
    for list in ["notes", "frames", "connectors", "actions", "decisions"] {
        for item in doc[list].as_array().unwrap() {
            authors.push(item["author"].as_str().unwrap().to_string());
        }
    }
    for node in doc["mindmaps"][0]["nodes"].as_array().unwrap() {
        authors.push(node["author"].as_str().unwrap().to_string());
    }
    for d in doc["decisions"][0]["dissent"].as_array().unwrap() {
        authors.push(d["by"].as_str().unwrap().to_string());
    }
    assert!(
        authors.len() > 10 && authors.iter().all(String::is_empty),
        "{authors:?}"
    );
    // The anonymous JSON imports as an anonymous board with every dissent.
    let copy = json::import(&bytes, &[9; 16], 0).unwrap();
    assert!(copy.facilitation().settings.anonymous);
    assert_eq!(copy.decisions()[0].dissent.len(), 3);

    let svg = String::from_utf8(export(&mut b, Format::Svg)).unwrap();
    let texts = svg_texts(&svg).join("\n");
    assert!(texts.contains(DANISH));
    for n in NAMES {
        assert!(!svg.contains(n), "{n} in the SVG");
    }
    let (_, pdf) = pdf_text(&export(&mut b, Format::Pdf));
    assert!(pdf.contains("Cykelstier"), "{pdf}");
    for n in NAMES {
        assert!(!pdf.contains(n), "{n} in the PDF");
    }
}

async fn get_text(http: &reqwest::Client, url: String) -> String {
    let res = http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

async fn publish(server: &TestServer, http: &reqwest::Client, local: &mut Board) -> String {
    let board = import(server, export(local, Format::Automerge)).await;
    let res = http
        .post(server.url(&format!("/api/boards/{}/snapshots", board.id)))
        .bearer_auth(&board.facilitator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: serde_json::Value = res.json().await.unwrap();
    let url = v["url"].as_str().unwrap();
    url.split_once(&server.addr.to_string())
        .unwrap()
        .1
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_snapshot_names_only_those_who_agreed_and_nobody_when_anonymous() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let mut local = outcomes_meeting();
    local
        .apply(&Op::SetNameConsent { consent: true }, &ctx("anna"))
        .unwrap();
    let path = publish(&server, &http, &mut local).await;

    let csv = get_text(&http, server.url(&format!("{path}/export/csv"))).await;
    let (headers, rows) = csv_rows(csv.as_bytes());
    let author = headers.iter().position(|h| h == "author").unwrap();
    let of = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap()[author].to_string();
    assert_eq!(of("n1"), "Anna Sørensen", "she agreed to be named");
    assert_eq!(of("n2"), "Politiker", "Bo did not");
    let minutes = get_text(&http, server.url(&format!("{path}/export/md"))).await;
    let (_, items) = md_outline(&minutes);
    assert!(items.contains(&(3, format!("Anna Sørensen: {ANNA_DISSENT}"))));
    assert!(items.contains(&(3, format!("Politiker: {BO_DISSENT}"))));
    assert!(
        items
            .iter()
            .any(|(d, t)| *d == 3 && t.ends_with(CAI_DISSENT) && t.starts_with("Borger")),
        "{items:#?}"
    );
    assert!(items.contains(&(2, "Ansvarlig: Politiker".into())));
    let actions = get_text(
        &http,
        server.url(&format!("{path}/export/csv?table=actions")),
    )
    .await;
    assert!(actions.contains("Tegn en ny cykelsti"));
    let doc = http
        .get(server.url(&format!("{path}/export/automerge")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    for n in ["Bo Ærø", "Cai Østergaard"] {
        assert!(
            !String::from_utf8_lossy(&doc).contains(n),
            "{n} in the snapshot's history"
        );
    }
    let copy = Board::load(&doc, &[1; 16]).unwrap();
    let people: Vec<(String, bool)> = copy
        .participants()
        .into_iter()
        .map(|p| (p.name, p.named_consent))
        .collect();
    assert_eq!(people, [("Anna Sørensen".to_string(), true)]);
    assert_eq!(copy.decisions()[0].dissent.len(), 3);

    // Anonymous mode: not even those who agreed.
    anonymous(&mut local);
    let path = publish(&server, &http, &mut local).await;
    for format in ["md", "csv", "json", "svg"] {
        let out = get_text(&http, server.url(&format!("{path}/export/{format}"))).await;
        for n in ["Anna", "Cai Østergaard"] {
            assert!(!out.contains(n), "{n} in the anonymous snapshot's {format}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_table_is_chosen_over_http_and_a_bad_one_is_refused() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let mut local = outcomes_meeting();
    let board = import(&server, export(&mut local, Format::Automerge)).await;
    let url = |q: &str| server.url(&format!("/api/boards/{}/export?{q}", board.id));
    for (table, columns) in [
        ("votes", &VOTE_COLUMNS[..]),
        ("actions", &ACTION_COLUMNS[..]),
        ("decisions", &DECISION_COLUMNS[..]),
    ] {
        let res = http
            .get(url(&format!("format=csv&table={table}")))
            .bearer_auth(&board.viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let disposition = res.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains(&format!("-{table}.csv")),
            "{disposition}"
        );
        let (headers, rows) = csv_rows(&res.bytes().await.unwrap());
        assert_eq!(headers, columns);
        assert!(!rows.is_empty());
    }
    for (q, want) in [
        ("format=csv&table=people", "unknown table"),
        ("format=md&table=votes", "format=csv only"),
    ] {
        let res = http
            .get(url(q))
            .bearer_auth(&board.viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{q}");
        let body = res.text().await.unwrap();
        assert!(body.contains(want), "{q}: {body}");
    }
}

fn device(name: &str) -> String {
    format!("device-secret-of-{name}-0123456789")
}

async fn person(s: &TestServer, board: &str, link: &str, id: &str) -> WsClient {
    let mut c = WsClient::offline_as(board, link, id, id, "citizen", Some(&device(id)));
    c.connect(&s.ws_url()).await.unwrap();
    c.apply(Op::SetParticipant {
        name: format!("{id} Hansen"),
        role: RoleGroup::Citizen,
        color: "#345".into(),
    })
    .await
    .unwrap();
    c.until_saved().await.unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_participant_can_give_their_own_consent_to_be_named() {
    const WAIT: Duration = Duration::from_secs(10);
    let s = TestServer::start().await;
    let b = s.create_board("Samtykke").await;
    let mut anna = person(&s, &b.id, &b.editor, "anna").await;
    anna.apply(Op::SetNameConsent { consent: true })
        .await
        .unwrap();
    anna.until_saved().await.unwrap();
    // Bo (even on the facilitator link) writes Anna's consent straight into
    // the document: refused.
    let mut bo = person(&s, &b.id, &b.facilitator, "bo").await;
    converge(&mut [&mut anna, &mut bo], WAIT).await.unwrap();
    let mut copy = bo.board().clone();
    let (_, ps) = copy
        .doc()
        .get(automerge::ROOT, "participants")
        .unwrap()
        .unwrap();
    let (_, a) = copy.doc().get(&ps, "anna").unwrap().unwrap();
    copy.doc_mut().put(&a, "named_consent", false).unwrap();
    copy.doc_mut().commit();
    bo.session.merge(&mut copy).unwrap();
    bo.flush().await.unwrap();
    bo.pump_until(WAIT, |c| !c.refusals.is_empty() || c.closed.is_some())
        .await
        .unwrap();
    assert_eq!(
        bo.refusals.last().map(|r| r.reason),
        Some(ErrorReason::Forbidden)
    );
    // What is stored is Anna's own choice.
    let mut viewer = WsClient::join(&s.ws_url(), &b.id, &b.viewer, "v")
        .await
        .unwrap();
    viewer
        .pump_until(WAIT, |c| c.board().participants().len() == 2)
        .await
        .unwrap();
    let anna_now = viewer
        .board()
        .participants()
        .into_iter()
        .find(|p| p.id == "anna")
        .unwrap();
    assert!(anna_now.named_consent);
}
