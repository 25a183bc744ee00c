//! The server under load: readings of its CPU and memory at the moments
//! that matter, and its own `/metrics`.
use std::time::Instant;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::procfs::Proc;

/// CPU time of the server and of the load generator at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub at: Instant,
    pub server_cpu_s: f64,
    pub me_cpu_s: f64,
    /// Every process on the machine.
    pub machine_cpu_s: f64,
}

impl Reading {
    pub fn now(server: Proc) -> Reading {
        Reading {
            at: Instant::now(),
            server_cpu_s: server.cpu_seconds().unwrap_or(f64::NAN),
            me_cpu_s: Proc::Me.cpu_seconds().unwrap_or(f64::NAN),
            machine_cpu_s: crate::procfs::machine_busy_seconds().unwrap_or(f64::NAN),
        }
    }
}

/// CPU used between two readings.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub wall_s: f64,
    pub server_cpu_s: f64,
    pub me_cpu_s: f64,
    /// CPU used by everything else on the machine (other people's builds…).
    pub others_cpu_s: f64,
}

impl Window {
    pub fn between(a: Reading, b: Reading) -> Window {
        Window {
            wall_s: (b.at - a.at).as_secs_f64(),
            server_cpu_s: b.server_cpu_s - a.server_cpu_s,
            me_cpu_s: b.me_cpu_s - a.me_cpu_s,
            // The counters tick at different moments: over a short window
            // the difference can come out a little below zero.
            others_cpu_s: ((b.machine_cpu_s - a.machine_cpu_s)
                - (b.server_cpu_s - a.server_cpu_s)
                - (b.me_cpu_s - a.me_cpu_s))
                .max(0.0),
        }
    }

    /// CPU seconds per wall second, in percent of one core.
    pub fn server_pct(&self) -> f64 {
        100.0 * self.server_cpu_s / self.wall_s
    }

    pub fn me_pct(&self) -> f64 {
        100.0 * self.me_cpu_s / self.wall_s
    }

    pub fn json(&self) -> Value {
        json!({
            "wall_s": self.wall_s,
            "server_cpu_s": self.server_cpu_s,
            "server_cpu_pct_of_one_core": self.server_pct(),
            "load_generator_cpu_s": self.me_cpu_s,
            "load_generator_cpu_pct_of_one_core": self.me_pct(),
            "other_processes_cpu_s": self.others_cpu_s,
            "other_processes_cpu_pct_of_one_core": 100.0 * self.others_cpu_s / self.wall_s,
        })
    }
}

/// The server's `GET /metrics` (Prometheus text), as name → value for the
/// plain (unlabelled) series.
pub async fn metrics(addr: std::net::SocketAddr) -> anyhow::Result<Vec<(String, f64)>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut body = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_string(&mut body),
    )
    .await??;
    let (_, text) = body
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("no HTTP body from /metrics"))?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.contains('{'))
        .filter_map(|l| {
            let (name, value) = l.split_once(' ')?;
            Some((name.to_string(), value.trim().parse().ok()?))
        })
        .collect())
}

/// One value out of [`metrics`]' answer.
pub fn metric(all: &[(String, f64)], name: &str) -> Option<f64> {
    all.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}
