//! Presence, limits and operations: each breach gets its own clear error,
//! and the other clients on the board keep working.
use std::time::Duration;

use samskab_board::wire::write_uleb as uleb;
use samskab_board::{Color, Op};
use samskab_protocol::{Dragging, ErrorReason, Message, Presence};
use samskab_server::Config;
use samskab_tests::{Created, TestServer, WsClient, converge};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const T: Duration = Duration::from_secs(15);

fn note(id: &str, text: &str) -> Op {
    Op::CreateNote {
        id: id.into(),
        x: 0.0,
        y: 0.0,
        color: Color::Yellow,
        text: text.into(),
    }
}

async fn join(server: &TestServer, board: &Created, name: &str) -> WsClient {
    WsClient::join(&server.ws_url(), &board.id, &board.editor, name)
        .await
        .unwrap()
}

/// The good client keeps editing and getting acknowledgements.
async fn still_works(good: &mut WsClient) {
    let id = samskab_tests::random_id();
    good.apply(note(&id, "still here")).await.unwrap();
    good.until_saved().await.unwrap();
}

async fn server_with(f: impl FnOnce(&mut Config)) -> (TestServer, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::new(data.path().to_path_buf());
    f(&mut config);
    (TestServer::start_with(config).await, data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_travels_apart_from_the_document() {
    let server = TestServer::start().await;
    let board = server.create_board("Presence").await;
    let mut anna = join(&server, &board, "Anna").await;
    let mut bo = join(&server, &board, "Bo").await;
    bo.pump_until(T, |c| {
        c.peers.values().any(|p| p.participant.name == "Anna")
    })
    .await
    .unwrap();
    anna.apply(note("n1", "x")).await.unwrap();
    anna.until_saved().await.unwrap();
    let heads_before = anna.session.heads();
    let drag = Presence {
        dragging: Some(Dragging {
            id: "n1".into(),
            x: 300.0,
            y: 40.0,
        }),
        ..Presence::default()
    };
    anna.presence(&drag).await.unwrap();
    bo.pump_until(T, |c| {
        c.peers.values().any(|p| p.presence.dragging.is_some())
    })
    .await
    .unwrap();
    assert_eq!(
        anna.session.heads(),
        heads_before,
        "presence never enters the document"
    );
    drop(anna);
    bo.pump_until(T, |c| c.peers.is_empty()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_messages_is_cut_off_with_rate_limited() {
    let (server, _d) = server_with(|c| c.max_messages_per_sec = 50).await;
    let board = server.create_board("Flood").await;
    let mut good = join(&server, &board, "Good").await;
    let mut flood = join(&server, &board, "Flood").await;
    let p = Presence {
        cursor: Some((1.0, 1.0)),
        ..Presence::default()
    };
    for _ in 0..500 {
        if flood.presence(&p).await.is_err() {
            break;
        }
    }
    flood.pump_until(T, |c| c.closed.is_some()).await.unwrap();
    assert_eq!(flood.refusals[0].reason, ErrorReason::RateLimited);
    assert_eq!(
        u16::from(flood.closed.clone().flatten().unwrap().code),
        4029
    );
    still_works(&mut good).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_is_refused_as_too_large() {
    let (server, _d) = server_with(|c| c.max_message_bytes = 64 * 1024).await;
    let board = server.create_board("Stor").await;
    let mut good = join(&server, &board, "Good").await;
    let mut big = join(&server, &board, "Big").await;
    let mut frame = vec![1u8, 3];
    frame.resize(200 * 1024, 0x42);
    let _ = big.send_raw(WsMessage::Binary(frame.into())).await;
    big.pump_until(T, |c| c.closed.is_some()).await.unwrap();
    let close = big
        .closed
        .clone()
        .flatten()
        .expect("a close frame with a reason");
    assert_eq!(u16::from(close.code), 1009, "{close:?}");
    assert_eq!(big.refusals[0].reason, ErrorReason::TooLarge);
    still_works(&mut good).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_board_refuses_one_more_connection() {
    let (server, _d) = server_with(|c| c.rooms.max_connections = 2).await;
    let board = server.create_board("Fuld").await;
    let mut a = join(&server, &board, "A").await;
    let _b = join(&server, &board, "B").await;
    let mut c = WsClient::offline(&board.id, &board.editor, "C");
    assert!(c.connect(&server.ws_url()).await.is_err());
    assert_eq!(c.refusals[0].reason, ErrorReason::BoardFull);
    still_works(&mut a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_past_its_size_limit_refuses_the_change_that_would_grow_it() {
    let (server, _d) = server_with(|c| c.rooms.limits.max_doc_bytes = 12_000).await;
    let board = server.create_board("Lille").await;
    let mut big = join(&server, &board, "Big").await;
    let mut good = join(&server, &board, "Good").await;
    good.apply(note("g", "kort")).await.unwrap();
    good.until_saved().await.unwrap();
    for i in 0..40 {
        let text: String = (0..1500)
            .map(|j| char::from(b'a' + ((i * 7 + j * 13) % 26) as u8))
            .collect();
        if big.apply(note(&format!("b{i}"), &text)).await.is_err() || big.closed.is_some() {
            break;
        }
        big.pump_once(Duration::from_millis(20)).await.unwrap();
    }
    big.pump_until(T, |c| c.closed.is_some()).await.unwrap();
    assert_eq!(big.refusals[0].reason, ErrorReason::TooLarge);
    assert!(big.refusals[0].message.contains("size limit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_connections_and_acknowledgements() {
    let server = TestServer::start().await;
    let board = server.create_board("Tal").await;
    let mut a = join(&server, &board, "A").await;
    still_works(&mut a).await;
    let text = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "samskab_connections_open 1",
        "samskab_rooms_open 1",
        "samskab_ack_latency_seconds_count 1",
    ] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_from_a_foreign_origin_cannot_open_a_board_socket() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start().await;
    let mut req = server.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", "http://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    let mut req = server.ws_url().into_client_request().unwrap();
    req.headers_mut()
        .insert("Origin", server.url("").parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(req).await.is_ok(),
        "same origin is fine"
    );
}

/// A sync message (no heads, no need) with one `have` and some chunks.
fn sync_message(bloom: &[u8], chunks: &[&[u8]]) -> Vec<u8> {
    let mut m = vec![0x42, 0, 0, 1, 0];
    uleb(bloom.len() as u64, &mut m);
    m.extend(bloom);
    uleb(chunks.len() as u64, &mut m);
    for c in chunks {
        uleb(c.len() as u64, &mut m);
        m.extend(*c);
    }
    m
}

/// Data that declares far more than it holds is refused before Automerge
/// reads it, whichever way it comes in: as live changes, inside a sync
/// message, as a bloom filter, or as an imported file. Found by fuzzing: a
/// 1.8 KB file whose load asked Automerge for more than 4 GB, and sync
/// messages that made the answer to their sender spin. The others on the
/// board keep editing and never notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_data_that_would_expand_is_refused_and_the_room_keeps_going() {
    const BOMB: &[u8] =
        include_bytes!("../../../crates/board/fuzz/regressions/oom/load_and_validate-oom-148e7895");
    const FUZZED_SYNC: &[u8] =
        include_bytes!("../../../crates/board/fuzz/regressions/slow/apply_changes-bloom-probes");
    let server = TestServer::start().await;
    let board = server.create_board("Bombe").await;
    let mut anna = join(&server, &board, "Anna").await;
    let mut bo = join(&server, &board, "Bo").await;

    let mut probes = Vec::new();
    for v in [1, 10, u64::from(u32::MAX)] {
        uleb(v, &mut probes);
    }
    probes.extend([0xff, 0xff]);
    let cases: Vec<(&str, Message, Option<ErrorReason>)> = vec![
        (
            "a file as live changes",
            Message::Changes(BOMB.to_vec()),
            Some(ErrorReason::TooLarge),
        ),
        (
            "a file inside a sync message",
            Message::Sync(sync_message(&[], &[BOMB])),
            Some(ErrorReason::TooLarge),
        ),
        (
            "a bloom filter with billions of probes",
            Message::Sync(sync_message(&probes, &[])),
            Some(ErrorReason::TooLarge),
        ),
        // Well-formed as far as anyone can tell: it may be taken, but the
        // answer to it must not hold up the room.
        (
            "a sync message found by fuzzing",
            Message::Sync(FUZZED_SYNC.to_vec()),
            None,
        ),
    ];
    for (what, msg, reason) in cases {
        let mut bad = join(&server, &board, "Bad").await;
        bad.send_raw(WsMessage::Binary(msg.encode().into()))
            .await
            .unwrap();
        if let Some(reason) = reason {
            bad.pump_until(T, |c| c.closed.is_some()).await.unwrap();
            assert_eq!(bad.refusals[0].reason, reason, "{what}: {:?}", bad.refusals);
        } else {
            let _ = bad.pump_once(Duration::from_millis(300)).await;
        }
        let id = samskab_tests::random_id();
        anna.apply(note(&id, what)).await.unwrap();
        anna.until_saved().await.unwrap();
        converge(&mut [&mut anna, &mut bo], T).await.unwrap();
        assert_eq!(bo.board().note(&id).unwrap().text, what);
    }

    let res = reqwest::Client::new()
        .post(server.url("/api/boards/import"))
        .body(BOMB.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let text = res.text().await.unwrap();
    assert!(text.contains("too large"), "{text}");
    still_works(&mut bo).await;
}
