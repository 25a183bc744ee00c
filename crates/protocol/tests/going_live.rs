//! The server puts a client live (raw changes from then on) when the heads
//! the client last reported equal its own. The client may have made edits
//! since that report which its sync protocol had not sent yet (one message
//! per turn): going live must not strand them on the device. This was the
//! ten-client convergence flake (`sync::ten_clients_…` in the server
//! tests): one client live, with all its edits unacknowledged.
mod common;

use samskab_board::{Board, Color, Ctx, Op};
use samskab_protocol::{ClientSession, Message, Participant, PeerSync, receive_changes};

fn note(id: &str, text: &str) -> Op {
    Op::CreateNote {
        id: id.into(),
        x: 0.0,
        y: 0.0,
        color: Color::Blue,
        text: text.into(),
    }
}

/// A client session of Maja's on a new board, not connected yet.
fn maja() -> ClientSession {
    let me = Participant {
        id: "p1".into(),
        name: "Maja".into(),
        role: "citizen".into(),
        color: "#c33".into(),
    };
    ClientSession::new("b1", None, me, Board::new(&[1; 16]))
}

#[test]
fn edits_not_yet_sent_when_the_client_goes_live_still_reach_the_server() {
    let mut client = maja();
    let mut server_board = Board::new(&[9; 16]);
    let mut server_side = PeerSync::new();
    let ctx = Ctx::new("p1", 0);

    common::welcome(&mut client);
    client.apply(&note("n1", "først"), &ctx).unwrap();
    // In step, through the sync protocol.
    common::sync_until_quiet(&mut client, &mut server_side, &mut server_board, |_| {});
    assert!(server_board.note("n1").is_some());
    assert!(!client.is_live());

    // The client edits; what its sync protocol would send has not left
    // (it is in flight, or was not written this turn)...
    client.apply(&note("n2", "imens"), &ctx).unwrap();
    while client.poll_transmit().is_some() {}
    // ...when the server, judging from the heads it last heard, puts it live.
    client
        .receive(&Message::Changes(Vec::new()).encode())
        .unwrap();
    assert!(client.is_live());
    while let Some(frame) = client.poll_transmit() {
        if let Ok(Message::Changes(bytes)) = Message::decode(&frame) {
            receive_changes(&mut server_board, &bytes).unwrap();
        }
    }
    assert_eq!(
        server_board.note("n2").map(|n| n.text),
        Some("imens".to_string()),
        "the edit made before going live reached the server"
    );
}

/// The server's side of a connection whose sync is finishing while others
/// keep editing: each time the client reports its heads, the board has
/// moved on. Returns the session (not live yet) after `rounds` such turns.
fn sync_while_others_edit(
    server_board: &mut Board,
    server_side: &mut PeerSync,
    rounds: usize,
) -> ClientSession {
    let mut client = maja();
    let other = Ctx::new("p2", 0);
    common::welcome(&mut client);
    for round in 0..rounds {
        while let Some(frame) = client.poll_transmit() {
            let Ok(Message::Sync(payload)) = Message::decode(&frame) else {
                panic!("not live yet: sync messages only")
            };
            server_side.receive(server_board, &payload).unwrap();
        }
        // Someone else adds a note before the server answers.
        server_board
            .apply(&note(&format!("o{round}"), "andres"), &other)
            .unwrap();
        while let Some(frame) = server_side.generate(server_board) {
            client.receive(&frame).unwrap();
        }
        assert!(
            !server_side.in_step(server_board),
            "round {round}: the board moved on, so the heads never match"
        );
    }
    client
}

#[test]
fn a_client_syncing_while_others_edit_is_brought_level_and_put_live() {
    let mut server_board = Board::new(&[9; 16]);
    let mut server_side = PeerSync::new();
    let mut client = sync_while_others_edit(&mut server_board, &mut server_side, 6);
    // The client lacks the changes made after its last report that the
    // sync protocol has not sent it yet, and holds nothing the server lacks.
    let lacking = server_side
        .behind_by(&mut server_board, 100)
        .expect("only behind: it can go live");
    client.receive(&Message::Changes(lacking).encode()).unwrap();
    client
        .receive(&Message::Changes(Vec::new()).encode())
        .unwrap();
    assert!(client.is_live());
    let mut ours = client.heads();
    let mut theirs = server_board.heads();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs, "level with the server once live");
    assert_eq!(client.board().notes().len(), 6, "every other person's note");
}

#[test]
fn a_client_holding_what_the_server_lacks_or_too_far_behind_keeps_syncing() {
    let mut server_board = Board::new(&[9; 16]);
    let mut server_side = PeerSync::new();
    assert_eq!(
        server_side.behind_by(&mut server_board, 100),
        None,
        "it has not told its heads yet"
    );
    let mut client = sync_while_others_edit(&mut server_board, &mut server_side, 3);
    // An edit of the client's that the server has not received: the client
    // reports heads the server does not know.
    client
        .apply(&note("mine", "min"), &Ctx::new("p1", 0))
        .unwrap();
    while let Some(frame) = client.poll_transmit() {
        if let Ok(Message::Sync(payload)) = Message::decode(&frame) {
            // Only the heads: the change itself is lost on the way.
            let mut m = automerge::sync::Message::decode(&payload).unwrap();
            m.changes = Vec::<Vec<u8>>::new().into();
            server_side.receive(&mut server_board, &m.encode()).unwrap();
        }
    }
    assert_eq!(server_side.behind_by(&mut server_board, 100), None);

    // Far behind: more unsent changes than allowed.
    let mut server_board = Board::new(&[9; 16]);
    let mut server_side = PeerSync::new();
    let _client = sync_while_others_edit(&mut server_board, &mut server_side, 1);
    let other = Ctx::new("p2", 0);
    for i in 0..5 {
        server_board
            .apply(&note(&format!("x{i}"), "mere"), &other)
            .unwrap();
    }
    assert_eq!(server_side.behind_by(&mut server_board, 4), None);
    assert!(server_side.behind_by(&mut server_board, 5).is_some());
}
