//! What several of these tests share: a client session joined to a board
//! ("b1") as an editor, with the server's side played by the test.
use samskab_protocol::{ClientSession, Message, Permission, Welcome};

/// Opens `client`'s connection: checks it says hello, then welcomes it as
/// an editor.
pub fn welcome(client: &mut ClientSession) {
    client.connected();
    assert!(matches!(
        Message::decode(&client.poll_transmit().unwrap()),
        Ok(Message::Hello(_))
    ));
    let welcome = Message::Welcome(Welcome {
        protocol: 1,
        board: "b1".into(),
        permission: Permission::Editor,
        server_time_ms: None,
    });
    client.receive(&welcome.encode()).unwrap();
}

/// Passes sync messages between `client` and the server's side of its
/// connection until neither has anything to say. `seen` sees every frame
/// the server sends before the client gets it.
pub fn sync_until_quiet(
    client: &mut ClientSession,
    server_side: &mut samskab_protocol::PeerSync,
    server: &mut samskab_board::Board,
    mut seen: impl FnMut(&[u8]),
) {
    loop {
        let mut quiet = true;
        while let Some(frame) = client.poll_transmit() {
            quiet = false;
            let Ok(Message::Sync(payload)) = Message::decode(&frame) else {
                panic!("not live yet: sync messages only")
            };
            server_side.receive(server, &payload).unwrap();
        }
        while let Some(frame) = server_side.generate(server) {
            quiet = false;
            seen(&frame);
            client.receive(&frame).unwrap();
        }
        if quiet {
            return;
        }
    }
}
