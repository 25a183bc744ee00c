//! `load suite`: every scenario (S1 meeting, S2 town, S3 cold start, S4
//! reconnect storm) for every system, one after the other on this machine,
//! and one summary with the ratios Samskab/peer (`peers-<size>.md`/`.json`).
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Value, json};

use crate::args::{Args, workspace_root};
use crate::build::Sizes;
use crate::scenarios::{self, BigBoard};
use crate::systems::{Paths, System};

const USAGE: &str = "\
usage: load suite [--size quick|full] [--systems a,b,..] [--scenarios s1,s2,s3,s4]
                  [--out DIR] [--server PATH] [--node PATH]

  --size       quick: seconds per scenario and system (the smoke run of
               scripts/test; results in target/bench-results/); full (the
               default): the sizes of issue #8 (about 40 minutes)
  --systems    samskab,automerge-repo,sync-server,samod,yjs (default: all)
  --scenarios  s1,s2,s3,s4 (default: all)
  --out DIR    where peers-<size>.json and .md go
  --server     Samskab's binary (default: samskab-under-test next to this one)
  --node       the node executable (default: node)";

struct Suite {
    size: String,
    systems: Vec<System>,
    scenarios: Vec<String>,
    out: PathBuf,
    paths: Paths,
}

fn usage(problem: &str) -> ! {
    eprintln!("load suite: {problem}\n\n{USAGE}");
    std::process::exit(2)
}

fn parse(argv: Vec<String>) -> Suite {
    let mut size = "full".to_string();
    let mut systems = System::ALL.to_vec();
    let mut scenarios: Vec<String> = ["s1", "s2", "s3", "s4"].map(String::from).to_vec();
    let mut out = None;
    let mut server = None;
    let mut node = PathBuf::from("node");
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--size" if value == "quick" || value == "full" => size = value,
            "--systems" => {
                systems = value
                    .split(',')
                    .map(|s| System::parse(s).unwrap_or_else(|| usage(&format!("no system {s}"))))
                    .collect()
            }
            "--scenarios" => scenarios = value.split(',').map(String::from).collect(),
            "--out" => out = Some(PathBuf::from(value)),
            "--server" => server = Some(PathBuf::from(value)),
            "--node" => node = PathBuf::from(value),
            _ => usage(&format!("bad flag {flag} {value}")),
        }
    }
    let root = workspace_root();
    let out = out.unwrap_or_else(|| {
        if size == "quick" {
            root.join("target").join("bench-results")
        } else {
            root.join("bench").join("results")
        }
    });
    let samskab = server.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("samskab-under-test")))
            .unwrap_or_default()
    });
    Suite {
        size,
        systems,
        scenarios,
        out,
        paths: Paths {
            root,
            samskab,
            node,
        },
    }
}

/// (clients, boards, edits/s each, seconds) of S1 and S2.
fn edit_shape(size: &str, scenario: &str) -> (usize, usize, f64, f64) {
    match (size, scenario) {
        ("quick", "s1") => (6, 1, 4.0, 3.0),
        ("quick", _) => (40, 4, 1.0, 3.0),
        (_, "s1") => (50, 1, 6.0, 120.0),
        _ => (2000, 200, 0.2, 60.0),
    }
}

fn s3_sizes(size: &str) -> Sizes {
    if size == "quick" {
        Sizes {
            notes: 250,
            frames: 1,
            nodes: 50,
            changes: 5_000,
        }
    } else {
        Sizes {
            notes: 5_000,
            frames: 10,
            nodes: 1_000,
            changes: 100_000,
        }
    }
}

/// (clients, boards) of S4.
fn s4_shape(size: &str) -> (usize, usize) {
    if size == "quick" { (20, 2) } else { (500, 10) }
}

