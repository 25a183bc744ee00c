//! Tier 2, durability: the real `samskab` binary runs as a separate process
//! while 20 clients edit; it is killed (SIGKILL, at a random moment) or
//! stopped (SIGTERM). After a restart on the same data directory, every change
//! the server acknowledged must be there.
//!
//! `SAMSKAB_CRASH_RUNS` sets how many runs each test makes (default 3) and
//! `SAMSKAB_CRASH_SEED` the seed of the plan (when to stop, which edits); the
//! seed is printed, but the exact interleaving with the server still varies.
//! Run with `--nocapture` to see the figures of each run.
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use automerge::{ChangeHash, ReadDoc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use samskab_board::{Color, Op};
use samskab_protocol::ErrorReason;
use samskab_tests::WsClient;
use samskab_tests::process::ServerProcess;
use tokio::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_samskab-under-test");
const CLIENTS: usize = 20;
/// Most edits a client makes in one turn.
const BURST: usize = 6;
/// Messages handled per client per turn, so no client starves the others.
const DRAIN: usize = 256;
/// Bound on every wait for the server or the clients.
const T: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Kill,
    Term,
}

/// One editing client and everything it did.
struct Writer {
    client: WsClient,
    /// The notes this client created (nobody else touches them).
    notes: Vec<String>,
    /// Every change it made, in order: its hash, the note it touched and
    /// that note's text right after it.
    changes: Vec<(ChangeHash, String, String)>,
}

impl Writer {
    /// Makes one random edit: a new note, or a few letters typed at the end
    /// of one of its notes. Returns false when the client is offline.
    async fn edit(&mut self, index: usize, rng: &mut StdRng) -> bool {
        if !self.client.is_connected() {
            return false;
        }
        let fresh = self.notes.is_empty() || rng.random_bool(0.1);
        let (note, op) = if fresh {
            let id = format!("c{index}-n{}", self.notes.len());
            let text = format!("{id}:");
            self.notes.push(id.clone());
            let op = Op::CreateNote {
                id: id.clone(),
                x: rng.random_range(0.0..2000.0),
                y: rng.random_range(0.0..2000.0),
                color: Color::Yellow,
                text,
            };
            (id, op)
        } else {
            let id = self.notes[rng.random_range(0..self.notes.len())].clone();
            let len = self.text(&id).chars().count();
            let n = rng.random_range(1..=3);
            let insert: String = (0..n)
                .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
                .collect();
            let op = Op::EditText {
                id: id.clone(),
                index: len,
                delete: 0,
                insert,
            };
            (id, op)
        };
        let before = self.client.session.unacknowledged();
        // An error here can only be from sending (the server went away): the
        // change is made locally all the same, and counts as unacknowledged.
        let sent = self.client.apply(op.clone()).await;
        let hashes = self.client.session.unacknowledged_hashes();
        assert_eq!(hashes.len(), before + 1, "{op:?} made no change ({sent:?})");
        let hash = *hashes.last().expect("the new change");
        let text = self.text(&note);
        self.changes.push((hash, note, text));
        true
    }

    fn text(&self, note: &str) -> String {
        self.client
            .board()
            .note(note)
            .map(|n| n.text)
            .unwrap_or_default()
    }

    /// Handles what has already arrived (acknowledgements, others' edits).
    async fn drain(&mut self) {
        for _ in 0..DRAIN {
            let got = self.client.pump_once(Duration::ZERO).await;
            if !got.expect("a well-formed frame from the server") {
                break;
            }
        }
    }

    /// The changes the server acknowledged: all but the unacknowledged ones.
    fn acknowledged(&self) -> Vec<&(ChangeHash, String, String)> {
        let unacked: HashSet<ChangeHash> = self
            .client
            .session
            .unacknowledged_hashes()
            .iter()
            .copied()
            .collect();
        self.changes
            .iter()
            .filter(|(h, _, _)| !unacked.contains(h))
            .collect()
    }
}

/// What one run found.
#[derive(Debug)]
struct Outcome {
    acknowledged: usize,
    lost: usize,
    unacknowledged: usize,
    /// Unacknowledged changes that were stored anyway (the server died or
    /// stopped between the commit and the acknowledgement reaching us).
    stored_anyway: usize,
}

