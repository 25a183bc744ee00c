//! S1/S2 (and any custom mix): N clients on B boards editing on a fixed
//! schedule against one system's server, measured (see bench/README.md).
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::args::Args;
use crate::client::{self, Outcome, Plan};
use crate::procfs::{self, Proc};
use crate::report;
use crate::server::{Reading, metrics};
use crate::systems::{Paths, Server};
use crate::track::{BoardLog, Progress};

/// How long all clients together may take to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs the whole measurement; whether the clients converged.
pub async fn run(args: &Args, paths: &Paths) -> anyhow::Result<(bool, Value)> {
    let machine = procfs::machine();
    let tmp = tempfile::tempdir()?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().join(args.system.name()));
    std::fs::create_dir_all(&data_dir)?;
    eprintln!(
        "load ({}, {}): {} clients on {} board(s), {} edits/s each, {} s",
        args.label,
        args.system.name(),
        args.clients,
        args.boards,
        args.rate,
        args.seconds,
    );
    let mut srv = Server::start(args.system, paths, &data_dir, 0).await?;
    let pid = Proc::Pid(srv.pid());
    eprintln!("server pid {} on port {}", srv.pid(), srv.port);

    let mut logs = Vec::new();
    let mut boards = Vec::new();
    for b in 0..args.boards {
        boards.push(srv.create_board(&format!("Belastning {b}")).await?);
        let members = (args.clients + args.boards - 1 - b) / args.boards;
        logs.push(Arc::new(BoardLog::new(members)));
    }
    let progress = Arc::new(Progress::default());
    let (start_tx, start_rx) = watch::channel(None::<Instant>);
    let (connected_tx, mut connected_rx) = mpsc::channel(args.clients);
    let mut tasks = Vec::new();
    for i in 0..args.clients {
        let b = i % args.boards;
        let plan = Plan {
            index: i,
            board: b,
            slot: i / args.boards,
            system: args.system,
            board_ref: boards[b].clone(),
            base: srv.base(),
            rate: args.rate,
            edits: args.edits_per_client(),
            seed: args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64),
        };
        tasks.push(tokio::spawn(client::run(
            plan,
            logs[b].clone(),
            progress.clone(),
            start_rx.clone(),
            connected_tx.clone(),
        )));
    }
    drop(connected_tx);
    let connect_deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    for _ in 0..args.clients {
        match tokio::time::timeout_at(connect_deadline, connected_rx.recv()).await {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(e))) => anyhow::bail!("a client could not connect: {e:#}"),
            Ok(None) => anyhow::bail!("a client task ended before connecting"),
            Err(_) => anyhow::bail!("the clients did not connect in {CONNECT_TIMEOUT:?}"),
        }
    }
    eprintln!("all {} clients connected; editing", args.clients);
    let metrics_before = samskab_metrics(&srv).await;

    let sampling = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn(procfs::sample_every_second(pid, sampling.clone()));
    let start = Reading::now(pid);
    let _ = start_tx.send(Some(start.at));

    // Editing: until every client made all its edits (each starts within
    // one period of `start`), with a report every 10 s.
    let planned_end = start.at + Duration::from_secs_f64(args.seconds + 1.0 / args.rate);
    let hard_end = planned_end + Duration::from_secs_f64(args.drain_seconds);
    let mut last_note = Instant::now();
    while Progress::get(&progress.done_sending) < args.clients as u64 && Instant::now() < hard_end {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if last_note.elapsed() >= Duration::from_secs(10) {
            last_note = Instant::now();
            note_progress(&progress, start.at);
        }
    }
    let edited = Reading::now(pid);
    eprintln!("editing done; waiting for acknowledgements and arrivals");
    note_progress(&progress, start.at);

    // Draining: until every edit is acknowledged and has reached everyone.
    let drain_end = edited.at + Duration::from_secs_f64(args.drain_seconds);
    while Instant::now() < drain_end
        && (Progress::get(&progress.acked) < Progress::get(&progress.sent)
            || Progress::get(&progress.arrivals) < Progress::get(&progress.expected_arrivals))
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drained = Reading::now(pid);
    let server_hwm = pid.status_bytes("VmHWM").unwrap_or(0);
    let server_rss_end = pid.status_bytes("VmRSS").unwrap_or(0);
    let me_hwm = Proc::Me.status_bytes("VmHWM").unwrap_or(0);
    let metrics_after = samskab_metrics(&srv).await;
    sampling.store(true, Relaxed);
    progress.stop.store(true, Relaxed);

    let mut outcomes: Vec<Outcome> = Vec::new();
    for task in tasks {
        outcomes.push(task.await?);
    }
    let samples = sampler.await?;
    srv.stop(Duration::from_secs(10)).await;
    let log = srv.log_tail(20);

    let report = report::Report {
        args,
        machine,
        logs: logs.iter().map(|l| (l.members, l.all())).collect(),
        outcomes,
        start,
        edited,
        drained,
        server_hwm,
        server_rss_end,
        me_hwm,
        samples,
        metrics_before,
        metrics_after,
        server_log: log,
    };
    report.finish()
}

/// Samskab's `/metrics` (the peers have none).
async fn samskab_metrics(srv: &Server) -> Vec<(String, f64)> {
    if srv.system == crate::systems::System::Samskab {
        metrics(srv.addr()).await.unwrap_or_default()
    } else {
        Vec::new()
    }
}

fn note_progress(p: &Progress, start: Instant) {
    eprintln!(
        "  {:>5.1} s: {} edits sent, {} acknowledged, {} of {} arrivals, {} disconnects",
        start.elapsed().as_secs_f64(),
        Progress::get(&p.sent),
        Progress::get(&p.acked),
        Progress::get(&p.arrivals),
        Progress::get(&p.expected_arrivals),
        Progress::get(&p.disconnects),
    );
}
