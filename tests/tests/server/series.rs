//! Meetings in a series: a committee's workspace, its meetings in order, the
//! next meeting started from the previous one's mind-map minutes, the
//! rotation plan and who chaired what, and who may do what.
use std::time::Duration;

use reqwest::Client;
use samskab_board::facilitation::{FacilOp, OutcomeOp};
use samskab_board::{Op, RoleGroup};
use samskab_tests::{TestServer, WsClient, converge};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);

/// The secret in a link's `#key=` fragment.
fn key(link: &Value) -> String {
    link.as_str()
        .expect("a link")
        .split_once("#key=")
        .expect("a #key= fragment")
        .1
        .to_string()
}

async fn call(
    method: reqwest::Method,
    url: String,
    secret: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Client::new().request(method, url);
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

struct Workspace {
    id: String,
    facilitator: String,
    editor: String,
    viewer: String,
}

async fn create_workspace(server: &TestServer, name: &str) -> Workspace {
    let (status, body) = call(
        reqwest::Method::POST,
        server.url("/api/workspaces"),
        None,
        Some(json!({ "name": name })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    for role in ["facilitator", "editor", "viewer"] {
        assert!(
            body["links"][role]
                .as_str()
                .unwrap()
                .contains(&format!("/w/{id}#key=")),
            "{body}"
        );
    }
    Workspace {
        facilitator: key(&body["links"]["facilitator"]),
        editor: key(&body["links"]["editor"]),
        viewer: key(&body["links"]["viewer"]),
        id,
    }
}

async fn get(server: &TestServer, ws: &str, secret: &str) -> (u16, Value) {
    call(
        reqwest::Method::GET,
        server.url(&format!("/api/workspaces/{ws}")),
        Some(secret),
        None,
    )
    .await
}

async fn add_meeting(server: &TestServer, ws: &str, secret: &str, body: Value) -> (u16, Value) {
    call(
        reqwest::Method::POST,
        server.url(&format!("/api/workspaces/{ws}/meetings")),
        Some(secret),
        Some(body),
    )
    .await
}

fn node_texts(c: &WsClient) -> Vec<String> {
    let mut texts: Vec<String> = c
        .board()
        .mindmaps()
        .into_iter()
        .flat_map(|m| m.nodes.into_iter().map(|n| n.text))
        .collect();
    texts.sort();
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_follow_each_other_and_the_next_starts_from_the_minutes() {
    let server = TestServer::start().await;
    let ws = create_workspace(&server, "§ 17, stk. 4-udvalget").await;

    let (status, first) = add_meeting(
        &server,
        &ws.id,
        &ws.facilitator,
        json!({
            "date": "2027-01-12",
            "theme": "Hvornår skal borgerne inddrages?",
            "agenda": ["Velkomst", "Idéer", "Næste skridt"],
        }),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["position"], 1);
    let board1 = first["board"].as_str().unwrap().to_string();

    // The first meeting's board: theme, agenda and mind-map minutes are set
    // up; the facilitator marks the current item, and writes the minutes.
    let mut fac = WsClient::join(
        &server.ws_url(),
        &board1,
        &key(&first["links"]["facilitator"]),
        "Mette",
    )
    .await
    .unwrap();
    let mut cit = WsClient::join(
        &server.ws_url(),
        &board1,
        &key(&first["links"]["editor"]),
        "Aisha",
    )
    .await
    .unwrap();
    for c in [&mut fac, &mut cit] {
        c.pump_until(WAIT, |c| !c.board().mindmaps().is_empty())
            .await
            .unwrap();
    }
    assert_eq!(fac.board().theme(), "Hvornår skal borgerne inddrages?");
    let agenda = fac.board().facilitation().agenda;
    let titles: Vec<&str> = agenda.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Velkomst", "Idéer", "Næste skridt"]);
    let map = fac.board().mindmaps()[0].clone();
    fac.apply(Op::Facilitate {
        act: FacilOp::SetCurrentItem {
            id: agenda.items[1].id.clone(),
        },
    })
    .await
    .unwrap();
    for (i, text) in ["Borgerpanel", "Ungeråd"].into_iter().enumerate() {
        fac.apply(Op::AddNode {
            map: map.id.clone(),
            id: format!("k{i}"),
            parent: map.root.clone(),
            order: i as f64,
            text: text.into(),
        })
        .await
        .unwrap();
    }
    fac.apply(Op::Outcome {
        act: OutcomeOp::CreateAction {
            id: "a1".into(),
            source: "k0".into(),
            text: "Skriv kommissorium for borgerpanelet".into(),
            owner: "Aisha".into(),
            deadline: "2027-02-01".into(),
            done_when: "Sendt til udvalget".into(),
        },
    })
    .await
    .unwrap();
    // The chair goes to the citizen for this meeting.
    cit.apply(Op::SetParticipant {
        name: "Aisha".into(),
        role: RoleGroup::Citizen,
        color: "#1d5fa8".into(),
    })
    .await
    .unwrap();
    cit.until_saved().await.unwrap();
    let aisha = cit.session.participant().id.clone();
    converge(&mut [&mut fac, &mut cit], WAIT).await.unwrap();
    fac.apply(Op::Facilitate {
        act: FacilOp::SetChair {
            participant: aisha,
            meeting: "1".into(),
        },
    })
    .await
    .unwrap();
    fac.until_saved().await.unwrap();
    // Everyone sees the current agenda item.
    converge(&mut [&mut fac, &mut cit], WAIT).await.unwrap();
    let seen = cit.board().facilitation().agenda;
    assert_eq!(seen.current, agenda.items[1].id);
    let minutes = node_texts(&fac);

    // The rotation plan lives on the workspace: participants of the series
    // by id, shown by name; free text or a stranger's id is refused.
    fac.apply(Op::SetParticipant {
        name: "Mette".into(),
        role: RoleGroup::Administrator,
        color: "#555555".into(),
    })
    .await
    .unwrap();
    fac.until_saved().await.unwrap();
    let mette = fac.session.participant().id.clone();
    let aisha = cit.session.participant().id.clone();
    let rotation = server.url(&format!("/api/workspaces/{}/rotation", ws.id));
    for plan in [json!(["Aisha"]), json!([aisha.clone(), "nobody-here"])] {
        let (status, body) = call(
            reqwest::Method::PUT,
            rotation.clone(),
            Some(&ws.facilitator),
            Some(json!({ "plan": plan })),
        )
        .await;
        assert_eq!(status, 400, "{plan} -> {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("not a participant of this series"),
            "{body}"
        );
    }
    let (_, listed) = get(&server, &ws.id, &ws.facilitator).await;
    let mut people: Vec<(String, String)> = listed["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().into(),
                p["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    people.sort();
    let mut wanted = vec![
        (aisha.clone(), "Aisha".to_string()),
        (mette.clone(), "Mette".to_string()),
    ];
    wanted.sort();
    assert_eq!(people, wanted, "{listed}");
    let (status, body) = call(
        reqwest::Method::PUT,
        rotation,
        Some(&ws.facilitator),
        Some(json!({ "plan": [aisha.clone(), mette.clone(), " "] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["rotation"],
        json!([{ "id": aisha, "name": "Aisha" }, { "id": mette, "name": "Mette" }])
    );

    // The second meeting starts from the first one's minutes and open actions.
    let (status, second) = add_meeting(
        &server,
        &ws.id,
        &ws.facilitator,
        json!({
            "date": "2027-02-09",
            "theme": "Hvem skal være med?",
            "from_previous": true,
            "carry_actions": true,
        }),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["position"], 2);
    let board2 = second["board"].as_str().unwrap().to_string();
    assert_ne!(board1, board2);
    let mut next = WsClient::join(
        &server.ws_url(),
        &board2,
        &key(&second["links"]["editor"]),
        "Jens",
    )
    .await
    .unwrap();
    next.pump_until(WAIT, |c| !c.board().mindmaps().is_empty())
        .await
        .unwrap();
    assert_eq!(node_texts(&next), minutes);
    assert!(minutes.contains(&"Borgerpanel".to_string()), "{minutes:?}");
    assert_eq!(next.board().theme(), "Hvem skal være med?");
    let actions = next.board().actions();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].owner, "Aisha");
    let source = actions[0]
        .source
        .clone()
        .expect("points at the copied node");
    let copied = next.board().mindmaps()[0]
        .nodes
        .iter()
        .find(|n| n.id == source)
        .map(|n| n.text.clone());
    assert_eq!(copied.as_deref(), Some("Borgerpanel"));

    // Everyone with a workspace link sees the meetings in order, with links
    // to each board for their own role, who chaired and who is planned.
    for (secret, role) in [
        (&ws.facilitator, "facilitator"),
        (&ws.editor, "editor"),
        (&ws.viewer, "viewer"),
    ] {
        let (status, body) = get(&server, &ws.id, secret).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["permission"], role);
        assert_eq!(body["name"], "§ 17, stk. 4-udvalget");
        let meetings = body["meetings"].as_array().unwrap();
        let dates: Vec<&str> = meetings
            .iter()
            .map(|m| m["date"].as_str().unwrap())
            .collect();
        assert_eq!(dates, ["2027-01-12", "2027-02-09"]);
        assert_eq!(meetings[0]["theme"], "Hvornår skal borgerne inddrages?");
        assert_eq!(meetings[0]["board"], board1.as_str());
        assert_eq!(meetings[0]["current_item"], "Idéer");
        assert_eq!(meetings[0]["chaired_by"], json!(["Aisha"]));
        assert_eq!(meetings[0]["planned_chair"], "Aisha");
        assert_eq!(meetings[1]["planned_chair"], "Mette");
        assert_eq!(meetings[1]["planned_chair_id"], mette.as_str());
        assert_eq!(meetings[1]["chaired_by"], json!([]));
        // The link opens the board with exactly this role.
        let board_key = key(&meetings[1]["link"]);
        let (status, info) = call(
            reqwest::Method::GET,
            server.url(&format!("/api/boards/{board2}")),
            Some(&board_key),
            None,
        )
        .await;
        assert_eq!(status, 200, "{info}");
        assert_eq!(info["permission"], role);

        // Any device holding this link gets the series' links and each
        // meeting board's links for this role and every role below it,
        // the same as the creating device was given, and none above.
        let below: &[&str] = match role {
            "facilitator" => &["facilitator", "editor", "viewer"],
            "editor" => &["editor", "viewer"],
            _ => &["viewer"],
        };
        let roles = |v: &Value| {
            let mut r: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            r.sort();
            r
        };
        let mut wanted: Vec<String> = below.iter().map(|r| r.to_string()).collect();
        wanted.sort();
        assert_eq!(roles(&body["links"]), wanted, "{body}");
        for r in below {
            let created = match *r {
                "facilitator" => &ws.facilitator,
                "editor" => &ws.editor,
                _ => &ws.viewer,
            };
            assert_eq!(&key(&body["links"][r]), created, "{role} sees the {r} link");
            assert!(
                body["links"][r]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/w/{}#key=", ws.id))
            );
        }
        for m in meetings {
            assert_eq!(roles(&m["links"]), wanted, "{m}");
            assert_eq!(m["links"][role], m["link"]);
            for r in below {
                let board = m["board"].as_str().unwrap();
                let (status, info) = call(
                    reqwest::Method::GET,
                    server.url(&format!("/api/boards/{board}")),
                    Some(&key(&m["links"][r])),
                    None,
                )
                .await;
                assert_eq!(status, 200, "{info}");
                assert_eq!(info["permission"], *r, "{role} hands out a {r} link");
            }
        }
        assert!(!body.to_string().contains(&ws.facilitator) || role == "facilitator");
    }

    // From a meeting board, the way back to its workspace (name, no secret).
    let (status, back) = call(
        reqwest::Method::GET,
        server.url(&format!("/api/boards/{board2}/workspace")),
        Some(&key(&second["links"]["viewer"])),
        None,
    )
    .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["workspace"]["id"], ws.id.as_str());
    assert_eq!(back["workspace"]["name"], "§ 17, stk. 4-udvalget");
    assert!(!back.to_string().contains(&ws.viewer));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_facilitator_adds_meetings_and_a_wrong_secret_finds_nothing() {
    let server = TestServer::start().await;
    let ws = create_workspace(&server, "Udvalget").await;
    let meeting = json!({ "date": "2027-03-01", "theme": "Hvad har vi lært?" });
    for secret in [&ws.editor, &ws.viewer] {
        let (status, body) = add_meeting(&server, &ws.id, secret, meeting.clone()).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "forbidden");
        let (status, body) = call(
            reqwest::Method::PUT,
            server.url(&format!("/api/workspaces/{}/rotation", ws.id)),
            Some(secret),
            Some(json!({ "plan": ["Mig"] })),
        )
        .await;
        assert_eq!(status, 403, "{body}");
    }
    let (_, body) = get(&server, &ws.id, &ws.editor).await;
    assert_eq!(body["meetings"], json!([]), "nothing was added");

    // A wrong secret, no secret and a missing workspace look the same.
    let wrong = get(&server, &ws.id, "0123456789abcdef0123456789abcdef").await;
    let missing = get(&server, "0000000000000000", &ws.facilitator).await;
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong.1["error"], "workspace_not_found");
    assert_eq!(wrong, missing);
    let none = call(
        reqwest::Method::GET,
        server.url(&format!("/api/workspaces/{}", ws.id)),
        None,
        None,
    )
    .await;
    assert_eq!(none, wrong);
    let (status, _) = add_meeting(&server, &ws.id, "not-the-secret", meeting.clone()).await;
    assert_eq!(status, 404);
    // A board's secret is not a workspace's.
    let board = server.create_board("Ikke et udvalg").await;
    assert_eq!(get(&server, &ws.id, &board.facilitator).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_answer() {
    let server = TestServer::start().await;
    let (status, body) = call(
        reqwest::Method::POST,
        server.url("/api/workspaces"),
        None,
        Some(json!({ "name": "  " })),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");
    let ws = create_workspace(&server, "Udvalget").await;
    for (meeting, says) in [
        (json!({ "theme": "Uden dato" }), "date"),
        (json!({ "date": "2027-02-30", "theme": "x" }), "YYYY-MM-DD"),
        (json!({ "date": "2027-02-03" }), "theme"),
        (
            json!({ "date": "2027-02-03", "theme": "  " }),
            "theme question",
        ),
        (
            json!({ "date": "2027-02-03", "theme": "x", "from_previous": true }),
            "no previous meeting",
        ),
        (
            json!({ "date": "2027-02-03", "theme": "x", "carry_actions": true }),
            "from_previous",
        ),
        (
            json!({ "date": "2027-02-03", "theme": "x", "colour": "red" }),
            "colour",
        ),
    ] {
        let (status, body) = add_meeting(&server, &ws.id, &ws.facilitator, meeting.clone()).await;
        assert_eq!(status, 400, "{meeting} -> {body}");
        assert!(
            body["message"].as_str().unwrap_or_default().contains(says),
            "{meeting} -> {body}"
        );
    }
    let (_, body) = get(&server, &ws.id, &ws.facilitator).await;
    assert_eq!(body["meetings"], json!([]));
}

/// `samskab_series_boards_read_total` from `/metrics`.
async fn boards_read(server: &TestServer) -> u64 {
    let text = Client::new()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix("samskab_series_boards_read_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the counter is there")
}

/// Listing a series reads a meeting's board only when it changed since the
/// last listing: the item being worked on and who chaired come from a
/// summary cached per stored version, and a change makes it stale at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_a_series_reads_only_the_boards_that_changed() {
    let server = TestServer::start().await;
    let ws = create_workspace(&server, "Udvalget").await;
    let mut boards = Vec::new();
    for (date, theme) in [("2027-01-12", "Første"), ("2027-02-09", "Anden")] {
        let (status, m) = add_meeting(
            &server,
            &ws.id,
            &ws.facilitator,
            json!({ "date": date, "theme": theme, "agenda": ["Velkomst", "Idéer"] }),
        )
        .await;
        assert_eq!(status, 201, "{m}");
        boards.push(m);
    }
    let before = boards_read(&server).await;
    let (status, first) = get(&server, &ws.id, &ws.editor).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(boards_read(&server).await, before + 2, "both read once");
    let (_, again) = get(&server, &ws.id, &ws.viewer).await;
    assert_eq!(
        boards_read(&server).await,
        before + 2,
        "nothing changed: no board read"
    );
    let strip = |mut v: Value| {
        for m in v["meetings"].as_array_mut().unwrap() {
            m.as_object_mut()
                .unwrap()
                .retain(|k, _| k != "link" && k != "links");
        }
        v.as_object_mut()
            .unwrap()
            .retain(|k, _| k != "links" && k != "permission");
        v
    };
    assert_eq!(
        strip(first.clone()),
        strip(again),
        "the same answer from the cache"
    );
    assert_eq!(first["meetings"][1]["current_item"], "");

    // The second meeting moves on to "Idéer" and gets a chair.
    let board2 = boards[1]["board"].as_str().unwrap();
    let mut fac = WsClient::join(
        &server.ws_url(),
        board2,
        &key(&boards[1]["links"]["facilitator"]),
        "Mette",
    )
    .await
    .unwrap();
    fac.pump_until(WAIT, |c| !c.board().facilitation().agenda.items.is_empty())
        .await
        .unwrap();
    fac.apply(Op::SetParticipant {
        name: "Mette".into(),
        role: RoleGroup::Administrator,
        color: "#555555".into(),
    })
    .await
    .unwrap();
    let items = fac.board().facilitation().agenda.items;
    fac.apply(Op::Facilitate {
        act: FacilOp::SetCurrentItem {
            id: items[1].id.clone(),
        },
    })
    .await
    .unwrap();
    let me = fac.session.participant().id.clone();
    fac.apply(Op::Facilitate {
        act: FacilOp::SetChair {
            participant: me,
            meeting: "2".into(),
        },
    })
    .await
    .unwrap();
    fac.until_saved().await.unwrap();

    let (_, after) = get(&server, &ws.id, &ws.editor).await;
    assert_eq!(after["meetings"][1]["current_item"], "Idéer", "{after}");
    assert_eq!(after["meetings"][1]["chaired_by"], json!(["Mette"]));
    assert_eq!(after["meetings"][0], first["meetings"][0]);
    assert_eq!(
        boards_read(&server).await,
        before + 3,
        "only the changed board read"
    );
}
