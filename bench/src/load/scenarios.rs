//! S3 (cold start of a big board) and S4 (a reconnect storm after a server
//! restart), for any system. S1 and S2 are `crate::edits`.
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use samskab_board::Board;
use samskab_tests::WsClient;
use serde_json::{Value, json};
use tokio::sync::{Barrier, watch};
use yrs::{Map, MapPrelim, Out, ReadTxn, Text, TextPrelim, Transact};

use crate::build::{self, Lcg, Sizes};
use crate::conn::{Conn, EditId};
use crate::mix::Mix;
use crate::procfs::Proc;
use crate::repo::RepoClient;
use crate::systems::{Paths, Server, System};
use crate::track::{Stats, ms};
use crate::yjs::YClient;

/// The cold-start board, made once per run for every system.
pub struct BigBoard {
    pub sizes: Sizes,
    /// Samskab's board (Automerge), saved: for Samskab and the Automerge peers.
    pub automerge: Vec<u8>,
    pub automerge_heads: Vec<automerge::ChangeHash>,
    pub notes: usize,
    pub changes: usize,
    /// The equivalent Yjs document as one update, and its state vector.
    pub yjs: Vec<u8>,
    pub yjs_transactions: usize,
}

impl BigBoard {
    pub fn make(sizes: Sizes) -> BigBoard {
        let t = Instant::now();
        let mut rng = Lcg::new(0x5a45_5ab0_b0a2_d001);
        let built = build::build(sizes, &mut rng);
        let mut anna = built.anna;
        let automerge = anna.save();
        let mut automerge_heads = anna.heads();
        automerge_heads.sort();
        let notes = anna.notes().len();
        eprintln!(
            "S3 board: {} notes, {} changes, {} bytes saved ({:.1} s)",
            notes,
            built.changes,
            automerge.len(),
            t.elapsed().as_secs_f64()
        );
        let (yjs, yjs_transactions) = build_yjs(sizes);
        BigBoard {
            sizes,
            automerge,
            automerge_heads,
            notes,
            changes: built.changes,
            yjs,
            yjs_transactions,
        }
    }
}

/// The same board for Yjs: `sizes.notes` notes with a few words each, then
/// single-transaction edits (typing one character at a time in word-long
/// bursts, ~15 % moves) until there are `sizes.changes` transactions, by
/// two replicas taking turns.
fn build_yjs(sizes: Sizes) -> (Vec<u8>, usize) {
    let mut rng = Lcg::new(0x7a45_5ab0_b0a2_d002);
    let anna = yrs::Doc::with_client_id(1);
    let bo = yrs::Doc::with_client_id(2);
    let mut count = 0;
    {
        let notes = anna.get_or_insert_map("notes");
        for i in 0..sizes.notes {
            let mut txn = anna.transact_mut();
            let n = notes.insert(&mut txn, build::note_id(i), MapPrelim::default());
            n.insert(&mut txn, "x", (i % 100) as f64 * 220.0);
            n.insert(&mut txn, "y", (i / 100) as f64 * 220.0);
            n.insert(&mut txn, "color", "yellow");
            let words: Vec<&str> = (0..2 + rng.below(4)).map(|_| rng.word()).collect();
            n.insert(&mut txn, "text", TextPrelim::new(words.join(" ")));
            count += 1;
        }
    }
    let sync = |from: &yrs::Doc, to: &yrs::Doc| {
        let sv = to.transact().state_vector();
        let diff = from.transact().encode_diff_v1(&sv);
        if let Ok(u) = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&diff) {
            let _ = to.transact_mut().apply_update(u);
        }
    };
    sync(&anna, &bo);
    let docs = [&anna, &bo];
    let mut turn = 0;
    while count < sizes.changes {
        let doc = docs[turn % 2];
        let notes = doc.get_or_insert_map("notes");
        for _ in 0..250 {
            if count >= sizes.changes {
                break;
            }
            let id = build::note_id(rng.below(sizes.notes.max(1)));
            let mut txn = doc.transact_mut();
            let Some(Out::YMap(n)) = notes.get(&txn, &id) else {
                continue;
            };
            if rng.below(100) < 15 {
                n.insert(&mut txn, "x", rng.below(20_000) as f64);
                n.insert(&mut txn, "y", rng.below(10_000) as f64);
                count += 1;
            } else if let Some(Out::YText(t)) = n.get(&txn, "text") {
                let word = rng.word();
                for ch in word.chars().chain([' ']) {
                    if count >= sizes.changes {
                        break;
                    }
                    t.push(&mut txn, &ch.to_string());
                    drop(txn);
                    count += 1;
                    txn = doc.transact_mut();
                }
            }
        }
        let other = docs[(turn + 1) % 2];
        sync(doc, other);
        sync(other, doc);
        turn += 1;
    }
    let update = anna
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    eprintln!(
        "S3 Yjs board: {} notes, {count} transactions, {} bytes",
        sizes.notes,
        update.len()
    );
    (update, count)
}

