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
