//! A committee's own templates: the facilitator saves a meeting board's
//! structure (frames, mind-map skeleton, agenda; the notes only when asked)
//! for the series or the installation, and the next meeting or a new board
//! starts from it. Only the facilitator or the current chair saves; a
//! series' templates stay in the series; bad input gets a clear answer.
use std::time::Duration;

use reqwest::{Client, Method};
use samskab_board::{Color, Op};
use samskab_tests::{TestServer, WsClient};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);

fn key(link: &Value) -> String {
    link.as_str()
        .expect("a link")
        .split_once("#key=")
        .expect("a #key= fragment")
        .1
        .to_string()
}

async fn call(
    method: Method,
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

/// (workspace id, facilitator secret)
async fn workspace(server: &TestServer, name: &str) -> (String, String) {
    let (status, body) = call(
        Method::POST,
        server.url("/api/workspaces"),
        None,
        Some(json!({ "name": name })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        key(&body["links"]["facilitator"]),
    )
}

async fn meeting(server: &TestServer, ws: &str, secret: &str, body: Value) -> (u16, Value) {
    call(
        Method::POST,
        server.url(&format!("/api/workspaces/{ws}/meetings")),
        Some(secret),
        Some(body),
    )
    .await
}

async fn open(server: &TestServer, board: &str, secret: &str) -> WsClient {
    let mut c = WsClient::join(&server.ws_url(), board, secret, "Mette")
        .await
        .unwrap();
    c.pump_until(WAIT, |c| {
        !c.board().mindmaps().is_empty() || !c.board().frames().is_empty()
    })
    .await
    .unwrap();
    c
}

fn nodes(c: &WsClient) -> Vec<String> {
    c.board()
        .mindmaps()
        .into_iter()
        .flat_map(|m| m.nodes.into_iter().map(|n| n.text))
        .collect()
}

fn agenda(c: &WsClient) -> Vec<String> {
    c.board()
        .facilitation()
        .agenda
        .items
        .into_iter()
        .map(|i| i.title)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_saves_its_board_as_a_template_and_starts_the_next_meeting_from_it() {
    let server = TestServer::start().await;
    let (ws, fac) = workspace(&server, "Udvalget").await;
    let (status, first) = meeting(
        &server,
        &ws,
        &fac,
        json!({ "date": "2027-01-12", "theme": "Hvornår?", "agenda": ["Velkomst", "Runde", "Afstemning"] }),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let board1 = first["board"].as_str().unwrap().to_string();
    let fac_board = key(&first["links"]["facilitator"]);
    let editor_board = key(&first["links"]["editor"]);

    // The first meeting gets a frame, a note in it and minutes two levels deep.
    let mut c = open(&server, &board1, &fac_board).await;
    let map = c.board().mindmaps()[0].clone();
    for op in [
        Op::CreateFrame {
            id: "f1".into(),
            name: "Styrker".into(),
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 400.0,
            color: Color::Green,
        },
        Op::CreateNote {
            id: "n1".into(),
            x: 40.0,
            y: 60.0,
            color: Color::Yellow,
            text: "Hemmelig idé fra Aisha".into(),
        },
        Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some("f1".into()),
        },
        Op::AddNode {
            map: map.id.clone(),
            id: "k1".into(),
            parent: map.root.clone(),
            order: 1.0,
            text: "Hvem skal med?".into(),
        },
        Op::AddNode {
            map: map.id.clone(),
            id: "k2".into(),
            parent: "k1".into(),
            order: 1.0,
            text: "Jens vil have et ungeråd".into(),
        },
    ] {
        c.apply(op).await.unwrap();
    }
    c.until_saved().await.unwrap();
    let root = nodes(&c)[0].clone();

    let save = |secret: String, body: Value| {
        let url = server.url(&format!("/api/boards/{board1}/templates"));
        async move { call(Method::POST, url, Some(&secret), Some(body)).await }
    };
    // An editor who is not the chair cannot save; bad input is explained.
    let (status, body) = save(editor_board.clone(), json!({ "name": "Vores" })).await;
    assert_eq!(status, 403, "{body}");
    for (bad, says) in [
        (json!({ "name": "  " }), "needs a name"),
        (json!({ "name": "x", "scope": "mars" }), "scope must be"),
        (json!({ "name": "x".repeat(5000) }), "too long"),
        (json!({ "name": "x", "colour": "red" }), "colour"),
    ] {
        let (status, body) = save(fac_board.clone(), bad.clone()).await;
        assert_eq!(status, 400, "{bad} -> {body}");
        assert!(
            body["message"].as_str().unwrap_or_default().contains(says),
            "{bad} -> {body}"
        );
    }

    // The structure only, for the series (the default for a meeting board).
    let (status, saved) = save(fac_board.clone(), json!({ "name": "Vores mødeskabelon" })).await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["scope"], "series");
    let series_template = saved["id"].as_str().unwrap().to_string();
    // The whole board, for every board on this server.
    let (status, saved) = save(
        fac_board.clone(),
        json!({ "name": "Med indhold", "with_content": true, "scope": "installation" }),
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    let installation_template = saved["id"].as_str().unwrap().to_string();

    // The series lists both; the start page only the installation's.
    let (_, listed) = call(
        Method::GET,
        server.url(&format!("/api/workspaces/{ws}")),
        Some(&fac),
        None,
    )
    .await;
    let names: Vec<(&str, &str)> = listed["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["scope"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("Med indhold", "installation"),
            ("Vores mødeskabelon", "series")
        ]
    );
    let (status, public) = call(Method::GET, server.url("/api/templates"), None, None).await;
    assert_eq!(status, 200);
    assert_eq!(public["templates"].as_array().unwrap().len(), 1, "{public}");
    assert_eq!(public["templates"][0]["id"], installation_template.as_str());

    // Starting from a template and from the previous meeting at once is refused.
    let (status, body) = meeting(
        &server,
        &ws,
        &fac,
        json!({ "date": "2027-02-09", "theme": "Hvem?", "from_previous": true, "template": series_template }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not both"),
        "{body}"
    );

    // The next meeting starts from the structure: the frame, the skeleton of
    // the minutes, the agenda; none of what was written.
    let (status, second) = meeting(
        &server,
        &ws,
        &fac,
        json!({ "date": "2027-02-09", "theme": "Hvem?", "template": series_template }),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    let next = open(
        &server,
        second["board"].as_str().unwrap(),
        &key(&second["links"]["facilitator"]),
    )
    .await;
    let frames: Vec<String> = next.board().frames().into_iter().map(|f| f.name).collect();
    assert_eq!(frames, ["Styrker"]);
    assert!(
        next.board().notes().is_empty(),
        "no notes: {:?}",
        next.board().notes()
    );
    assert_eq!(nodes(&next), [root.clone(), "Hvem skal med?".to_string()]);
    assert_eq!(agenda(&next), ["Velkomst", "Runde", "Afstemning"]);
    assert_eq!(next.board().theme(), "Hvem?", "the meeting's own theme");

    // A board of its own from the installation's template keeps the notes.
    let (status, made) = call(
        Method::POST,
        server.url("/api/boards"),
        None,
        Some(json!({ "title": "Ny tavle", "template": installation_template })),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let own = open(
        &server,
        made["id"].as_str().unwrap(),
        &key(&made["links"]["facilitator"]),
    )
    .await;
    let notes: Vec<String> = own.board().notes().into_iter().map(|n| n.text).collect();
    assert_eq!(notes, ["Hemmelig idé fra Aisha"]);
    assert!(own.board().notes()[0].frame.is_some());
    assert_eq!(
        nodes(&own),
        [
            root,
            "Hvem skal med?".into(),
            "Jens vil have et ungeråd".into()
        ]
    );

    // A series' template stays in the series: not for a board of its own,
    // nor for another series; an unknown id is explained.
    let (other, other_fac) = workspace(&server, "Et andet udvalg").await;
    for (status, body) in [
        call(
            Method::POST,
            server.url("/api/boards"),
            None,
            Some(json!({ "title": "x", "template": series_template })),
        )
        .await,
        meeting(
            &server,
            &other,
            &other_fac,
            json!({ "date": "2027-02-09", "theme": "x", "template": series_template }),
        )
        .await,
        meeting(
            &server,
            &other,
            &other_fac,
            json!({ "date": "2027-02-09", "theme": "x", "template": "0000000000000000" }),
        )
        .await,
    ] {
        assert_eq!(status, 400, "{body}");
        assert!(
            body["message"].as_str().unwrap().contains("no template"),
            "{body}"
        );
    }
    // A board outside any series cannot save for a series.
    let lone = server.create_board("Alene").await;
    let (status, body) = call(
        Method::POST,
        server.url(&format!("/api/boards/{}/templates", lone.id)),
        Some(&lone.facilitator),
        Some(json!({ "name": "x", "scope": "series" })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not a meeting of a series")
    );
}

/// A request made as a participant: the link's secret, the participant id
/// and that participant's device secret.
async fn save_as(
    server: &TestServer,
    board: &str,
    secret: &str,
    participant: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut req = Client::new()
        .post(server.url(&format!("/api/boards/{board}/templates")))
        .bearer_auth(secret)
        .json(&json!({ "name": "Udvalgets skabelon" }));
    if let Some((id, key)) = participant {
        req = req
            .header("X-Samskab-Participant", id)
            .header("X-Samskab-Participant-Key", key);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The rotating chair holds the facilitator's controls, so it saves the
/// board as a template from its editor link, proven by its device's
/// participant secret. An editor who is not the chair (or who claims the
/// chair's id from another device), a viewer, and the chair once the
/// facilitator takes it back are refused with 403 and a clear message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_chair_saves_a_template_and_a_plain_editor_or_viewer_cannot() {
    use samskab_board::RoleGroup;
    use samskab_board::facilitation::FacilOp;
    const AISHA_KEY: &str = "aisha-tablet-secret-0123456789";
    const JENS_KEY: &str = "jens-tablet-secret-0123456789";
    let server = TestServer::start().await;
    let b = server.create_board("Møde 3").await;
    let person = |link: &str, id: &str, role: RoleGroup, key: &str| {
        WsClient::offline_as(&b.id, link, id, id, role.as_str(), Some(key))
    };
    let mut fac = person(
        &b.facilitator,
        "mette",
        RoleGroup::Administrator,
        "mette-laptop-secret-0123456789",
    );
    let mut aisha = person(&b.editor, "aisha", RoleGroup::Citizen, AISHA_KEY);
    let mut jens = person(&b.editor, "jens", RoleGroup::Politician, JENS_KEY);
    for c in [&mut fac, &mut aisha, &mut jens] {
        c.connect(&server.ws_url()).await.unwrap();
    }
    fac.apply(Op::CreateNote {
        id: "n1".into(),
        x: 0.0,
        y: 0.0,
        color: Color::Yellow,
        text: "Hvem skal være med?".into(),
    })
    .await
    .unwrap();
    let chair = |participant: &str| Op::Facilitate {
        act: FacilOp::SetChair {
            participant: participant.into(),
            meeting: "Møde 3".into(),
        },
    };
    fac.apply(chair("aisha")).await.unwrap();
    fac.until_saved().await.unwrap();

    let refused = |(status, body): (u16, Value), says: &str| {
        assert_eq!(status, 403, "{body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{says:?} in {body}");
    };
    // A plain editor, on his own device: not the chair.
    refused(
        save_as(&server, &b.id, &b.editor, Some(("jens", JENS_KEY))).await,
        "only the facilitator or the current chair",
    );
    // The editor link alone says nobody.
    refused(
        save_as(&server, &b.id, &b.editor, None).await,
        "only the facilitator or the current chair",
    );
    // Jens claiming to be the chair, without her device's secret.
    refused(
        save_as(&server, &b.id, &b.editor, Some(("aisha", JENS_KEY))).await,
        "another device",
    );
    // The public link, even with the chair's own secret.
    refused(
        save_as(&server, &b.id, &b.viewer, Some(("aisha", AISHA_KEY))).await,
        "only the facilitator or the current chair",
    );
    // The chair, from her tablet.
    let (status, body) = save_as(&server, &b.id, &b.editor, Some(("aisha", AISHA_KEY))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["scope"], "installation");
    let (_, listed) = call(Method::GET, server.url("/api/templates"), None, None).await;
    assert_eq!(
        listed["templates"][0]["name"], "Udvalgets skabelon",
        "{listed}"
    );

    // The facilitator takes the chair back: Aisha is an editor again.
    fac.apply(chair("")).await.unwrap();
    fac.until_saved().await.unwrap();
    refused(
        save_as(&server, &b.id, &b.editor, Some(("aisha", AISHA_KEY))).await,
        "only the facilitator or the current chair",
    );
    let (_, listed) = call(Method::GET, server.url("/api/templates"), None, None).await;
    assert_eq!(listed["templates"].as_array().unwrap().len(), 1, "{listed}");
}