/// How far a cold-start client got.
async fn synced_samskab(c: &mut WsClient, want: &[automerge::ChangeHash], until: Instant) -> bool {
    loop {
        let mut h = c.session.heads();
        h.sort();
        if h == want {
            return true;
        }
        if Instant::now() > until || !c.is_connected() {
            return false;
        }
        let _ = c.pump_once(Duration::from_millis(20)).await;
    }
}

async fn synced_repo(c: &mut RepoClient, want: &[automerge::ChangeHash], until: Instant) -> bool {
    loop {
        if c.heads() == want {
            return true;
        }
        if Instant::now() > until || !c.is_connected() {
            return false;
        }
        let _ = c.pump_once(Duration::from_millis(20)).await;
    }
}

async fn synced_yjs(c: &mut YClient, want: &yrs::StateVector, until: Instant) -> bool {
    loop {
        if c.is_synced() && &c.state_vector() == want {
            return true;
        }
        if Instant::now() > until || !c.is_connected() {
            return false;
        }
        let _ = c.pump_once(Duration::from_millis(20)).await;
    }
}

/// A new client on `board`: (whether it got all of it, seconds from
/// starting to connect until it had all of it).
async fn new_client_synced(
    system: System,
    base: &str,
    board: &crate::systems::BoardRef,
    big: &BigBoard,
    want: &[automerge::ChangeHash],
    timeout: Duration,
) -> anyhow::Result<(bool, f64)> {
    let t = Instant::now();
    let until = t + timeout;
    let ok = match system {
        System::Samskab => {
            let mut c = WsClient::join(&format!("{base}/ws"), &board.id, &board.key, "s3").await?;
            synced_samskab(&mut c, want, until).await
        }
        System::Yjs => {
            let mut c = YClient::offline(&board.id);
            c.connect(base).await?;
            let want = yjs_state_vector(&big.yjs)?;
            synced_yjs(&mut c, &want, until).await
        }
        _ => {
            let mut c = RepoClient::open(base, &board.id).await?;
            synced_repo(&mut c, want, until).await
        }
    };
    Ok((ok, t.elapsed().as_secs_f64()))
}

fn yjs_state_vector(update: &[u8]) -> anyhow::Result<yrs::StateVector> {
    let doc = yrs::Doc::new();
    let u = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(update)?;
    doc.transact_mut().apply_update(u)?;
    Ok(doc.transact().state_vector())
}

