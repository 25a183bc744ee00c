//! One simulated person: a [`Conn`] (of any system) in its own task, making edits on a
//! fixed schedule (open loop: edit k is due at start + phase + k / rate,
//! whether or not the server has kept up) and noting when its own edits are
//! acknowledged and when everyone else's arrive.
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use tokio::sync::watch;

use crate::conn::{Conn, EditId};
use crate::mix::{Kind, Mix};
use crate::systems::{BoardRef, System};
use crate::track::{BoardLog, Progress, Sent};

/// Longest wait for a frame before looking at the schedule again.
const TICK: Duration = Duration::from_millis(20);
/// Most frames handled as one batch before the schedule is looked at again.
const BURST: usize = 256;

/// Who this client is and what it should do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub index: usize,
    pub board: usize,
    /// Its place among the board's clients.
    pub slot: usize,
    pub system: System,
    pub board_ref: BoardRef,
    /// The server's `ws://host:port`.
    pub base: String,
    pub rate: f64,
    pub edits: u64,
    pub seed: u64,
}

/// What one client saw.
#[derive(Debug, Default)]
pub struct Outcome {
    pub board: usize,
    pub slot: usize,
    /// Acknowledgement latency of each own edit that was acknowledged.
    pub ack: Vec<Duration>,
    /// Own edits still unacknowledged at the end.
    pub unacked: usize,
    /// Others' edits seen: (index in the board log, latency from its sending).
    pub arrivals: Vec<(usize, Duration)>,
    /// Others' edits not seen by the end.
    pub missing: usize,
    /// Time of the local `apply` of each edit.
    pub apply: Vec<Duration>,
    /// How late each edit was made against its schedule.
    pub lag: Vec<Duration>,
    pub kinds: [u64; 5],
    /// Edits the local model refused (should be none).
    pub refused_edits: u64,
    /// Why the connection closed, each time it did.
    pub disconnects: Vec<String>,
    /// The replica's state at the end (equal on converged replicas).
    pub digest: Vec<u8>,
    pub error: Option<String>,
}

/// Connects, reports `connected`, waits for the common start, then edits
/// and listens until `progress.stop`.
pub async fn run(
    plan: Plan,
    log: Arc<BoardLog>,
    progress: Arc<Progress>,
    mut start: watch::Receiver<Option<Instant>>,
    connected: tokio::sync::mpsc::Sender<anyhow::Result<()>>,
) -> Outcome {
    let name = format!("c{}", plan.index);
    let mut client = match Conn::join(plan.system, &plan.base, &plan.board_ref, &name).await {
        Ok(c) => c,
        Err(e) => {
            let _ = connected.send(Err(anyhow::anyhow!("{name}: {e}"))).await;
            return Outcome {
                error: Some(format!("{e:#}")),
                ..Outcome::default()
            };
        }
    };
    let _ = connected.send(Ok(())).await;
    drop(connected);
    let mut state = State {
        mix: Mix::new(plan.seed, format!("c{}", plan.index)),
        out: Outcome {
            board: plan.board,
            slot: plan.slot,
            ..Outcome::default()
        },
        awaiting: Vec::new(),
        pending: Vec::new(),
        cursor: 0,
        changes_seen: 0,
        log,
        progress,
    };
    // Until everyone is connected, just listen.
    let t0 = loop {
        if let Some(t) = *start.borrow_and_update() {
            break t;
        }
        if let Err(e) = client.pump_once(TICK).await {
            state.out.error = Some(e.to_string());
            return state.finish(&mut client);
        }
    };
    // Each client starts at its own moment within the first period, as
    // people do not type in step.
    let phase = state.mix.rng().random::<f64>() / plan.rate;
    if let Err(e) = state.edit_and_listen(&mut client, &plan, t0, phase).await {
        state.out.error = Some(format!("{name}: {e:#}"));
    }
    state.finish(&mut client)
}

struct State {
    mix: Mix,
    out: Outcome,
    /// Own edits not yet acknowledged: hash and when sent.
    awaiting: Vec<(EditId, Instant)>,
    /// Others' edits not yet seen: index in the log and the edit.
    pending: Vec<(usize, Sent)>,
    /// How far into the board log `pending` has been filled.
    cursor: usize,
    /// The document's change count when `pending` was last checked.
    changes_seen: u64,
    log: Arc<BoardLog>,
    progress: Arc<Progress>,
}

