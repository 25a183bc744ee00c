//! Bookkeeping shared by the client tasks: which edits were sent when (one
//! log per board, so receivers know what to look for), counters that tell
//! the main task when everything has arrived, and percentiles.
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One edit as its sender made it.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub id: crate::conn::EditId,
    /// The sender's place among the board's clients.
    pub sender: usize,
    /// Right after the sender's local `apply`, before the frame went out.
    pub sent_at: Instant,
}

/// Every edit made on one board, in the order they were made.
#[derive(Debug)]
pub struct BoardLog {
    /// Clients on this board.
    pub members: usize,
    entries: Mutex<Vec<Sent>>,
}

impl BoardLog {
    pub fn new(members: usize) -> BoardLog {
        BoardLog {
            members,
            entries: Mutex::new(Vec::new()),
        }
    }

    /// Records an edit; its index in the log.
    pub fn push(&self, sent: Sent) -> usize {
        let mut entries = self.entries.lock().expect("board log");
        entries.push(sent);
        entries.len() - 1
    }

    /// Appends the edits logged since `cursor` that `me` did not make to
    /// `out` (as `(index, sent)`); returns the new cursor.
    pub fn others_since(&self, cursor: usize, me: usize, out: &mut Vec<(usize, Sent)>) -> usize {
        let entries = self.entries.lock().expect("board log");
        out.extend(
            entries[cursor.min(entries.len())..]
                .iter()
                .enumerate()
                .filter(|(_, s)| s.sender != me)
                .map(|(i, s)| (cursor + i, *s)),
        );
        entries.len()
    }

    pub fn all(&self) -> Vec<Sent> {
        self.entries.lock().expect("board log").clone()
    }
}

/// Running totals over all clients; the main task watches them.
#[derive(Debug, Default)]
pub struct Progress {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    /// (edit, other client) pairs seen so far.
    pub arrivals: AtomicU64,
    /// (edit, other client) pairs there will be for the edits sent so far.
    pub expected_arrivals: AtomicU64,
    /// Clients that made all their edits.
    pub done_sending: AtomicU64,
    pub disconnects: AtomicU64,
    /// Tells the clients to stop pumping and report.
    pub stop: AtomicBool,
}

impl Progress {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Relaxed)
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Relaxed)
    }
}

/// Percentiles of a set of durations (nearest rank).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub n: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Stats {
    pub fn of(samples: &mut [Duration]) -> Stats {
        if samples.is_empty() {
            return Stats::default();
        }
        samples.sort_unstable();
        let rank = |p: f64| {
            let i = ((p / 100.0) * samples.len() as f64).ceil() as usize;
            samples[i.clamp(1, samples.len()) - 1]
        };
        let total: Duration = samples.iter().sum();
        Stats {
            n: samples.len(),
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: samples[samples.len() - 1],
            mean: total / samples.len() as u32,
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "n": self.n,
            "p50_ms": ms(self.p50),
            "p95_ms": ms(self.p95),
            "p99_ms": ms(self.p99),
            "max_ms": ms(self.max),
            "mean_ms": ms(self.mean),
        })
    }

    /// `p50 / p95 / p99 / max` in milliseconds.
    pub fn cells(&self) -> String {
        if self.n == 0 {
            return "–".into();
        }
        format!(
            "{} / {} / {} / {}",
            fmt_ms(self.p50),
            fmt_ms(self.p95),
            fmt_ms(self.p99),
            fmt_ms(self.max)
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn fmt_ms(d: Duration) -> String {
    let m = ms(d);
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}
