//! Figures for the web app (not a test): the gzip size of the WASM and JS
//! the browser downloads, the time from navigation to an interactive board
//! of 200 notes, and frame times while panning a 2,000-note board, in real
//! headless Chromium: paced by a 60 Hz display (refreshes missed) and
//! unthrottled (what a frame costs, and how much of it is the app's own
//! script, style and layout; the rest is Chromium's software painting and
//! compositing, as the tests run it without a GPU). Needs the built app
//! (`trunk build --release --offline`).
//!
//! `cargo run --release -p samskab-bench --bin frontend-bench [-- --notes 200 --pan-notes 2000 --runs 3]`
use std::process::Command;
use std::time::Duration;

use samskab_board::{Color, Op};
use samskab_tests::browser::{Chrome, dist_dir};
use samskab_tests::{TestServer, WsClient};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The file's size after `gzip -9` (gzip reads the file itself: piping the
/// bytes in while its output waits unread would deadlock once the output
/// fills the pipe).
fn gzip_len(path: &std::path::Path) -> anyhow::Result<usize> {
    let out = Command::new("gzip").arg("-9c").arg(path).output()?;
    anyhow::ensure!(out.status.success(), "gzip failed on {}", path.display());
    Ok(out.stdout.len())
}

/// A board with `n` notes in a grid, stored on the server.
async fn board_with(server: &TestServer, n: usize) -> anyhow::Result<String> {
    let b = server.create_board(&format!("{n} notes")).await;
    let mut c = WsClient::offline(&b.id, &b.editor, "bench");
    let cols = (n as f64).sqrt().ceil() as usize;
    let ctx = c.ctx();
    for i in 0..n {
        c.session
            .apply(
                &Op::CreateNote {
                    id: format!("n{i}"),
                    x: (i % cols) as f64 * 230.0,
                    y: (i / cols) as f64 * 190.0,
                    color: Color::ALL[i % 6],
                    text: format!("Idea number {i}: more green areas and benches"),
                },
                &ctx,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    c.connect(&server.ws_url()).await?;
    c.until_saved().await?;
    Ok(server.url(&format!("/b/{}#key={}", b.id, b.editor)))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let notes = arg("--notes", 200);
    let pan_notes = arg("--pan-notes", 2000);
    let runs = arg("--runs", 3).max(1);
    let dist = dist_dir();

    // 1. What the browser downloads: each wasm and JS file as the server
    // sends it to a browser that accepts gzip only, and to one that accepts
    // Brotli (every current browser, over HTTPS), after the compression
    // `samskab serve` does on start. `gzip -9` of the same files for
    // comparison with earlier runs.
    let packed = samskab_server::static_files::precompress(&dist)?;
    if packed.compressed > 0 {
        println!("compressed {} files of the built app", packed.compressed);
    }
    let data = tempfile::tempdir()?;
    let server = TestServer::start_in(data.path(), Some(&dist)).await;
    let http = reqwest::Client::new();
    let (mut raw, mut gz9, mut gz, mut br) = (0usize, 0usize, 0usize, 0usize);
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext == "wasm" || ext == "js" {
            raw += std::fs::metadata(&path)?.len() as usize;
            gz9 += gzip_len(&path)?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            for (accept, total) in [("gzip, deflate", &mut gz), ("gzip, deflate, br", &mut br)] {
                let res = http
                    .get(server.url(&format!("/{name}")))
                    .header(reqwest::header::ACCEPT_ENCODING, accept)
                    .send()
                    .await?
                    .error_for_status()?;
                *total += res.bytes().await?.len();
            }
        }
    }
    println!(
        "download: wasm+js {} KB raw; as served {} KB gzip (target < 900 KB), {} KB Brotli; `gzip -9` {} KB",
        raw / 1024,
        gz / 1024,
        br / 1024,
        gz9 / 1024
    );

    let mut chrome = Chrome::start().await?;
    let c = chrome.session(1280, 800, "en-GB").await?;
    known_device(&c, &server).await?;

    // 2. Navigation to an interactive board of `notes` notes: the toolbar
    // is there, every note is on the board (the minimap draws them all) and
    // the connection is up.
    let url = board_with(&server, notes).await?;
    let ready = format!(
        "return document.querySelector('[data-testid=toolbar]') && \
           document.querySelectorAll('[data-testid=minimap] rect').length === {notes} && \
           document.querySelector('[data-testid=status]').dataset.state === 'saved' ? performance.now() : null;"
    );
    let mut times = Vec::new();
    for _ in 0..runs {
        c.goto("about:blank").await?;
        c.goto(&url).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let v = c.execute(&ready, vec![]).await?;
            if let Some(ms) = v.as_f64() {
                times.push(ms);
                break;
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("board of {notes} never became interactive");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "navigation to interactive board of {notes} notes: median {:.0} ms, runs {:?} ms (target < 1500 ms; includes up to ~15 ms polling)",
        times[times.len() / 2],
        times.iter().map(|t| t.round()).collect::<Vec<_>>()
    );

    // 3. Panning a board of `pan_notes` notes: one wheel event per frame,
    // first as a 60 Hz display paces it (a frame can take no less than one
    // refresh, 16.7 ms, so this shows the refreshes missed), then in a
    // browser that draws as fast as it can, where the time between frames is
    // what each frame costs: its script, style, layout and paint.
    let url = board_with(&server, pan_notes).await?;
    let paced = pan(&c, &url, pan_notes).await?;
    c.close().await?;
    let free = chrome.unthrottled_session(1280, 800, "en-GB").await?;
    known_device(&free, &server).await?;
    let cost = pan(&free, &url, pan_notes).await?;
    free.close().await?;
    let missed = paced
        .times
        .iter()
        .filter(|t| **t > 1.5 * 1000.0 / 60.0)
        .count();
    let (p, c) = (&paced.times, &cost.times);
    println!(
        "panning {pan_notes} notes ({} in the page at the end), 60 Hz display: frame interval p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; {missed} of {} frames missed a refresh",
        paced.shown,
        pct(p, 0.5),
        pct(p, 0.95),
        pct(p, 1.0),
        p.len()
    );
    println!(
        "panning {pan_notes} notes ({} in the page at the end), unthrottled: frame time p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} frames (target p95 < 16 ms); of which the app's script, style and layout p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        cost.shown,
        pct(c, 0.5),
        pct(c, 0.95),
        pct(c, 1.0),
        c.len(),
        pct(&cost.main, 0.5),
        pct(&cost.main, 0.95),
        pct(&cost.main, 1.0),
    );
    Ok(())
}

/// Gives the browser a name and role group, so boards open without the
/// join dialog.
async fn known_device(c: &fantoccini::Client, server: &TestServer) -> anyhow::Result<()> {
    c.goto(&server.url("/")).await?;
    c.execute("localStorage.setItem('samskab.name', 'Bench'); localStorage.setItem('samskab.role', 'other');", vec![]).await?;
    Ok(())
}

/// Frame times (ms, sorted) while panning, the app's own work in each frame
/// (ms, sorted: the wheel handler, the reactive updates it starts, style
/// and layout), and how many notes the page held at the end.
struct Pan {
    times: Vec<f64>,
    main: Vec<f64>,
    shown: f64,
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Opens the board at `url` (of `notes` notes), zooms out and pans it with
/// one wheel event per animation frame for 240 frames.
async fn pan(c: &fantoccini::Client, url: &str, notes: usize) -> anyhow::Result<Pan> {
    c.goto(url).await?;
    let ready = format!(
        "return document.querySelectorAll('[data-testid=minimap] rect').length === {notes} ? true : null;"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while c.execute(&ready, vec![]).await?.is_null() {
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("board of {notes} never loaded");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Zoomed out so that many notes are in view.
    c.execute("document.querySelector('[data-testid=zoom-out]').click(); document.querySelector('[data-testid=zoom-out]').click();", vec![]).await?;
    let frames = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const canvas = document.querySelector('[data-testid=canvas]'); \
             const r = canvas.getBoundingClientRect(); const times = []; const main = []; let last = null; let i = 0; \
             function step(t) { if (last !== null) times.push(t - last); last = t; \
               if (i++ >= 240) { done([times, main]); return; } \
               const dx = (Math.floor(i / 60) % 2 ? -1 : 1) * 25; \
               const t0 = performance.now(); \
               canvas.dispatchEvent(new WheelEvent('wheel', { deltaX: dx, deltaY: dx / 2, clientX: r.left + 300, clientY: r.top + 300, bubbles: true, cancelable: true })); \
               Promise.resolve().then(() => Promise.resolve()).then(() => { void canvas.offsetWidth; main.push(performance.now() - t0); }); \
               requestAnimationFrame(step); } \
             requestAnimationFrame(step);",
            vec![],
        )
        .await?;
    let sorted = |v: &serde_json::Value| {
        let mut t: Vec<f64> = v
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        t.sort_by(f64::total_cmp);
        t
    };
    let (times, main) = (sorted(&frames[0]), sorted(&frames[1]));
    anyhow::ensure!(
        !times.is_empty() && !main.is_empty(),
        "no frames were drawn"
    );
    let shown = c
        .execute(
            "return document.querySelectorAll('[data-testid=note]').length;",
            vec![],
        )
        .await?
        .as_f64()
        .unwrap_or_default();
    Ok(Pan { times, main, shown })
}
