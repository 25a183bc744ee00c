//! Share links with roles: what each link may do, revocation, and that a
//! wrong secret tells nothing about whether a board exists.
use std::time::Duration;

use samskab_board::{Color, Op};
use samskab_protocol::ErrorReason;
use samskab_server::Config;
use samskab_tests::{TestServer, WsClient, converge};

const T: Duration = Duration::from_secs(15);

fn note(id: &str) -> Op {
    Op::CreateNote {
        id: id.into(),
        x: 0.0,
        y: 0.0,
        color: Color::Green,
        text: "hej".into(),
    }
}

async fn get_board(
    server: &TestServer,
    id: &str,
    secret: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new().get(server.url(&format!("/api/boards/{id}")));
    if let Some(s) = secret {
        req = req.bearer_auth(s);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_link_grants_its_role_and_a_wrong_secret_looks_like_a_missing_board() {
    let server = TestServer::start().await;
    let board = server.create_board("Roller").await;
    for (secret, role) in [
        (&board.facilitator, "facilitator"),
        (&board.editor, "editor"),
        (&board.viewer, "viewer"),
    ] {
        let (status, body) = get_board(&server, &board.id, Some(secret)).await;
        assert_eq!(status, 200);
        assert_eq!(body["permission"], role);
        assert_eq!(body["title"], "Roller");
    }
    let wrong = get_board(&server, &board.id, Some("0123456789abcdef0123456789abcdef")).await;
    let missing = get_board(&server, "0000000000000000", Some(&board.editor)).await;
    let none = get_board(&server, &board.id, None).await;
    assert_eq!(wrong.0, 404);
    assert_eq!(
        wrong, missing,
        "a wrong secret and a missing board get the same answer"
    );
    assert_eq!(wrong, none);

    // Over the websocket too: both are "board not found".
    for (id, key) in [
        (board.id.as_str(), "wrong"),
        ("0000000000000000", board.editor.as_str()),
    ] {
        let mut c = WsClient::offline(id, key, "Nosy");
        assert!(c.connect(&server.ws_url()).await.is_err());
        assert_eq!(c.refusals[0].reason, ErrorReason::BoardNotFound);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_the_board_live_but_its_changes_are_refused() {
    let server = TestServer::start().await;
    let board = server.create_board("Kun læse").await;
    let mut editor = WsClient::join(&server.ws_url(), &board.id, &board.editor, "Editor")
        .await
        .unwrap();
    let mut viewer = WsClient::join(&server.ws_url(), &board.id, &board.viewer, "Viewer")
        .await
        .unwrap();
    editor.apply(note("e1")).await.unwrap();
    editor.until_saved().await.unwrap();
    viewer
        .pump_until(T, |c| c.board().note("e1").is_some())
        .await
        .unwrap();

    // The viewer's client deliberately sends a change anyway.
    viewer.apply(note("sneaky")).await.unwrap();
    viewer.pump_until(T, |c| c.closed.is_some()).await.unwrap();
    assert_eq!(viewer.refusals[0].reason, ErrorReason::Forbidden);
    let close = viewer.closed.clone().flatten().expect("close frame");
    assert_eq!(u16::from(close.code), 4003);

    // Nobody else ever sees it, and it is not stored.
    editor.apply(note("e2")).await.unwrap();
    editor.until_saved().await.unwrap();
    let mut late = WsClient::join(&server.ws_url(), &board.id, &board.viewer, "Late")
        .await
        .unwrap();
    late.pump_until(T, |c| c.board().note("e2").is_some())
        .await
        .unwrap();
    assert!(late.board().note("sneaky").is_none());
    assert!(editor.board().note("sneaky").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reissued_link_cuts_off_the_old_one_at_once() {
    let server = TestServer::start().await;
    let board = server.create_board("Nye links").await;
    let mut old = WsClient::join(&server.ws_url(), &board.id, &board.editor, "Old")
        .await
        .unwrap();
    let mut facilitator = WsClient::join(&server.ws_url(), &board.id, &board.facilitator, "Chair")
        .await
        .unwrap();

    // Only the facilitator may re-issue.
    let http = reqwest::Client::new();
    let url = server.url(&format!("/api/boards/{}/links/editor", board.id));
    let denied = http
        .post(&url)
        .bearer_auth(&board.editor)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let res = http
        .post(&url)
        .bearer_auth(&board.facilitator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let new_key = body["link"]
        .as_str()
        .unwrap()
        .split_once("#key=")
        .unwrap()
        .1
        .to_string();

    old.pump_until(T, |c| c.closed.is_some()).await.unwrap();
    assert_eq!(old.refusals[0].reason, ErrorReason::Forbidden);
    assert!(old.refusals[0].message.contains("revoked"));
    let mut again = WsClient::offline(&board.id, &board.editor, "Old again");
    assert!(again.connect(&server.ws_url()).await.is_err());
    assert!(again.refusals[0].message.contains("revoked"));
    assert_eq!(
        get_board(&server, &board.id, Some(&board.editor)).await.0,
        410
    );

    let mut new = WsClient::join(&server.ws_url(), &board.id, &new_key, "New")
        .await
        .unwrap();
    new.apply(note("n")).await.unwrap();
    converge(&mut [&mut new, &mut facilitator], T)
        .await
        .unwrap();
    assert!(facilitator.board().note("n").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_admin_token_only_its_holders_create_boards() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::new(data.path().to_path_buf());
    config.admin_token = Some("kommunens-hemmelighed".into());
    let server = TestServer::start_with(config).await;
    let http = reqwest::Client::new();
    let body = serde_json::json!({ "title": "x" });
    let res = http
        .post(server.url("/api/boards"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .post(server.url("/api/boards"))
        .bearer_auth("forkert")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .post(server.url("/api/boards"))
        .bearer_auth("kommunens-hemmelighed")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
