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

    // A client's sync with its own server does not walk the wire check:
    // the same history is taken under the same tight limits.
    let mut replica = Board::new(&[1; 16]).with_limits(tight.clone());
    let payload = first_sync(&mut server, &mut replica);
    PeerSync::with_server()
        .receive(&mut replica, &payload)
        .unwrap();
    assert_eq!(replica.notes().len(), 40);

    // So does a client session, whether the history comes as a sync
    // message or as live changes.
    let me = Participant {
        id: "p1".into(),
        name: "Bo".into(),
        role: "citizen".into(),
        color: "#123456".into(),
    };
    let mut session = ClientSession::new(
        "b1",
        None,
        me.clone(),
        Board::new(&[1; 16]).with_limits(tight.clone()),
    );
    let mut empty = Board::new(&[1; 16]);
    let payload = first_sync(&mut server, &mut empty);
    session.receive(&Message::Sync(payload).encode()).unwrap();
    assert_eq!(session.board().notes().len(), 40);

    let mut session = ClientSession::new(
        "b1",
        None,
        me,
        Board::new(&[1; 16]).with_limits(tight.clone()),
    );
    let everything = samskab_protocol::changes_since(&mut server, &[]);
    assert!(matches!(
        samskab_protocol::receive_changes(
            &mut Board::new(&[1; 16]).with_limits(tight),
            &everything
        ),
        Err(SyncError::TooLarge(_))
    ));
    session
        .receive(&Message::Changes(everything).encode())
        .unwrap();
    assert_eq!(session.board().notes().len(), 40);
}
