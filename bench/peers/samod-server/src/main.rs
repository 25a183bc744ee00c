//! A plain automerge-repo sync server on samod: websockets on `/`, documents
//! in a folder (samod's `FilesystemStorage`, the layout of automerge-repo's
//! `NodeFSStorageAdapter`). Like `@automerge/automerge-repo-sync-server` it
//! does not announce documents to peers that did not ask for them.
//!
//! usage: samod-bench-server --port PORT --data-dir DIR
use samod::storage::TokioFilesystemStorage as FilesystemStorage;
use samod::{AcceptorHandle, Repo, ShareConfig};

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = flag(&args, "--port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(3030);
    let dir = flag(&args, "--data-dir").unwrap_or_else(|| "samod-data".into());
    std::fs::create_dir_all(&dir).expect("create the data directory");
    let repo = Repo::build_tokio()
        .with_storage(FilesystemStorage::new(&dir))
        .with_share_policy(ShareConfig::read_write().with_announce(false))
        .load()
        .await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let url = url::Url::parse(&format!("ws://127.0.0.1:{port}")).expect("url");
    let acceptor = repo.make_acceptor(url).expect("acceptor");
    let app = axum::Router::new()
        .route("/", axum::routing::get(ws))
        .with_state(acceptor);
    eprintln!("samod sync server on 127.0.0.1:{port}, data in {dir}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await
        .expect("serve");
    // Let samod write what it still holds.
    repo.stop().await;
}

async fn ws(
    ws: axum::extract::ws::WebSocketUpgrade,
    axum::extract::State(acceptor): axum::extract::State<AcceptorHandle>,
) -> axum::response::Response {
    ws.max_message_size(256 << 20)
        .on_upgrade(|socket| async move {
            if let Err(e) = acceptor.accept_axum(socket, None) {
                eprintln!("cannot accept a connection: {e:?}");
            }
        })
}