/// Runs the suite; whether every run converged.
pub async fn main(argv: Vec<String>) -> anyhow::Result<bool> {
    let suite = parse(argv);
    let machine = crate::procfs::machine();
    let started = Instant::now();
    for s in &suite.systems {
        suite.paths.check(*s)?;
    }
    let mut results = serde_json::Map::new();
    let mut all_ok = true;
    for scenario in &suite.scenarios {
        let mut runs = Vec::new();
        let big = if scenario == "s3" {
            Some(BigBoard::make(s3_sizes(&suite.size)))
        } else {
            None
        };
        for &system in &suite.systems {
            eprintln!(
                "=== {scenario} {} ({:.0} s into the suite; load average {})",
                system.name(),
                started.elapsed().as_secs_f64(),
                crate::procfs::loadavg()
            );
            let run = match scenario.as_str() {
                "s1" | "s2" => {
                    let (clients, boards, rate, seconds) = edit_shape(&suite.size, scenario);
                    let args = Args {
                        clients,
                        boards,
                        rate,
                        seconds,
                        server: None,
                        data_dir: None,
                        drain_seconds: if suite.size == "quick" { 20.0 } else { 30.0 },
                        seed: 1,
                        system,
                        label: format!("{scenario}-{}", suite.size),
                        write: false,
                        out_dir: suite.out.clone(),
                    };
                    crate::edits::run(&args, &suite.paths)
                        .await
                        .map(|(_, json)| json)
                }
                "s3" => {
                    scenarios::cold_start(system, &suite.paths, big.as_ref().expect("board")).await
                }
                "s4" => {
                    let (clients, boards) = s4_shape(&suite.size);
                    scenarios::storm(system, &suite.paths, clients, boards).await
                }
                other => usage(&format!("no scenario {other}")),
            };
            let run = match run {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("{scenario} {}: {e:#}", system.name());
                    json!({ "system": system.name(), "error": format!("{e:#}"), "converged": false })
                }
            };
            if run["converged"] != json!(true) {
                all_ok = false;
                eprintln!("{scenario} {}: did NOT converge", system.name());
            }
            runs.push(run);
        }
        results.insert(scenario.clone(), Value::Array(runs));
    }
    let json = json!({
        "size": suite.size,
        "machine": machine,
        "loadavg_at_end": crate::procfs::loadavg(),
        "wall_s": started.elapsed().as_secs_f64(),
        "systems": suite.systems.iter().map(|s| json!({"name": s.name(), "title": s.title()})).collect::<Vec<_>>(),
        "scenarios": results,
    });
    let md = markdown(&suite, &json);
    println!("{md}");
    std::fs::create_dir_all(&suite.out)?;
    let base = suite.out.join(format!("peers-{}", suite.size));
    std::fs::write(
        base.with_extension("json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    std::fs::write(base.with_extension("md"), &md)?;
    eprintln!(
        "written: {}.json and .md ({:.0} s)",
        base.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(all_ok)
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn ms_cell(v: &Value) -> String {
    match f(v) {
        Some(m) if m >= 100.0 => format!("{m:.0}"),
        Some(m) if m >= 10.0 => format!("{m:.1}"),
        Some(m) => format!("{m:.2}"),
        None => "–".into(),
    }
}

fn s_cell(v: &Value) -> String {
    match f(v) {
        Some(s) => format!("{s:.3}"),
        None => "–".into(),
    }
}

fn mb_cell(v: &Value) -> String {
    match v.as_u64() {
        Some(b) => format!("{:.1}", b as f64 / 1e6),
        None => "–".into(),
    }
}

/// Samskab's figure over the peer's (below 1: Samskab is faster/smaller).
fn ratio(samskab: Option<f64>, peer: Option<f64>) -> String {
    match (samskab, peer) {
        (Some(s), Some(p)) if p > 0.0 => format!("{:.2}", s / p),
        _ => "–".into(),
    }
}

fn markdown(suite: &Suite, j: &Value) -> String {
    let mut md = String::new();
    let m = &j["machine"];
    let _ = writeln!(md, "# Samskab and its peers ({} size)\n", suite.size);
    let _ = writeln!(
        md,
        "Machine: {} ({} cores, {:.1} GiB RAM, Linux {}); build profile {}; load average at start {} / at end {}; the suite took {:.0} s.\n",
        m["cpu_model"].as_str().unwrap_or("?"),
        m["nproc"],
        m["mem_total_bytes"].as_u64().unwrap_or(0) as f64 / (1u64 << 30) as f64,
        m["kernel"].as_str().unwrap_or("?"),
        m["profile"].as_str().unwrap_or("?"),
        m["loadavg_at_start"].as_str().unwrap_or("?"),
        j["loadavg_at_end"].as_str().unwrap_or("?"),
        j["wall_s"].as_f64().unwrap_or(0.0),
    );
    let _ = writeln!(
        md,
        "Ratios are Samskab's figure divided by the peer's: below 1 Samskab is faster (or smaller).\n"
    );
    let sc = &j["scenarios"];
    let find = |runs: &Value, name: &str| -> Value {
        runs.as_array()
            .and_then(|a| a.iter().find(|r| r["system"] == json!(name)).cloned())
            .unwrap_or(Value::Null)
    };
    let title = |s: &Value| {
        System::parse(s.as_str().unwrap_or(""))
            .map(|x| x.title())
            .unwrap_or("?")
    };
    for (key, name) in [("s1", "S1 meeting"), ("s2", "S2 town")] {
        let Some(runs) = sc[key].as_array() else {
            continue;
        };
        let (c, b, r, t) = edit_shape(&suite.size, key);
        let _ = writeln!(
            md,
            "## {name}: {c} clients on {b} board(s), {r} edits/s each, {t} s\n"
        );
        let _ = writeln!(
            md,
            "| System | edits sent | reached all | to every other client p50 / p95 / p99 / max (ms) | ack p50 / p99 (ms) | server CPU s (% of a core) | server peak RSS MB | others' CPU % | converged | Samskab/peer p95 | Samskab/peer p99 |\n|---|---|---|---|---|---|---|---|---|---|---|"
        );
        let sam = find(&sc[key], "samskab");
        for run in runs {
            if let Some(e) = run["error"].as_str() {
                let _ = writeln!(
                    md,
                    "| {} | error: {} |||||||||",
                    title(&run["system"]),
                    e.lines().next().unwrap_or("")
                );
                continue;
            }
            let p = &run["propagation_to_all"];
            let a = &run["ack_latency"];
            let cpu = &run["cpu_editing"];
            let acks = if run["system"] == json!("samskab") {
                format!("{} / {}", ms_cell(&a["p50_ms"]), ms_cell(&a["p99_ms"]))
            } else {
                "no acks".into()
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} / {} / {} / {} | {} | {:.1} ({:.0} %) | {} | {:.0} | {} | {} | {} |",
                title(&run["system"]),
                run["edits"]["sent"],
                p["n"],
                ms_cell(&p["p50_ms"]),
                ms_cell(&p["p95_ms"]),
                ms_cell(&p["p99_ms"]),
                ms_cell(&p["max_ms"]),
                acks,
                cpu["server_cpu_s"].as_f64().unwrap_or(f64::NAN),
                cpu["server_cpu_pct_of_one_core"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                mb_cell(&run["server_memory"]["vm_hwm_bytes"]),
                cpu["other_processes_cpu_pct_of_one_core"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                if run["converged"] == json!(true) {
                    "yes"
                } else {
                    "**no**"
                },
                ratio(f(&sam["propagation_to_all"]["p95_ms"]), f(&p["p95_ms"])),
                ratio(f(&sam["propagation_to_all"]["p99_ms"]), f(&p["p99_ms"])),
            );
        }
        let _ = writeln!(md);
    }
    if let Some(runs) = sc["s3"].as_array() {
        let sz = s3_sizes(&suite.size);
        let _ = writeln!(
            md,
            "## S3 cold start: a board of {} notes and {} changes\n",
            sz.notes, sz.changes
        );
        let _ = writeln!(
            md,
            "| System | upload s | stored MB | restart to listening s | new client synced, cold server s | second client, warm s | server load (cold − warm) s | server peak RSS MB | synced | Samskab/peer cold |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        let sam = find(&sc["s3"], "samskab");
        for run in runs {
            if let Some(e) = run["error"].as_str() {
                let _ = writeln!(
                    md,
                    "| {} | error: {} ||||||||",
                    title(&run["system"]),
                    e.lines().next().unwrap_or("")
                );
                continue;
            }
            let _ = writeln!(
                md,
                "| {} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {} |",
                title(&run["system"]),
                run["upload_s"].as_f64().unwrap_or(f64::NAN),
                mb_cell(&run["stored_bytes"]),
                s_cell(&run["restart_to_listening_s"]),
                s_cell(&run["cold_client_synced_s"]),
                s_cell(&run["warm_client_synced_s"]),
                s_cell(&run["server_load_estimate_s"]),
                mb_cell(&run["server_vm_hwm_bytes"]),
                if run["converged"] == json!(true) {
                    "yes"
                } else {
                    "**no**"
                },
                ratio(
                    f(&sam["cold_client_synced_s"]),
                    f(&run["cold_client_synced_s"])
                ),
            );
        }
        let _ = writeln!(md);
    }
    if let Some(runs) = sc["s4"].as_array() {
        let (c, b) = s4_shape(&suite.size);
        let _ = writeln!(
            md,
            "## S4 reconnect storm: {c} clients on {b} boards, each with one edit made offline, reconnect at once after a restart\n"
        );
        let _ = writeln!(
            md,
            "| System | reconnected p50 / max s | synced p50 / p95 / max s | all synced | server CPU s | server peak RSS MB | errors | Samskab/peer all synced |\n|---|---|---|---|---|---|---|---|"
        );
        let sam = find(&sc["s4"], "samskab");
        for run in runs {
            if let Some(e) = run["error"].as_str() {
                let _ = writeln!(
                    md,
                    "| {} | error: {} |||||||",
                    title(&run["system"]),
                    e.lines().next().unwrap_or("")
                );
                continue;
            }
            let secs = |v: &Value| {
                f(v).map(|m| format!("{:.3}", m / 1e3))
                    .unwrap_or_else(|| "–".into())
            };
            let _ = writeln!(
                md,
                "| {} | {} / {} | {} / {} / {} | {} | {:.2} | {} | {} | {} |",
                title(&run["system"]),
                secs(&run["reconnected"]["p50_ms"]),
                secs(&run["reconnected"]["max_ms"]),
                secs(&run["synced"]["p50_ms"]),
                secs(&run["synced"]["p95_ms"]),
                secs(&run["synced"]["max_ms"]),
                match f(&run["all_synced_s"]) {
                    Some(s) => format!("{s:.3} s"),
                    None => "**no**".into(),
                },
                run["server_cpu_s"].as_f64().unwrap_or(f64::NAN),
                mb_cell(
                    &run["server_max_sampled_rss_bytes"]
                        .as_u64()
                        .max(run["server_vm_hwm_bytes"].as_u64())
                        .map(Value::from)
                        .unwrap_or(Value::Null)
                ),
                run["errors"],
                ratio(f(&sam["all_synced_s"]), f(&run["all_synced_s"])),
            );
        }
        let _ = writeln!(md);
    }
    md
}
