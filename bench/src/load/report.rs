//! Turns what the clients saw into figures: the Markdown table (printed and
//! written) and the JSON file.
use std::fmt::Write;
use std::time::Duration;

use serde_json::{Value, json};

use crate::args::Args;
use crate::client::Outcome;
use crate::mix::Kind;
use crate::procfs::Sample;
use crate::server::{Reading, Window, metric};
use crate::track::{Sent, Stats};

pub struct Report<'a> {
    pub args: &'a Args,
    pub machine: Value,
    /// Per board: its clients and every edit made on it.
    pub logs: Vec<(usize, Vec<Sent>)>,
    pub outcomes: Vec<Outcome>,
    pub start: Reading,
    pub edited: Reading,
    pub drained: Reading,
    pub server_hwm: u64,
    pub server_rss_end: u64,
    pub me_hwm: u64,
    pub samples: Vec<Sample>,
    pub metrics_before: Vec<(String, f64)>,
    pub metrics_after: Vec<(String, f64)>,
    pub server_log: String,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

impl Report<'_> {
    /// Prints and writes the results; whether the clients converged, and
    /// the JSON.
    pub fn finish(self) -> anyhow::Result<(bool, Value)> {
        let a = self.args;
        let all = |f: fn(&Outcome) -> &Vec<Duration>| -> Stats {
            let mut v: Vec<Duration> = self.outcomes.iter().flat_map(|o| f(o).clone()).collect();
            Stats::of(&mut v)
        };
        let ack = all(|o| &o.ack);
        let apply = all(|o| &o.apply);
        let lag = all(|o| &o.lag);
        let mut pairs: Vec<Duration> = self
            .outcomes
            .iter()
            .flat_map(|o| o.arrivals.iter().map(|(_, d)| *d))
            .collect();
        let pair = Stats::of(&mut pairs);

        // An edit has propagated when every other client on its board has
        // it; its propagation latency is the latest of those arrivals.
        let mut complete = Vec::new();
        let mut incomplete = 0usize;
        for (b, (members, sent)) in self.logs.iter().enumerate() {
            let mut seen = vec![(0usize, Duration::ZERO); sent.len()];
            for o in self.outcomes.iter().filter(|o| o.board == b) {
                for (i, d) in &o.arrivals {
                    seen[*i].0 += 1;
                    seen[*i].1 = seen[*i].1.max(*d);
                }
            }
            for (n, d) in seen {
                if n + 1 == *members {
                    complete.push(d);
                } else {
                    incomplete += 1;
                }
            }
        }
        let propagation = Stats::of(&mut complete);

        let sent: usize = self.logs.iter().map(|(_, s)| s.len()).sum();
        let unacked: usize = self.outcomes.iter().map(|o| o.unacked).sum();
        let mut kinds = [0u64; 5];
        for o in &self.outcomes {
            for (k, n) in kinds.iter_mut().zip(o.kinds) {
                *k += n;
            }
        }
        let refused_edits: u64 = self.outcomes.iter().map(|o| o.refused_edits).sum();
        let disconnects: usize = self.outcomes.iter().map(|o| o.disconnects.len()).sum();
        let errors: Vec<String> = self
            .outcomes
            .iter()
            .filter_map(|o| o.error.clone())
            .collect();
        let mut converged_boards = 0;
        for b in 0..self.logs.len() {
            let heads: Vec<_> = self
                .outcomes
                .iter()
                .filter(|o| o.board == b)
                .map(|o| &o.digest)
                .collect();
            if heads.windows(2).all(|w| w[0] == w[1]) {
                converged_boards += 1;
            }
        }
        let converged = converged_boards == self.logs.len()
            && unacked == 0
            && incomplete == 0
            && errors.is_empty();

        let editing = Window::between(self.start, self.edited);
        let whole = Window::between(self.start, self.drained);
        let peak_sampled = self.samples.iter().map(|s| s.server_rss).max().unwrap_or(0);
        let diff = |name: &str| {
            metric(&self.metrics_after, name).unwrap_or(f64::NAN)
                - metric(&self.metrics_before, name).unwrap_or(0.0)
        };
        let batches = diff("samskab_change_batches_stored_total");
        let server_ack_mean_ms = 1e3 * diff("samskab_ack_latency_seconds_sum")
            / diff("samskab_ack_latency_seconds_count");
        let messages_in = diff("samskab_messages_received_total");
        let resyncs = diff("samskab_resyncs_total");
        let groups = diff("samskab_change_groups_applied_total");
        let split = diff("samskab_change_groups_split_total");
        let refused = diff("samskab_refused_total");
        let cores = self.machine["nproc"].as_u64().unwrap_or(1) as f64;
        let both_pct = (editing.server_cpu_s + editing.me_cpu_s) / (editing.wall_s * cores) * 100.0;

        let offered = a.rate * a.clients as f64;
        let mut rows: Vec<(String, String)> = vec![
            ("Clients".into(), a.clients.to_string()),
            ("Boards".into(), a.boards.to_string()),
            (
                "Edits per second per client (offered, open loop)".into(),
                format!("{} (all clients: {offered:.0}/s)", a.rate),
            ),
            (
                "Duration of editing (planned / actual)".into(),
                format!("{} s / {:.1} s", a.seconds, editing.wall_s),
            ),
            (
                "Edits sent".into(),
                format!(
                    "{sent} ({})",
                    Kind::ALL
                        .iter()
                        .zip(kinds)
                        .map(|(k, n)| format!("{}: {n}", k.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            (
                "Edits acknowledged".into(),
                format!("{} ({unacked} not acknowledged)", sent - unacked),
            ),
            ("Ack latency p50 / p95 / p99 / max".into(), ack.cells()),
            (
                "Propagation to every other client p50 / p95 / p99 / max".into(),
                format!(
                    "{} ({} edits reached everyone, {incomplete} did not)",
                    propagation.cells(),
                    propagation.n
                ),
            ),
            (
                "… to one other client (each edit × receiver) p50 / p95 / p99 / max".into(),
                pair.cells(),
            ),
            (
                "Server CPU while editing".into(),
                format!(
                    "{:.1} s ({:.0} % of one core)",
                    editing.server_cpu_s,
                    editing.server_pct()
                ),
            ),
            (
                "Server CPU, editing + drain".into(),
                format!("{:.1} s over {:.1} s", whole.server_cpu_s, whole.wall_s),
            ),
            (
                "Server peak RSS (VmHWM) / max sampled VmRSS / VmRSS at end".into(),
                format!(
                    "{} / {} / {}",
                    mb(self.server_hwm),
                    mb(peak_sampled),
                    mb(self.server_rss_end)
                ),
            ),
            (
                "Server's own ack time (receive → stored, mean from /metrics)".into(),
                format!(
                    "{server_ack_mean_ms:.2} ms; {batches:.0} batches stored ({:.1} edits per batch); {messages_in:.0} messages received; {resyncs:.0} live connections sent back to sync; {groups:.0} groups of live changes applied together, {split:.0} taken apart",
                    sent as f64 / batches
                ),
            ),
            (
                "Converged".into(),
                format!(
                    "{} ({converged_boards} of {} boards with identical heads; {} errors; {disconnects} disconnects; {refused:.0} refusals)",
                    if converged { "yes" } else { "no" },
                    self.logs.len(),
                    errors.len()
                ),
            ),
            (
                "Load generator CPU while editing / its peak RSS".into(),
                format!(
                    "{:.1} s ({:.0} % of one core) / {}",
                    editing.me_cpu_s,
                    editing.me_pct(),
                    mb(self.me_hwm)
                ),
            ),
            (
                "Edit made late against its schedule p50 / p95 / p99 / max".into(),
                lag.cells(),
            ),
            (
                "Client-side local apply p50 / p95 / p99 / max".into(),
                apply.cells(),
            ),
        ];
        if refused_edits > 0 {
            rows.push(("Edits the model refused".into(), refused_edits.to_string()));
        }
        let m = &self.machine;
        let note = format!(
            "The clients run on the same machine as the server ({} cores): while editing, the load generator used {:.0} % of one core and the server {:.0} %, together {both_pct:.0} % of the machine; other processes used {:.0} % of one core. Load average at start / end: {} / {}.",
            m["nproc"],
            editing.me_pct(),
            editing.server_pct(),
            100.0 * editing.others_cpu_s / editing.wall_s,
            m["loadavg_at_start"].as_str().unwrap_or("?"),
            crate::procfs::loadavg(),
        );
        rows.push(("Client-side machine note".into(), note.clone()));

        let mut md = String::new();
        let _ = writeln!(md, "## Load test ({}, {})\n", a.label, a.system.title());
        let _ = writeln!(
            md,
            "Machine: {} ({} cores, {:.1} GiB RAM, Linux {}, {}); build profile: {}.\n",
            m["cpu_model"].as_str().unwrap_or("?"),
            m["nproc"],
            m["mem_total_bytes"].as_u64().unwrap_or(0) as f64 / (1u64 << 30) as f64,
            m["kernel"].as_str().unwrap_or("?"),
            m["arch"].as_str().unwrap_or("?"),
            m["profile"].as_str().unwrap_or("?"),
        );
        let _ = writeln!(md, "| Figure | Value |\n|---|---|");
        for (k, v) in &rows {
            let _ = writeln!(md, "| {k} | {v} |");
        }
        if a.write {
            println!("{md}");
        }
        if !errors.is_empty() {
            eprintln!("client errors:\n  {}", errors.join("\n  "));
        }
        let log_tail: String = {
            let lines: Vec<&str> = self.server_log.lines().collect();
            lines[lines.len().saturating_sub(20)..].join("\n")
        };
        if !converged && !log_tail.is_empty() {
            eprintln!("--- the server's last log lines ---\n{log_tail}");
        }

        let json = json!({
            "label": a.label,
            "system": a.system.name(),
            "machine": self.machine,
            "params": {
                "clients": a.clients,
                "boards": a.boards,
                "rate_per_client": a.rate,
                "seconds": a.seconds,
                "drain_seconds": a.drain_seconds,
                "seed": a.seed,
                "edits_per_client": a.edits_per_client(),
            },
            "edits": {
                "sent": sent,
                "acknowledged": sent - unacked,
                "unacknowledged": unacked,
                "by_kind": Kind::ALL.iter().zip(kinds).map(|(k, n)| json!({"kind": k.name(), "n": n})).collect::<Vec<_>>(),
                "refused_by_model": refused_edits,
            },
            "ack_latency": ack.json(),
            "propagation_to_all": propagation.json(),
            "propagation_incomplete_edits": incomplete,
            "propagation_per_receiver": pair.json(),
            "schedule_lag": lag.json(),
            "client_apply": apply.json(),
            "cpu_editing": editing.json(),
            "cpu_editing_and_drain": whole.json(),
            "server_memory": {
                "vm_hwm_bytes": self.server_hwm,
                "max_sampled_vm_rss_bytes": peak_sampled,
                "vm_rss_at_end_bytes": self.server_rss_end,
            },
            "load_generator_vm_hwm_bytes": self.me_hwm,
            "server_metrics": {
                "batches_stored": batches,
                "ack_mean_ms": server_ack_mean_ms,
                "messages_received": messages_in,
                "resyncs": resyncs,
                "change_groups_applied": groups,
                "change_groups_split": split,
                "refused": refused,
            },
            "converged": converged,
            "boards_converged": converged_boards,
            "disconnects": self.outcomes.iter().flat_map(|o| o.disconnects.clone()).collect::<Vec<_>>(),
            "errors": errors,
            "note": note,
            "samples_per_second": self.samples.iter().map(Sample::json).collect::<Vec<_>>(),
        });
        if a.write {
            std::fs::create_dir_all(&a.out_dir)?;
            let name = match a.system {
                crate::systems::System::Samskab => format!("load-{}", a.label),
                other => format!("load-{}-{}", a.label, other.name()),
            };
            let base = a.out_dir.join(name);
            std::fs::write(
                base.with_extension("json"),
                serde_json::to_string_pretty(&json)? + "\n",
            )?;
            std::fs::write(base.with_extension("md"), md)?;
            eprintln!("written: {}.json and .md", base.display());
        }
        Ok((converged, json))
    }
}
