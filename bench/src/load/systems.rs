//! The systems under test: Samskab and its peers, each a server process
//! started on a fresh port and data directory, and how a board is made on
//! each.
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One system under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    /// `samskab serve` (this repository).
    Samskab,
    /// `bench/peers/automerge-repo-server/server.mjs`: a `Repo` of
    /// `@automerge/automerge-repo` 2.x with `NodeWSServerAdapter` and
    /// `NodeFSStorageAdapter`.
    AutomergeRepo,
    /// The published `@automerge/automerge-repo-sync-server` (0.2.8, which
    /// runs automerge-repo 1.x).
    SyncServer,
    /// `bench/peers/samod-server`: samod, the Rust automerge-repo.
    Samod,
    /// `@y/websocket-server` (Yjs) with LevelDB persistence.
    Yjs,
}

impl System {
    pub const ALL: [System; 5] = [
        System::Samskab,
        System::AutomergeRepo,
        System::SyncServer,
        System::Samod,
        System::Yjs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            System::Samskab => "samskab",
            System::AutomergeRepo => "automerge-repo",
            System::SyncServer => "sync-server",
            System::Samod => "samod",
            System::Yjs => "yjs",
        }
    }

    /// What the tables call it.
    pub fn title(self) -> &'static str {
        match self {
            System::Samskab => "Samskab",
            System::AutomergeRepo => "automerge-repo 2.5.6 server (Node)",
            System::SyncServer => "automerge-repo-sync-server 0.2.8 (Node)",
            System::Samod => "samod 0.16 server (Rust)",
            System::Yjs => "@y/websocket-server 0.1.1 + LevelDB (Node)",
        }
    }

    pub fn parse(s: &str) -> Option<System> {
        System::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// A board on some system: its id (Samskab board id, automerge-repo
/// document id, y-websocket room) and, for Samskab, the editor link's secret.
#[derive(Debug, Clone, Default)]
pub struct BoardRef {
    pub id: String,
    pub key: String,
}

/// Where the programs are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub root: PathBuf,
    pub samskab: PathBuf,
    pub node: PathBuf,
}

impl Paths {
    pub fn peers(&self) -> PathBuf {
        self.root.join("bench").join("peers")
    }

    pub fn samod(&self) -> PathBuf {
        self.peers()
            .join("samod-server")
            .join("target")
            .join("release")
            .join("samod-bench-server")
    }

    /// An error saying how to get `system`'s server, if it is missing.
    pub fn check(&self, system: System) -> anyhow::Result<()> {
        let need = |p: PathBuf, how: &str| {
            if p.exists() {
                Ok(())
            } else {
                anyhow::bail!("{} is missing: {how}", p.display())
            }
        };
        match system {
            System::Samskab => need(
                self.samskab.clone(),
                "cargo build --release -p samskab-tests --bin samskab-under-test",
            ),
            System::Samod => need(
                self.samod(),
                "cargo build --release --manifest-path bench/peers/samod-server/Cargo.toml",
            ),
            _ => need(
                self.peers().join("node_modules").join("@automerge"),
                "npm ci in bench/peers (scripts/bench does it)",
            ),
        }
    }
}

/// A running server of one system.
pub struct Server {
    pub system: System,
    pub port: u16,
    child: Child,
    log: PathBuf,
    /// From spawning until it accepted a TCP connection.
    pub started_in: Duration,
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

impl Server {
    /// Starts `system` on `port` (0: a free one) with its data in
    /// `data_dir`, and waits until it accepts connections.
    pub async fn start(
        system: System,
        paths: &Paths,
        data_dir: &Path,
        port: u16,
    ) -> anyhow::Result<Server> {
        paths.check(system)?;
        std::fs::create_dir_all(data_dir)?;
        let port = if port == 0 { free_port() } else { port };
        let log = data_dir.with_extension("log");
        let out = File::options().create(true).append(true).open(&log)?;
        let err = out.try_clone()?;
        let peers = paths.peers();
        let mut cmd = match system {
            System::Samskab => {
                let mut c = Command::new(&paths.samskab);
                c.arg("serve")
                    .arg("--bind")
                    .arg(format!("127.0.0.1:{port}"))
                    .arg("--data-dir")
                    .arg(data_dir)
                    .arg("--static-dir")
                    .arg(data_dir.join("no-web-app"))
                    // The cold-start board is uploaded in one sync message.
                    .arg("--max-message-bytes")
                    .arg((256u64 << 20).to_string())
                    .env("SAMSKAB_LOG", "warn")
                    .env_remove("SAMSKAB_ADMIN_TOKEN")
                    .env_remove("SAMSKAB_PUBLIC_URL");
                c
            }
            System::Samod => {
                let mut c = Command::new(paths.samod());
                c.arg("--port")
                    .arg(port.to_string())
                    .arg("--data-dir")
                    .arg(data_dir);
                c
            }
            System::AutomergeRepo | System::SyncServer | System::Yjs => {
                let script = match system {
                    System::AutomergeRepo => peers.join("automerge-repo-server/server.mjs"),
                    System::SyncServer => peers
                        .join("node_modules/@automerge/automerge-repo-sync-server/src/index.js"),
                    _ => peers.join("node_modules/@y/websocket-server/src/server.js"),
                };
                let mut c = Command::new(&paths.node);
                c.arg(script)
                    .current_dir(data_dir)
                    .env("PORT", port.to_string())
                    .env("HOST", "127.0.0.1")
                    .env("DATA_DIR", data_dir)
                    .env("YPERSISTENCE", data_dir.join("leveldb"));
                c
            }
        };
        let started = Instant::now();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", system.name()))?;
        let mut server = Server {
            system,
            port,
            child,
            log,
            started_in: Duration::ZERO,
        };
        let deadline = started + Duration::from_secs(60);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
                && (!matches!(
                    system,
                    System::AutomergeRepo | System::SyncServer | System::Samod
                ) || crate::repo::probe(&server.base()).await)
            {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                anyhow::bail!(
                    "{} exited at start ({status}):\n{}",
                    system.name(),
                    server.log_tail(30)
                );
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "{} did not listen on {port} in 60 s",
                system.name()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.started_in = started.elapsed();
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `ws://127.0.0.1:<port>`
    pub fn base(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Makes a new, empty board.
    pub async fn create_board(&self, title: &str) -> anyhow::Result<BoardRef> {
        match self.system {
            System::Samskab => {
                let res = reqwest::Client::new()
                    .post(format!("http://127.0.0.1:{}/api/boards", self.port))
                    .json(&serde_json::json!({ "title": title }))
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "create board: {}", res.status());
                let v: serde_json::Value = res.json().await?;
                let id = v["id"].as_str().unwrap_or_default().to_string();
                let link = v["links"]["editor"].as_str().unwrap_or_default();
                let key = link
                    .split_once("#key=")
                    .map(|(_, k)| k.to_string())
                    .ok_or_else(|| anyhow::anyhow!("no key in {link:?}"))?;
                Ok(BoardRef { id, key })
            }
            System::Yjs => Ok(BoardRef {
                id: format!("board-{:016x}", rand::random::<u64>()),
                key: String::new(),
            }),
            _ => {
                let id = crate::repo::new_document_id();
                crate::repo::RepoClient::create(&self.base(), &id).await?;
                Ok(BoardRef {
                    id,
                    key: String::new(),
                })
            }
        }
    }

    /// Asks the server to stop (SIGTERM) and waits up to `timeout`, then
    /// kills it.
    pub async fn stop(&mut self, timeout: Duration) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill();
    }

    pub fn kill(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// The last `n` lines the server printed.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