/// Puts the big board on a running server; its reference.
async fn upload(
    system: System,
    srv: &Server,
    big: &BigBoard,
) -> anyhow::Result<(crate::systems::BoardRef, Vec<automerge::ChangeHash>)> {
    let base = srv.base();
    match system {
        System::Samskab => {
            let board = srv.create_board("Kold start").await?;
            let mut c = WsClient::offline(&board.id, &board.key, "uploader");
            let participant = samskab_protocol::Participant {
                id: "uploader".into(),
                name: "uploader".into(),
                role: "other".into(),
                color: "#1d5fa8".into(),
            };
            let replica = Board::load(&big.automerge, &rand::random::<[u8; 16]>())?;
            c.session = samskab_protocol::ClientSession::new(
                board.id.clone(),
                Some(board.key.clone()),
                participant,
                replica,
            );
            c.connect(&format!("{base}/ws")).await?;
            // Pump until the server falls quiet, then check with a new client.
            let deadline = Instant::now() + Duration::from_secs(900);
            while c.is_connected() && Instant::now() < deadline {
                if !c.pump_once(Duration::from_secs(2)).await? {
                    // The server's board also has its own creation change:
                    // the uploader's merged heads are what a new client gets.
                    let mut want = c.session.heads();
                    want.sort();
                    let (ok, _) = new_client_synced(
                        system,
                        &base,
                        &board,
                        big,
                        &want,
                        Duration::from_secs(600),
                    )
                    .await?;
                    if ok {
                        return Ok((board, want));
                    }
                }
            }
            anyhow::bail!(
                "the upload did not reach the server ({})",
                Conn::Samskab(Box::new(c)).close_reason()
            )
        }
        System::Yjs => {
            let board = srv.create_board("Kold start").await?;
            let mut c = YClient::offline(&board.id);
            let u = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&big.yjs)?;
            c.doc.transact_mut().apply_update(u)?;
            c.connect(&base).await?;
            c.until_synced(Duration::from_secs(600)).await?;
            let (ok, _) =
                new_client_synced(system, &base, &board, big, &[], Duration::from_secs(600))
                    .await?;
            anyhow::ensure!(ok, "the Yjs upload did not reach the server");
            Ok((board, Vec::new()))
        }
        _ => {
            let id = crate::repo::new_document_id();
            RepoClient::upload_saved(&base, &id, &big.automerge).await?;
            Ok((
                crate::systems::BoardRef {
                    id,
                    key: String::new(),
                },
                big.automerge_heads.clone(),
            ))
        }
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// S3 for one system: upload the board, restart the server, then a new
/// client (cold: the server loads the board from storage for it) and a
/// second one (warm).
pub async fn cold_start(system: System, paths: &Paths, big: &BigBoard) -> anyhow::Result<Value> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join(system.name());
    let mut srv = Server::start(system, paths, &dir, 0).await?;
    let t = Instant::now();
    let (board, want) = upload(system, &srv, big).await?;
    let upload_s = t.elapsed().as_secs_f64();
    eprintln!("S3 {}: uploaded in {upload_s:.1} s", system.name());
    // Give every server the same time to write down what it holds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let port = srv.port;
    srv.stop(Duration::from_secs(60)).await;
    drop(srv);
    let stored = dir_bytes(&dir);
    let srv = Server::start(system, paths, &dir, port).await?;
    let pid = Proc::Pid(srv.pid());
    let cpu0 = pid.cpu_seconds().unwrap_or(f64::NAN);
    let rss_idle = pid.status_bytes("VmRSS").unwrap_or(0);
    let (cold_ok, cold_s) = new_client_synced(
        system,
        &srv.base(),
        &board,
        big,
        &want,
        Duration::from_secs(300),
    )
    .await?;
    let (warm_ok, warm_s) = new_client_synced(
        system,
        &srv.base(),
        &board,
        big,
        &want,
        Duration::from_secs(300),
    )
    .await?;
    let cpu = pid.cpu_seconds().unwrap_or(f64::NAN) - cpu0;
    let hwm = pid.status_bytes("VmHWM").unwrap_or(0);
    eprintln!(
        "S3 {}: cold client synced {} in {cold_s:.3} s, warm {} in {warm_s:.3} s",
        system.name(),
        if cold_ok { "fully" } else { "NOT" },
        if warm_ok { "fully" } else { "NOT" },
    );
    Ok(json!({
        "system": system.name(),
        "notes": if system == System::Yjs { big.sizes.notes } else { big.notes },
        "changes": if system == System::Yjs { big.yjs_transactions } else { big.changes },
        "upload_s": upload_s,
        "stored_bytes": stored,
        "restart_to_listening_s": srv.started_in.as_secs_f64(),
        "cold_client_synced": cold_ok,
        "cold_client_synced_s": cold_s,
        "warm_client_synced": warm_ok,
        "warm_client_synced_s": warm_s,
        "server_load_estimate_s": (cold_s - warm_s).max(0.0),
        "server_cpu_s_for_both_clients": cpu,
        "server_rss_idle_after_restart_bytes": rss_idle,
        "server_vm_hwm_bytes": hwm,
        "converged": cold_ok && warm_ok,
    }))
}

