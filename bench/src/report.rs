//! Statistics, machine facts and the two result files.
use std::time::Duration;

use serde_json::{Value, json};

/// Summary of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub n: usize,
    pub median: Duration,
    pub p95: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Stats {
    pub fn of(samples: &[Duration]) -> Stats {
        assert!(!samples.is_empty(), "no samples");
        let mut v = samples.to_vec();
        v.sort();
        let n = v.len();
        Stats {
            n,
            median: v[n / 2],
            p95: v[((n * 95).div_ceil(100)).clamp(1, n) - 1],
            min: v[0],
            max: v[n - 1],
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "runs": self.n,
            "median_ms": ms(self.median),
            "p95_ms": ms(self.p95),
            "min_ms": ms(self.min),
            "max_ms": ms(self.max),
        })
    }
}

pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

pub fn fmt_ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 10.0 {
        format!("{v:.3} ms")
    } else {
        format!("{v:.1} ms")
    }
}

pub fn fmt_bytes(b: u64) -> String {
    format!("{b} B ({:.2} MiB)", b as f64 / (1024.0 * 1024.0))
}

/// A `kB` field of /proc/self/status (VmRSS, VmHWM), in bytes.
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// nproc, CPU model, memory, kernel.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb = meminfo.lines().find_map(|l| {
        l.strip_prefix("MemTotal:")?
            .split_whitespace()
            .next()?
            .parse::<u64>()
            .ok()
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    // Other work on the machine skews the times: say how busy it was.
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let loadavg: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu_model": model,
        "mem_total_bytes": mem_kb.map(|k| k * 1024),
        "kernel": kernel.trim(),
        "arch": std::env::consts::ARCH,
        "loadavg_at_start": loadavg.join(" "),
    })
}

/// One row of the Markdown table: what, value, target (if any), whether met.
pub struct Row {
    pub what: String,
    pub value: String,
    pub target: Option<(String, bool)>,
}

pub fn row(what: impl Into<String>, value: impl Into<String>) -> Row {
    Row {
        what: what.into(),
        value: value.into(),
        target: None,
    }
}

pub fn timed_row(what: impl Into<String>, value: Duration, limit_ms: f64) -> Row {
    let met = value.as_secs_f64() * 1e3 < limit_ms;
    Row {
        what: what.into(),
        value: fmt_ms(value),
        target: Some((format!("< {limit_ms} ms"), met)),
    }
}

pub fn markdown(title: &str, machine: &Value, rows: &[Row]) -> String {
    let mut s = format!("## {title}\n\n");
    s += &format!(
        "Machine: {} ({} cores, {:.1} GiB RAM, Linux {}, {}; load average at start {}); build profile: {}.\n\n",
        machine["cpu_model"].as_str().unwrap_or("?"),
        machine["nproc"],
        machine["mem_total_bytes"].as_u64().unwrap_or(0) as f64 / (1u64 << 30) as f64,
        machine["kernel"].as_str().unwrap_or("?"),
        machine["arch"].as_str().unwrap_or("?"),
        machine["loadavg_at_start"].as_str().unwrap_or("?"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    s += "| Measurement | Value | Target | Met |\n|---|---|---|---|\n";
    for r in rows {
        let (target, met) = match &r.target {
            Some((t, m)) => (t.as_str(), if *m { "yes" } else { "no" }),
            None => ("", ""),
        };
        s += &format!("| {} | {} | {} | {} |\n", r.what, r.value, target, met);
    }
    s
}