fn runs() -> usize {
    std::env::var("SAMSKAB_CRASH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

fn seed() -> u64 {
    std::env::var("SAMSKAB_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random)
}

/// One run: a fresh server and board, 20 clients editing for a random while,
/// then the stop; a restart on the same data; the check.
async fn run(run: usize, seed: u64, stop: Stop) -> Outcome {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(run as u64));
    let data = tempfile::tempdir().expect("tempdir");
    let bin = Path::new(BIN);
    let mut server = ServerProcess::spawn(data.path(), bin).await;
    let title = format!("Crash {run}");
    let board = server.create_board(&title).await;

    let mut writers = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let client = WsClient::join(&server.ws_url(), &board.id, &board.editor, &format!("w{i}"))
            .await
            .expect("join");
        writers.push(Writer {
            client,
            notes: Vec::new(),
            changes: Vec::new(),
        });
    }

    // All clients edit, taking turns in this one task, until the stop.
    let editing = Duration::from_millis(rng.random_range(300..=2000));
    let stop_at = Instant::now() + editing;
    'edit: loop {
        for (i, w) in writers.iter_mut().enumerate() {
            // A burst of typing, as people do, then whatever has arrived.
            for _ in 0..rng.random_range(1..=BURST) {
                w.edit(i, &mut rng).await;
                // Stop right after sending, while writes are in flight.
                if Instant::now() >= stop_at {
                    break 'edit;
                }
            }
            w.drain().await;
        }
        tokio::task::yield_now().await;
    }
    let dropped_early = writers.iter().filter(|w| !w.client.is_connected()).count();

    match stop {
        Stop::Kill => {
            server.kill();
            // Acknowledgements sent before the kill may still be on the way.
            for w in &mut writers {
                w.client
                    .pump_until(T, |c| !c.is_connected())
                    .await
                    .expect("the connection ends when the server dies");
            }
        }
        Stop::Term => {
            server.terminate();
            // Keep writing while the server shuts down: what it acknowledges
            // in the meantime must be kept as well.
            let deadline = Instant::now() + T;
            while writers.iter().any(|w| w.client.is_connected()) && Instant::now() < deadline {
                for (i, w) in writers.iter_mut().enumerate() {
                    w.edit(i, &mut rng).await;
                    w.drain().await;
                    w.client
                        .pump_once(Duration::from_millis(1))
                        .await
                        .expect("a well-formed frame from the server");
                }
                tokio::task::yield_now().await;
            }
            let status = server.wait(T).await;
            let log = server.log();
            assert!(
                status.is_some(),
                "seed {seed}, run {run}: the server did not exit within {T:?} of SIGTERM\n{log}"
            );
            assert!(
                status.is_some_and(|s| s.success()),
                "seed {seed}, run {run}: the server exited with {status:?} after SIGTERM\n{log}"
            );
        }
    }
    drop(server);

    // Restart on the same data and read the board back.
    let server = ServerProcess::spawn(data.path(), bin).await;
    let mut checker = WsClient::join(&server.ws_url(), &board.id, &board.viewer, "checker")
        .await
        .expect("join after the restart");
    let acked: Vec<ChangeHash> = writers
        .iter()
        .flat_map(|w| w.acknowledged())
        .map(|(h, _, _)| *h)
        .collect();
    let present = |c: &WsClient, h: &ChangeHash| c.board().doc().get_change_by_hash(h).is_some();
    // Waits until everything acknowledged has arrived; on a loss, the wait
    // ends at the deadline and the figures below tell what is missing.
    let complete = checker
        .pump_until(T, |c| acked.iter().all(|h| present(c, h)))
        .await;

    let lost: Vec<&ChangeHash> = acked.iter().filter(|h| !present(&checker, h)).collect();
    let unacked: Vec<ChangeHash> = writers
        .iter()
        .flat_map(|w| w.client.session.unacknowledged_hashes().to_vec())
        .collect();
    let stored_anyway = unacked.iter().filter(|h| present(&checker, h)).count();
    let outcome = Outcome {
        acknowledged: acked.len(),
        lost: lost.len(),
        unacknowledged: unacked.len(),
        stored_anyway,
    };
    let mut notes = String::new();
    if dropped_early > 0 {
        notes += &format!("; {dropped_early} clients were disconnected before the stop");
    }
    if stop == Stop::Term {
        let told = writers
            .iter()
            .filter(|w| {
                w.client
                    .refusals
                    .iter()
                    .any(|e| e.reason == ErrorReason::ShuttingDown)
            })
            .count();
        notes += &format!("; {told} of {CLIENTS} clients were told the server is restarting");
    }
    println!(
        "run {run} ({stop:?} after {editing:?}): {} acknowledged, {} lost, {} unacknowledged \
         ({} of those stored anyway){notes}",
        outcome.acknowledged, outcome.lost, outcome.unacknowledged, outcome.stored_anyway,
    );
    assert!(
        lost.is_empty(),
        "seed {seed}, run {run}: {} acknowledged changes lost after {stop:?} (first: {:?}); \
         waiting for them: {complete:?}",
        lost.len(),
        lost.first(),
    );

    // The same, seen as text: each note reads at least what it read at its
    // last acknowledged change (typing only appends, and only its author
    // types in it). Later, unacknowledged letters may have been stored too.
    let mut acked_text: HashMap<&str, &str> = HashMap::new();
    for w in &writers {
        for (_, note, text) in w.acknowledged() {
            acked_text.insert(note, text);
        }
    }
    for (note, text) in &acked_text {
        let now = checker.board().note(note).map(|n| n.text);
        assert!(
            now.as_deref().is_some_and(|t| t.starts_with(text)),
            "seed {seed}, run {run}: note {note} was acknowledged as {text:?}, reads {now:?}"
        );
    }
    assert_eq!(checker.board().title(), title);
    outcome
}

async fn runs_survive(stop: Stop) {
    let seed = seed();
    let runs = runs();
    println!("{stop:?}: {runs} runs, seed {seed} (SAMSKAB_CRASH_SEED={seed} repeats the plan)");
    let mut outcomes = Vec::new();
    for i in 0..runs {
        outcomes.push(run(i, seed, stop).await);
    }
    let lost: usize = outcomes.iter().map(|o| o.lost).sum();
    assert_eq!(lost, 0, "seed {seed}: {outcomes:?}");
    assert!(
        runs == 0 || outcomes.iter().any(|o| o.acknowledged > 0),
        "seed {seed}: nothing was acknowledged in any run, so nothing was tested: {outcomes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_edits_survive_sigkill() {
    runs_survive(Stop::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_writes_loses_nothing_acknowledged() {
    runs_survive(Stop::Term).await;
}