/// S4 for one system: `clients` clients on `boards` boards, connected; the
/// server stops (SIGTERM) and each client makes one edit offline; the
/// server starts again on the same port and every client reconnects at
/// once. Measured: from the server listening again until every client has
/// every edit of its board (its own pushed, the others' received).
pub async fn storm(
    system: System,
    paths: &Paths,
    clients: usize,
    boards: usize,
) -> anyhow::Result<Value> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join(system.name());
    let mut srv = Server::start(system, paths, &dir, 0).await?;
    let base = srv.base();
    let port = srv.port;
    let mut refs = Vec::new();
    for b in 0..boards {
        refs.push(srv.create_board(&format!("Storm {b}")).await?);
    }
    // Phase gates shared with the client tasks.
    let joined = Arc::new(Barrier::new(clients + 1));
    let edited = Arc::new(Barrier::new(clients + 1));
    let (down_tx, down_rx) = watch::channel(false);
    let (go_tx, go_rx) = watch::channel(None::<Instant>);
    let (end_tx, end_rx) = watch::channel(false);
    let (settled_tx, mut settled_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let logs: Vec<Arc<std::sync::Mutex<Vec<EditId>>>> = (0..boards)
        .map(|_| Arc::new(std::sync::Mutex::new(Vec::new())))
        .collect();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let b = i % boards;
        let board = refs[b].clone();
        let base = base.clone();
        let joined = joined.clone();
        let edited = edited.clone();
        let mut down_rx = down_rx.clone();
        let mut go_rx = go_rx.clone();
        let end_rx = end_rx.clone();
        let settled = settled_tx.clone();
        let log = logs[b].clone();
        tasks.push(tokio::spawn(async move {
            // (reconnected after, all edits after, error)
            let mut out: (Option<f64>, Option<f64>, Option<String>) = (None, None, None);
            let conn = Conn::join(system, &base, &board, &format!("s{i}")).await;
            joined.wait().await;
            let mut conn = match conn {
                Ok(c) => c,
                Err(e) => {
                    out.2 = Some(format!("join: {e:#}"));
                    edited.wait().await;
                    let _ = settled.send(());
                    return out;
                }
            };
            // Listen until the server goes away.
            while !*down_rx.borrow_and_update() {
                tokio::select! {
                    _ = down_rx.changed() => {}
                    _ = conn.pump_once(Duration::from_millis(100)) => {}
                }
            }
            conn.drop_connection();
            let mut mix = Mix::new(i as u64, format!("s{i}"));
            let (_, op) = mix.next();
            match conn.apply(&op) {
                Ok(Some(id)) => log.lock().expect("log").push(id),
                Ok(None) => {}
                Err(e) => out.2 = Some(format!("offline edit: {e:#}")),
            }
            edited.wait().await;
            let t0 = loop {
                if let Some(t) = *go_rx.borrow_and_update() {
                    break t;
                }
                if go_rx.changed().await.is_err() {
                    return out;
                }
            };
            let deadline = t0 + Duration::from_secs(120);
            let want: Vec<EditId> = log.lock().expect("log").clone();
            let mut attempts = 0;
            loop {
                match conn.reconnect(system, &base).await {
                    Ok(()) => break,
                    Err(e) => {
                        attempts += 1;
                        if Instant::now() > deadline {
                            out.2 = Some(format!("reconnect ({attempts} tries): {e:#}"));
                            let _ = settled.send(());
                            return out;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
            out.0 = Some(t0.elapsed().as_secs_f64());
            loop {
                if conn.holds(&want).into_iter().all(|held| held) && conn.unacknowledged() == 0 {
                    out.1 = Some(t0.elapsed().as_secs_f64());
                    break;
                }
                if Instant::now() > deadline {
                    out.2 = Some("not synced in 120 s".into());
                    break;
                }
                if !conn.is_connected() {
                    let _ = conn.reconnect(system, &base).await;
                }
                let _ = conn.pump_once(Duration::from_millis(20)).await;
            }
            let _ = settled.send(());
            // Stay connected (answering the server) until the end.
            while !*end_rx.borrow() {
                let _ = conn.pump_once(Duration::from_millis(50)).await;
            }
            out
        }));
    }
    drop(settled_tx);
    joined.wait().await;
    eprintln!(
        "S4 {}: {clients} clients joined; restarting the server",
        system.name()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    srv.stop(Duration::from_secs(60)).await;
    drop(srv);
    let _ = down_tx.send(true);
    edited.wait().await;
    let srv = Server::start(system, paths, &dir, port).await?;
    let pid = Proc::Pid(srv.pid());
    let cpu0 = pid.cpu_seconds().unwrap_or(f64::NAN);
    let t0 = Instant::now();
    let _ = go_tx.send(Some(t0));
    let mut sampled_peak = pid.status_bytes("VmRSS").unwrap_or(0);
    let mut settled = 0;
    let give_up = t0 + Duration::from_secs(130);
    while settled < clients && Instant::now() < give_up {
        match tokio::time::timeout(Duration::from_millis(100), settled_rx.recv()).await {
            Ok(Some(())) => settled += 1,
            Ok(None) => break,
            Err(_) => {}
        }
        sampled_peak = sampled_peak.max(pid.status_bytes("VmRSS").unwrap_or(0));
    }
    let _ = end_tx.send(true);
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await?);
    }
    let cpu = pid.cpu_seconds().unwrap_or(f64::NAN) - cpu0;
    let hwm = pid.status_bytes("VmHWM").unwrap_or(0);
    let mut reconnected: Vec<Duration> = results
        .iter()
        .filter_map(|r| r.0.map(Duration::from_secs_f64))
        .collect();
    let mut synced: Vec<Duration> = results
        .iter()
        .filter_map(|r| r.1.map(Duration::from_secs_f64))
        .collect();
    let errors: Vec<String> = results.iter().filter_map(|r| r.2.clone()).collect();
    let all_synced = synced.len() == clients;
    let reconnected = Stats::of(&mut reconnected);
    let synced_stats = Stats::of(&mut synced);
    eprintln!(
        "S4 {}: {} of {clients} synced, the last after {:.2} s; {} errors",
        system.name(),
        synced_stats.n,
        ms(synced_stats.max) / 1e3,
        errors.len()
    );
    if let Some(e) = errors.first() {
        eprintln!("  first error: {e}");
    }
    Ok(json!({
        "system": system.name(),
        "clients": clients,
        "boards": boards,
        "restart_to_listening_s": srv.started_in.as_secs_f64(),
        "reconnected": reconnected.json(),
        "synced": synced_stats.json(),
        "all_synced": all_synced,
        "all_synced_s": if all_synced { Some(ms(synced_stats.max) / 1e3) } else { None },
        "server_cpu_s": cpu,
        "server_vm_hwm_bytes": hwm,
        "server_max_sampled_rss_bytes": sampled_peak,
        "errors": errors.len(),
        "first_errors": errors.iter().take(5).collect::<Vec<_>>(),
        "converged": all_synced && errors.is_empty(),
    }))
}
