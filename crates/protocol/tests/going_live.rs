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

#[test]
fn edits_not_yet_sent_when_the_client_goes_live_still_reach_the_server() {
    let me = Participant {
        id: "p1".into(),
        name: "Maja".into(),
        role: "citizen".into(),
        color: "#c33".into(),
    };
    let mut client = ClientSession::new("b1", None, me, Board::new(&[1; 16]));
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
