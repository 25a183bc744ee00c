//! The caps on what one peer's message may declare (`samskab_board::wire`)
//! guard the server. A browser's one peer is its server, and the first sync
//! of a long-lived board carries its whole history: a client must take it
//! even when it declares more than any single peer message may.
use automerge::sync::{self, SyncDoc};
use samskab_board::{Board, Color, Ctx, Limits, Op};
use samskab_protocol::{ClientSession, Message, Participant, PeerSync, SyncError};

fn big_board() -> Board {
    let ctx = Ctx::new("anna", 1_700_000_000_000);
    let mut b = Board::create(&[9; 16], "Lang historie", &ctx).unwrap();
    for i in 0..40 {
        b.apply(
            &Op::CreateNote {
                id: format!("n{i}"),
                x: 0.0,
                y: i as f64 * 200.0,
                color: Color::Yellow,
                text: "en idé".into(),
            },
            &ctx,
        )
        .unwrap();
    }
    b
}

/// The server's answer to a replica that has nothing yet.
fn first_sync(server: &mut Board, client: &mut Board) -> Vec<u8> {
    let Some(frame) = PeerSync::new().generate(client) else {
        panic!("a fresh replica asks for the board")
    };
    let Ok(Message::Sync(hello)) = Message::decode(&frame) else {
        panic!("a sync message")
    };
    let mut state = sync::State::new();
    server
        .doc_mut()
        .sync()
        .receive_sync_message(&mut state, sync::Message::decode(&hello).unwrap())
        .unwrap();
    server
        .doc_mut()
        .sync()
        .generate_sync_message(&mut state)
        .expect("the whole history")
        .encode()
}

#[test]
fn a_client_takes_a_whole_history_larger_than_one_peer_message_may_declare() {
    let tight = Limits {
        max_ops: 100,
        ..Limits::default()
    };
    let mut server = big_board();

    // As a message from a peer to the server, it would be refused.
    let mut replica = Board::new(&[1; 16]).with_limits(tight.clone());
    let payload = first_sync(&mut server, &mut replica);
    assert!(matches!(
        PeerSync::new().receive(&mut replica, &payload),
        Err(SyncError::TooLarge(_))
    ));

    // A client session lifts only those caps on what its server sends.
    let me = Participant {
        id: "p1".into(),
        name: "Bo".into(),
        role: "citizen".into(),
        color: "#123456".into(),
    };
    let session = ClientSession::new("b1", None, me, Board::new(&[1; 16]).with_limits(tight));
    let limits = session.board().limits().clone();
    assert_eq!(limits.max_ops, u64::MAX);
    assert_eq!(limits.max_note_chars, Limits::default().max_note_chars);
    let mut replica = Board::new(&[1; 16]).with_limits(limits);
    let payload = first_sync(&mut server, &mut replica);
    PeerSync::new().receive(&mut replica, &payload).unwrap();
    assert_eq!(replica.notes().len(), 40);
}
