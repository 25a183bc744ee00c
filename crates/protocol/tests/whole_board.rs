//! A device that has never seen a board gets it from the server as one
//! saved document (Automerge sends the whole document to a peer that lacks
//! most of it). A pristine replica loads it as a document, not change by
//! change (`PeerSync::receive`); the result must be the same board, still
//! this device's replica (its own actor), and editing must go on both ways.
mod common;

use automerge::sync;
use samskab_board::{Board, Color, Ctx, Op};
use samskab_protocol::{
    ClientSession, Message, Participant, PeerSync, changes_since, receive_changes,
};

fn note(id: &str, text: &str) -> Op {
    Op::CreateNote {
        id: id.into(),
        x: 0.0,
        y: 0.0,
        color: Color::Green,
        text: text.into(),
    }
}

fn server_board(notes: usize) -> Board {
    let mut b = Board::new(&[9; 16]);
    let ctx = Ctx::new("chair", 0);
    for i in 0..notes {
        b.apply(&note(&format!("n{i}"), &format!("idé {i}")), &ctx)
            .unwrap();
    }
    b
}

/// Joins `client` and syncs with `server` until neither has anything to
/// say; returns whether the server sent the board as one document. The
/// server must then know the client is in step (it puts it live on that).
fn join_and_sync(client: &mut ClientSession, server: &mut Board) -> bool {
    let mut server_side = PeerSync::new();
    let mut whole = false;
    common::welcome(client);
    common::sync_until_quiet(client, &mut server_side, server, |frame| {
        if let Ok(Message::Sync(payload)) = Message::decode(frame) {
            let m = sync::Message::decode(&payload).unwrap();
            whole |= m.changes.len() == 1 && m.changes.iter().all(|c| c.get(8) == Some(&0));
        }
    });
    assert!(
        server_side.in_step(server),
        "the server does not know the client has it all"
    );
    whole
}

fn maja(board: Board) -> ClientSession {
    let me = Participant {
        id: "p1".into(),
        name: "Maja".into(),
        role: "citizen".into(),
        color: "#c33".into(),
    };
    ClientSession::new("b1", None, me, board)
}

fn sorted(mut heads: Vec<automerge::ChangeHash>) -> Vec<automerge::ChangeHash> {
    heads.sort();
    heads
}

#[test]
fn a_new_device_loads_the_whole_board_and_goes_on_editing_as_itself() {
    let mut server = server_board(300);
    let mut client = maja(Board::new(&[1; 16]));
    assert!(
        join_and_sync(&mut client, &mut server),
        "the premise: the server sends the board as one document"
    );
    assert_eq!(sorted(client.heads()), sorted(server.heads()));
    assert_eq!(client.board().notes(), server.notes());
    assert_eq!(client.board().doc().get_actor().to_bytes(), [1; 16]);

    // Maja's next note is hers, and reaches the server.
    let before = client.heads();
    client
        .apply(&note("maja", "min idé"), &Ctx::new("p1", 1))
        .unwrap();
    let mine = changes_since(&mut client.board().clone(), &before);
    receive_changes(&mut server, &mine).unwrap();
    assert_eq!(server.note("maja").unwrap().text, "min idé");
    assert_eq!(sorted(client.heads()), sorted(server.heads()));
}

#[test]
fn a_device_with_edits_of_its_own_merges_the_board_and_keeps_them() {
    let mut server = server_board(300);
    let mut offline = Board::new(&[1; 16]);
    offline
        .apply(&note("maja", "skrevet offline"), &Ctx::new("p1", 1))
        .unwrap();
    let mut client = maja(offline);
    join_and_sync(&mut client, &mut server);
    assert_eq!(sorted(client.heads()), sorted(server.heads()));
    assert_eq!(client.board().note_count(), 301);
    assert_eq!(server.note("maja").unwrap().text, "skrevet offline");
}
