//! Real headless Chromium through Debian's chromedriver (WebDriver), for the
//! browser tests. Set `SAMSKAB_CHROMIUM` / `SAMSKAB_CHROMEDRIVER` to use other
//! binaries, and `SAMSKAB_DIST` for another build of the web app.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The built web app. Panics with the command to build it when missing.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("SAMSKAB_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "the web app is not built in {}: run `trunk build --release --offline` \
         (scripts/test does this before the tests)",
        dir.display()
    );
    dir
}

/// Where browser tests put their screenshots.
pub fn output_dir() -> PathBuf {
    let dir = workspace_root().join("target/test-output/browser");
    std::fs::create_dir_all(&dir).expect("output dir");
    dir
}

/// A running chromedriver; sessions are separate browsers with their own
/// profile (like two people on two devices).
pub struct Chrome {
    driver: Child,
    port: u16,
    profiles: Vec<tempfile::TempDir>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Chrome {
    pub async fn start() -> anyhow::Result<Chrome> {
        let driver_bin = std::env::var("SAMSKAB_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("cannot start {driver_bin}: {e} (scripts/test installs it)")
            })?;
        let chrome = Chrome {
            driver,
            port,
            profiles: Vec::new(),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(chrome);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("chromedriver did not start on port {port}")
    }

    /// A new browser at `width`×`height`.
    pub async fn session(&mut self, width: u32, height: u32, lang: &str) -> anyhow::Result<Client> {
        self.session_with(width, height, lang, None, &[]).await
    }

    /// A browser that draws frames as fast as it can instead of once per
    /// display refresh (no vsync, no frame-rate limit): the time between two
    /// animation frames is then what a frame costs, not the 16.7 ms of a
    /// 60 Hz display. For the frame-time benchmark.
    pub async fn unthrottled_session(
        &mut self,
        width: u32,
        height: u32,
        lang: &str,
    ) -> anyhow::Result<Client> {
        let flags = ["--disable-gpu-vsync", "--disable-frame-rate-limit"];
        self.session_with(width, height, lang, None, &flags).await
    }

    /// A tablet: a `width`×`height` touch screen (chromedriver's mobile
    /// emulation), driven with touch pointers.
    pub async fn touch_session(
        &mut self,
        width: u32,
        height: u32,
        lang: &str,
    ) -> anyhow::Result<Client> {
        let emulation = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true, "mobile": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
        });
        self.session_with(width, height, lang, Some(emulation), &[])
            .await
    }

    async fn session_with(
        &mut self,
        width: u32,
        height: u32,
        lang: &str,
        mobile: Option<Value>,
        flags: &[&str],
    ) -> anyhow::Result<Client> {
        let chromium =
            std::env::var("SAMSKAB_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir()?;
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
            format!("--lang={lang}"),
        ];
        args.extend(flags.iter().map(|f| f.to_string()));
        self.profiles.push(profile);
        let mut caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": lang },
            }
        });
        if let Some(m) = mobile {
            caps["goog:chromeOptions"]["mobileEmulation"] = m;
        }
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        client.set_window_size(width, height).await.ok();
        Ok(client)
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A test that fails before closing its sessions leaves browsers
        // behind once the driver is gone: end every browser that uses one
        // of our profiles.
        for profile in &self.profiles {
            let _ = Command::new("pkill")
                .arg("-f")
                .arg("--")
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Saves a screenshot of what `client` shows as `<name>.png`.
pub async fn screenshot(client: &Client, name: &str) -> anyhow::Result<PathBuf> {
    let png = client.screenshot().await?;
    let path = output_dir().join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// Runs `script` (a function body that returns a value) until it returns
/// something other than `null`/`false`, or errs after `timeout`.
pub async fn eventually(
    client: &Client,
    timeout: Duration,
    what: &str,
    script: &str,
) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last;
    loop {
        match client.execute(script, vec![]).await {
            Ok(v) if !(v.is_null() || v == Value::Bool(false)) => return Ok(v),
            Ok(v) => last = v,
            Err(e) => last = Value::String(e.to_string()),
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!("{what}: not reached in {timeout:?} (last: {last})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
