//! The real `samskab` binary as a separate OS process, so that tests can kill
//! it (SIGKILL) or stop it (SIGTERM) the way a crash or an operator would.
use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use tokio::time::Instant;

use crate::server::{Created, create_board_at};

/// How long a fresh server may take to answer `GET /api/health`.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a free port is tried, in case another process takes it between
/// our picking it and the server binding it.
const START_ATTEMPTS: usize = 3;

/// A `samskab serve` process listening on 127.0.0.1 at a free port. Its
/// output goes to a log file ([`ServerProcess::log`]), printed if the test
/// panics while the process handle is alive. Killed on drop.
pub struct ServerProcess {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    child: Child,
    exited: Option<ExitStatus>,
    log: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Runs `bin serve` on `data_dir` and waits until it answers
    /// `GET /api/health`. Panics if it does not start.
    pub async fn spawn(data_dir: &Path, bin: &Path) -> ServerProcess {
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match ServerProcess::try_spawn(data_dir, bin).await {
                Ok(server) => return server,
                Err(e) => failures.push(e),
            }
        }
        panic!(
            "{} did not start:\n{}",
            bin.display(),
            failures.join("\n\n")
        );
    }

    async fn try_spawn(data_dir: &Path, bin: &Path) -> Result<ServerProcess, String> {
        let log_dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let log = log_dir.path().join("server.log");
        let out = File::create(&log).map_err(|e| format!("log file: {e}"))?;
        let err = out.try_clone().map_err(|e| format!("log file: {e}"))?;
        let addr = free_port();
        let child = Command::new(bin)
            .arg("serve")
            .arg("--bind")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--static-dir")
            .arg(log_dir.path().join("no-web-app"))
            .env("SAMSKAB_LOG", "warn")
            .env_remove("SAMSKAB_ADMIN_TOKEN")
            .env_remove("SAMSKAB_PUBLIC_URL")
            .env_remove("SAMSKAB_MAX_MESSAGE_BYTES")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let mut server = ServerProcess {
            addr,
            data_dir: data_dir.to_path_buf(),
            child,
            exited: None,
            log,
            _log_dir: log_dir,
        };
        match server.until_healthy().await {
            Ok(()) => Ok(server),
            Err(e) => {
                server.kill();
                Err(format!("{e}\n--- server output ---\n{}", server.log()))
            }
        }
    }

    /// Polls `GET /api/health` until it answers 200, the process exits, or
    /// [`START_TIMEOUT`] passes.
    async fn until_healthy(&mut self) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(res) = client.get(self.url("/api/health")).send().await
                && res.status().is_success()
            {
                return Ok(());
            }
            if let Some(status) = self.try_wait() {
                return Err(format!("the server exited at start: {status}"));
            }
            if Instant::now() >= deadline {
                return Err(format!("no answer on {} in {START_TIMEOUT:?}", self.addr));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// The operating system's id of the server process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Creates a board over the HTTP API: its id and the three links' secrets.
    pub async fn create_board(&self, title: &str) -> Created {
        create_board_at(&self.url(""), title).await
    }

    /// Kills the server with SIGKILL (no chance to save anything) and reaps
    /// it. Returns its exit status.
    pub fn kill(&mut self) -> ExitStatus {
        if let Some(status) = self.try_wait() {
            return status;
        }
        // `Child::kill` is SIGKILL on Unix.
        let _ = self.child.kill();
        let status = self.child.wait().expect("wait for the killed server");
        self.exited = Some(status);
        status
    }

    /// Asks the server to stop with SIGTERM, as an operator or a service
    /// manager does; it saves open boards and exits by itself.
    pub fn terminate(&mut self) {
        if self.try_wait().is_some() {
            return;
        }
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::TERM)
            .expect("send SIGTERM to the server");
    }

    /// Waits up to `timeout` for the process to exit: its status, or `None`
    /// if it is still running.
    pub async fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The exit status if the process has exited (reaping it).
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// What the server printed so far (it logs at `warn`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "--- output of the server on {} ---\n{}",
                self.addr,
                self.log()
            );
        }
    }
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address")
}
