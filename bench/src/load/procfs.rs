//! What `/proc` says about the server process and about the load generator
//! itself: CPU time, resident memory, and the machine.
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Which process: the server (by pid) or the load generator.
#[derive(Debug, Clone, Copy)]
pub enum Proc {
    Pid(u32),
    Me,
}

impl Proc {
    fn path(self, file: &str) -> String {
        match self {
            Proc::Pid(pid) => format!("/proc/{pid}/{file}"),
            Proc::Me => format!("/proc/self/{file}"),
        }
    }

    /// User plus system CPU time of all the process's threads so far.
    pub fn cpu_seconds(self) -> Option<f64> {
        let stat = std::fs::read_to_string(self.path("stat")).ok()?;
        // The command name (field 2) is in parentheses and may hold spaces:
        // count fields after its closing parenthesis. utime and stime are
        // fields 14 and 15 of the whole line, so 12 and 13 after it (0-based: 11, 12).
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        let ticks = rustix::param::clock_ticks_per_second() as f64;
        Some((utime + stime) as f64 / ticks)
    }

    /// A `/proc/<pid>/status` field given in kB (`VmRSS`, `VmHWM`), in bytes.
    pub fn status_bytes(self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(self.path("status")).ok()?;
        status.lines().find_map(|line| {
            let rest = line.strip_prefix(field)?.strip_prefix(':')?;
            let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kb * 1024)
        })
    }
}

/// CPU seconds all processes on the machine have used since boot (busy
/// time of all cores: everything in `/proc/stat`'s `cpu` line but idle and
/// iowait).
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is in user).
    let busy: u64 = v
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| x)
        .sum();
    Some(busy as f64 / rustix::param::clock_ticks_per_second() as f64)
}

/// One second's reading.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Since the sampler started.
    pub at: Duration,
    pub server_cpu_s: f64,
    pub server_rss: u64,
    pub me_cpu_s: f64,
    pub me_rss: u64,
}

impl Sample {
    pub fn take(server: Proc, since: Instant) -> Sample {
        Sample {
            at: since.elapsed(),
            server_cpu_s: server.cpu_seconds().unwrap_or(f64::NAN),
            server_rss: server.status_bytes("VmRSS").unwrap_or(0),
            me_cpu_s: Proc::Me.cpu_seconds().unwrap_or(f64::NAN),
            me_rss: Proc::Me.status_bytes("VmRSS").unwrap_or(0),
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "t_s": self.at.as_secs_f64(),
            "server_cpu_s": self.server_cpu_s,
            "server_rss_bytes": self.server_rss,
            "load_generator_cpu_s": self.me_cpu_s,
            "load_generator_rss_bytes": self.me_rss,
        })
    }
}

/// Samples both processes every second until `stop` is set.
pub async fn sample_every_second(
    server: Proc,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<Sample> {
    let since = Instant::now();
    let mut samples = vec![Sample::take(server, since)];
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        tick.tick().await;
        samples.push(Sample::take(server, since));
    }
    samples
}

/// CPU model, cores, memory, kernel and how busy the machine was.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "?".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    json!({
        "cpu_model": model,
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "mem_total_bytes": mem_kb * 1024,
        "kernel": kernel,
        "arch": std::env::consts::ARCH,
        "loadavg_at_start": loadavg(),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}

/// `/proc/loadavg`'s three averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