impl State {
    async fn edit_and_listen(
        &mut self,
        client: &mut Conn,
        plan: &Plan,
        t0: Instant,
        phase: f64,
    ) -> anyhow::Result<()> {
        let mut made = 0u64;
        while !self.progress.stopped() {
            if !client.is_connected() {
                self.reconnect(client, plan).await;
                continue;
            }
            let now = Instant::now();
            let mut wait = TICK;
            if made < plan.edits {
                let due = t0 + Duration::from_secs_f64(phase + made as f64 / plan.rate);
                if now >= due {
                    self.out.lag.push(now - due);
                    self.edit(client, plan).await?;
                    made += 1;
                    if made == plan.edits {
                        Progress::add(&self.progress.done_sending, 1);
                    }
                    wait = Duration::ZERO;
                } else {
                    wait = wait.min(due - now);
                }
            }
            // Handle what has arrived: wait for the first frame at most
            // `wait`, then take whatever else is already there, as one batch.
            let (_, any) = client.pump_batch(wait, BURST).await?;
            if any {
                self.observe(client);
            }
        }
        Ok(())
    }

    /// Makes the next edit of the mix and sends it.
    async fn edit(&mut self, client: &mut Conn, plan: &Plan) -> anyhow::Result<()> {
        let (kind, op) = self.mix.next();
        let t = Instant::now();
        let applied = client.apply(&op);
        let sent_at = Instant::now();
        self.out.apply.push(sent_at - t);
        let id = match applied {
            Ok(id) => id,
            Err(e) => {
                self.out.refused_edits += 1;
                if self.out.refused_edits <= 3 {
                    eprintln!("c{}: the replica refused {op:?}: {e:#}", plan.index);
                }
                return Ok(());
            }
        };
        self.out.kinds[Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)] += 1;
        if let Some(id) = id {
            // Logged before the frame leaves, so no receiver can miss it.
            self.log.push(Sent {
                id,
                sender: plan.slot,
                sent_at,
            });
            if client.has_acks() {
                self.awaiting.push((id, sent_at));
            }
            Progress::add(&self.progress.sent, 1);
            if !client.has_acks() {
                Progress::add(&self.progress.acked, 1);
            }
            Progress::add(
                &self.progress.expected_arrivals,
                self.log.members as u64 - 1,
            );
        }
        client.flush().await
    }

    /// Notes acknowledgements and arrivals after a frame was handled.
    fn observe(&mut self, client: &Conn) {
        let now = Instant::now();
        if !self.awaiting.is_empty() {
            let before = self.awaiting.len();
            let ack = &mut self.out.ack;
            self.awaiting.retain(|(h, sent_at)| {
                let still = !client.is_acked(h);
                if !still {
                    ack.push(now - *sent_at);
                }
                still
            });
            Progress::add(&self.progress.acked, (before - self.awaiting.len()) as u64);
        }
        let logged = self.pending.len();
        self.cursor = self
            .log
            .others_since(self.cursor, self.out.slot, &mut self.pending);
        let changes = client.version();
        if self.pending.is_empty() || (changes == self.changes_seen && logged == self.pending.len())
        {
            return;
        }
        self.changes_seen = changes;
        let before = self.pending.len();
        let arrivals = &mut self.out.arrivals;
        // A change is in the document when none of it is missing (a change
        // queued for want of its dependencies still counts as missing).
        let ids: Vec<EditId> = self.pending.iter().map(|(_, sent)| sent.id).collect();
        let mut held = client.holds(&ids).into_iter();
        self.pending.retain(|(i, sent)| {
            let here = held.next().unwrap_or(false);
            if here {
                arrivals.push((*i, now - sent.sent_at));
            }
            !here
        });
        Progress::add(
            &self.progress.arrivals,
            (before - self.pending.len()) as u64,
        );
    }

    /// The server closed the connection: note why, and come back as the
    /// browser would (local edits wait in the session meanwhile).
    async fn reconnect(&mut self, client: &mut Conn, plan: &Plan) {
        let why = client.close_reason();
        if self.out.disconnects.len() < 5 {
            eprintln!("c{} disconnected ({why}); reconnecting", plan.index);
        }
        self.out.disconnects.push(why);
        Progress::add(&self.progress.disconnects, 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Err(e) = client.reconnect(plan.system, &plan.base).await {
            eprintln!("c{}: reconnect failed: {e:#}", plan.index);
            tokio::time::sleep(Duration::from_millis(750)).await;
        }
    }

    fn finish(mut self, client: &mut Conn) -> Outcome {
        self.observe(client);
        self.out.unacked = self.awaiting.len();
        self.out.missing = self.pending.len();
        // Edits logged after our last look count as missing too.
        let mut rest = Vec::new();
        self.log.others_since(self.cursor, self.out.slot, &mut rest);
        self.out.missing += rest.len();
        self.out.digest = client.digest();
        self.out
    }
}
