use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use samskab_server::{AppState, Config};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A board made through the API, with the secrets of its three links.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub facilitator: String,
    pub editor: String,
    pub viewer: String,
}

/// The real server, listening on 127.0.0.1 at a free port.
pub struct TestServer {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _tmp: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A server with a fresh temporary data directory.
    pub async fn start() -> TestServer {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut s = TestServer::start_in(tmp.path(), None).await;
        s._tmp = Some(tmp);
        s
    }

    /// A server on `data_dir`, serving the web app from `static_dir`.
    pub async fn start_in(data_dir: &Path, static_dir: Option<&Path>) -> TestServer {
        let mut config = Config::new(data_dir.to_path_buf());
        config.static_dir = static_dir.map(Path::to_path_buf);
        TestServer::start_with(config).await
    }

    pub async fn start_with(config: Config) -> TestServer {
        // `RUST_LOG=samskab_server=debug` shows the server's log in a test.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let data_dir = config.data_dir.clone();
        let state = AppState::open(config).expect("open storage");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(samskab_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            data_dir,
            stop: Some(stop),
            task: Some(task),
            _tmp: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Creates a board over the HTTP API: its id and the three links' secrets.
    pub async fn create_board(&self, title: &str) -> Created {
        create_board_at(&self.url(""), title).await
    }

    /// Graceful stop (as on SIGTERM): pending writes finish first.
    pub async fn stop(mut self) -> Option<tempfile::TempDir> {
        self.shutdown().await;
        self._tmp.take()
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(20), task).await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Creates a board through the HTTP API of the server at `base_url`
/// (`http://host:port`): its id and the three links' secrets.
pub(crate) async fn create_board_at(base_url: &str, title: &str) -> Created {
    let res = reqwest::Client::new()
        .post(format!("{base_url}/api/boards"))
        .json(&serde_json::json!({ "title": title }))
        .send()
        .await
        .expect("POST /api/boards");
    assert_eq!(res.status(), 201, "board creation failed");
    let body: serde_json::Value = res.json().await.expect("json");
    let key = |role: &str| {
        let link = body["links"][role].as_str().expect("link");
        link.split_once("#key=")
            .expect("a #key= fragment")
            .1
            .to_string()
    };
    Created {
        id: body["id"].as_str().expect("id").to_string(),
        facilitator: key("facilitator"),
        editor: key("editor"),
        viewer: key("viewer"),
    }
}
