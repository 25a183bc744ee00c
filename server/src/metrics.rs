//! Counters for `GET /metrics` (Prometheus text format).
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds (seconds) of the acknowledgement-latency histogram buckets.
const ACK_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub messages_in: AtomicU64,
    pub changes_stored: AtomicU64,
    pub storage_errors: AtomicU64,
    pub refused: AtomicU64,
    /// Meeting boards read to list a series (their summary was not cached
    /// for their stored version).
    pub series_boards_read: AtomicU64,
    /// Live connections sent back to the sync protocol (the peer missed
    /// changes, or sent changes whose dependencies the board lacks).
    pub resyncs: AtomicU64,
    /// Groups of live changes from several peers applied together, and
    /// groups that had to be taken apart (one message at a time).
    pub groups_applied: AtomicU64,
    pub groups_split: AtomicU64,
    ack_buckets: [AtomicU64; ACK_BUCKETS.len()],
    ack_count: AtomicU64,
    ack_sum_micros: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub fn dec(counter: &AtomicU64) {
        counter.fetch_sub(1, Relaxed);
    }

    /// Time from receiving changes to acknowledging them (stored).
    pub fn observe_ack(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        for (bound, bucket) in ACK_BUCKETS.iter().zip(&self.ack_buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.ack_count.fetch_add(1, Relaxed);
        self.ack_sum_micros
            .fetch_add(latency.as_micros() as u64, Relaxed);
    }

    pub fn render(&self, rooms_open: usize) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "samskab_connections_open",
            "gauge",
            "Open websocket connections.",
            self.connections_open.load(Relaxed),
        );
        metric(
            "samskab_connections_total",
            "counter",
            "Websocket connections accepted.",
            self.connections_total.load(Relaxed),
        );
        metric(
            "samskab_rooms_open",
            "gauge",
            "Boards open in memory.",
            rooms_open as u64,
        );
        metric(
            "samskab_resyncs_total",
            "counter",
            "Live connections sent back to the sync protocol.",
            self.resyncs.load(Relaxed),
        );
        metric(
            "samskab_change_groups_applied_total",
            "counter",
            "Groups of live changes from several peers applied together.",
            self.groups_applied.load(Relaxed),
        );
        metric(
            "samskab_change_groups_split_total",
            "counter",
            "Groups of live changes that were applied one message at a time.",
            self.groups_split.load(Relaxed),
        );
        metric(
            "samskab_messages_received_total",
            "counter",
            "Protocol messages received.",
            self.messages_in.load(Relaxed),
        );
        metric(
            "samskab_change_batches_stored_total",
            "counter",
            "Batches of changes committed to storage.",
            self.changes_stored.load(Relaxed),
        );
        metric(
            "samskab_storage_errors_total",
            "counter",
            "Storage operations that failed.",
            self.storage_errors.load(Relaxed),
        );
        metric(
            "samskab_refused_total",
            "counter",
            "Connections closed for breaking a rule or a limit.",
            self.refused.load(Relaxed),
        );
        metric(
            "samskab_series_boards_read_total",
            "counter",
            "Meeting boards read to list a series (summary not cached for their stored version).",
            self.series_boards_read.load(Relaxed),
        );
        let name = "samskab_ack_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} From receiving changes to acknowledging them as stored.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in ACK_BUCKETS.iter().zip(&self.ack_buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let count = self.ack_count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.ack_sum_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.observe_ack(Duration::from_micros(800));
        m.observe_ack(Duration::from_millis(30));
        let text = m.render(2);
        assert!(text.contains("samskab_ack_latency_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("samskab_ack_latency_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("samskab_ack_latency_seconds_count 2"));
        assert!(text.contains("samskab_rooms_open 2"));
    }
}
