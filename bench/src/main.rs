//! `board-bench`: builds a large board through real ops on two replicas and
//! measures load, save, local ops, remote changes, validation and memory.
//! It prints figures and writes them to `bench/results/`; it asserts no times.
//!
//! Usage: `board-bench [--size quick|full]` (default `full`).
mod build;
mod report;

// The server's allocator (server/src/main.rs), so that the figures are the
// server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use samskab_board::{Board, Ctx, Limits, validate, validate_changes};
use serde_json::{Value, json};

use build::{Built, Kind, Lcg, Sizes, T0};
use report::{Stats, fmt_bytes, fmt_ms, proc_status_kb, row, timed_row};

/// Single ops and remote changes timed (of each, all kinds together).
const OPS: usize = 200;
/// Runs of load and of validate.
const RUNS: usize = 7;
/// Remote changes timed together with a full `validate` after each.
const FULL_RUNS: usize = 20;

fn usage() -> ! {
    eprintln!("usage: board-bench [--size quick|full]");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut size = "full".to_string();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--size" => size = args.get(i + 1).cloned().unwrap_or_else(|| usage()),
            s if s.starts_with("--size=") => size = s["--size=".len()..].to_string(),
            // Internal: measure the memory of a fresh process loading a save.
            "--load-only" => {
                return load_only(Path::new(args.get(i + 1).unwrap_or_else(|| usage())));
            }
            _ => usage(),
        }
        i += if args[i] == "--size" { 2 } else { 1 };
    }
    let full = Sizes {
        notes: 5_000,
        frames: 10,
        nodes: 1_000,
        changes: 100_000,
    };
    let sizes = match size.as_str() {
        "full" => full,
        "quick" => Sizes {
            notes: full.notes.div_ceil(20),
            frames: full.frames.div_ceil(20),
            nodes: full.nodes.div_ceil(20),
            changes: full.changes.div_ceil(20),
        },
        _ => usage(),
    };
    run(&size, sizes);
}

fn run(size: &str, sizes: Sizes) {
    let machine = report::machine();
    eprintln!("board-bench --size {size}: {sizes:?}");
    let mut rng = Lcg::new(0x5a45_5ab0_b0a2_d001);

    eprintln!("building the board through ops (two replicas)…");
    let start = Instant::now();
    let Built {
        mut anna,
        mut bo,
        model,
        changes,
    } = build::build(sizes, &mut rng);
    let build_time = start.elapsed();
    let total = anna.doc_mut().get_changes(&[]).len();
    assert_eq!(total, changes, "changes counted while building");
    assert_eq!(
        anna.heads(),
        bo.heads(),
        "both replicas end with the same heads"
    );
    eprintln!(
        "built: {total} changes in {:.1} s",
        build_time.as_secs_f64()
    );
    drop(bo);

    let start = Instant::now();
    let bytes = anna.save();
    let save_time = start.elapsed();
    drop(anna);

    eprintln!("loading ({RUNS} runs)…");
    let (mut load, mut notes_t, mut maps_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut load_checked = Vec::new();
    let mut wire_t = Vec::new();
    let mut declared = None;
    let mut shown = (0, 0, 0, 0);
    for _ in 0..RUNS {
        // The check of outside data before Automerge reads it (part of
        // `Board::load`): rows counted, deflated columns inflated.
        let t = Instant::now();
        declared = Some(
            samskab_board::wire::check_chunks(&bytes, &Default::default())
                .expect("a save passes the wire check"),
        );
        wire_t.push(t.elapsed());
        // An imported file: every change's hash recomputed and checked.
        let t = Instant::now();
        drop(black_box(
            Board::load(&bytes, &[3; 16]).expect("the save loads"),
        ));
        load_checked.push(t.elapsed());
        // What the server does with its own storage.
        let t = Instant::now();
        let board = Board::load_stored(&bytes, &[3; 16]).expect("the save loads");
        load.push(t.elapsed());
        let t = Instant::now();
        let notes = black_box(board.notes());
        notes_t.push(t.elapsed());
        let t = Instant::now();
        let maps = black_box(board.mindmaps());
        maps_t.push(t.elapsed());
        let framed = notes.iter().filter(|n| n.frame.is_some()).count();
        shown = (
            notes.len(),
            framed,
            board.frames().len(),
            maps.iter().map(|m| m.nodes.len()).sum(),
        );
    }
    assert_eq!(shown.0, sizes.notes, "every note is shown");

    eprintln!("validating ({RUNS} runs)…");
    let board = Board::load(&bytes, &[3; 16]).expect("the save loads");
    let limits = Limits::default();
    let validation = validate(&board, &limits);
    let mut validate_t = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let _ = black_box(validate(&board, &limits));
        validate_t.push(t.elapsed());
    }
    drop(board);

    eprintln!("{OPS} local ops…");
    let ctx = Ctx::new("carl", T0);
    let mut local = Board::load(&bytes, &[3; 16]).expect("the save loads");
    let mut m = model.clone();
    let mut local_t: Vec<(Kind, Duration)> = Vec::new();
    for i in 0..OPS {
        let kind = Kind::ALL[i % Kind::ALL.len()];
        let op = m.op(kind, &mut rng, "l");
        let t = Instant::now();
        local.apply(&op, &ctx).expect("the op applies");
        local_t.push((kind, t.elapsed()));
    }
    drop(local);

    eprintln!("{OPS} remote changes…");
    let mut sender = Board::load(&bytes, &[4; 16]).expect("the save loads");
    let mut m = model.clone();
    let mut remote = Vec::new();
    for i in 0..OPS {
        let kind = Kind::ALL[i % Kind::ALL.len()];
        let op = m.op(kind, &mut rng, "r");
        sender.apply(&op, &ctx).expect("the op applies");
        let change = sender
            .doc_mut()
            .get_last_local_change()
            .expect("the op made a change");
        remote.push((kind, change));
    }
    let mut receiver = Board::load(&bytes, &[5; 16]).expect("the save loads");
    let mut remote_t: Vec<(Kind, Duration)> = Vec::new();
    for (kind, change) in remote.iter().cloned() {
        let t = Instant::now();
        receiver
            .doc_mut()
            .apply_changes([change])
            .expect("the change applies");
        remote_t.push((kind, t.elapsed()));
    }
    assert_eq!(receiver.heads(), sender.heads(), "the receiver caught up");
    drop(receiver);
    // What the server does with a peer's change: apply it, then check what
    // it touched (`validate_changes`); and the same with a full `validate`.
    let mut server = Board::load(&bytes, &[6; 16]).expect("the save loads");
    let mut server_t = Vec::new();
    for (_, change) in remote.iter().cloned() {
        // The server marks before each incoming message (inside the timing:
        // it is part of the cost).
        let t = Instant::now();
        let before = server.mark();
        server
            .doc_mut()
            .apply_changes([change])
            .expect("the change applies");
        let verdict = validate_changes(&mut server, &before, &limits);
        server_t.push(t.elapsed());
        assert!(verdict.is_ok(), "a valid change is accepted: {verdict:?}");
    }
    let mut full = Board::load(&bytes, &[7; 16]).expect("the save loads");
    let mut full_t = Vec::new();
    for (_, change) in remote.iter().take(FULL_RUNS).cloned() {
        let t = Instant::now();
        full.doc_mut()
            .apply_changes([change])
            .expect("the change applies");
        let _ = black_box(validate(&full, &limits));
        full_t.push(t.elapsed());
    }
    drop(full);
    drop((server, sender));

    eprintln!("memory of a fresh process loading the save…");
    let mem = child_memory(&bytes);
    let peak_self = proc_status_kb("VmHWM");

    // ---- report ----
    let all = |v: &[(Kind, Duration)]| Stats::of(&v.iter().map(|(_, d)| *d).collect::<Vec<_>>());
    let of_kind = |v: &[(Kind, Duration)], k: Kind| {
        Stats::of(
            &v.iter()
                .filter(|(kk, _)| *kk == k)
                .map(|(_, d)| *d)
                .collect::<Vec<_>>(),
        )
    };
    let load_checked_s = Stats::of(&load_checked);
    let wire_s = Stats::of(&wire_t);
    let declared = declared.expect("at least one run");
    let (load_s, notes_s, maps_s, val_s) = (
        Stats::of(&load),
        Stats::of(&notes_t),
        Stats::of(&maps_t),
        Stats::of(&validate_t),
    );
    let (local_s, remote_s) = (all(&local_t), all(&remote_t));
    let per_kind_rows = |rows: &mut Vec<_>, label: &str, v: &[(Kind, Duration)]| {
        for k in Kind::ALL {
            let s = of_kind(v, k);
            let figures = format!(
                "{} / {} / {}",
                fmt_ms(s.median),
                fmt_ms(s.p95),
                fmt_ms(s.max)
            );
            rows.push(row(
                format!("{label}: {}, median / p95 / max", k.name()),
                figures,
            ));
        }
    };
    let (server_s, full_s) = (Stats::of(&server_t), Stats::of(&full_t));
    let mem_u = |k: &str| mem.get(k).and_then(Value::as_u64);

    let mut rows = vec![
        row(
            "Board",
            format!(
                "{} notes ({} in frames), {} frames, {} mind-map nodes",
                shown.0, shown.1, shown.2, shown.3
            ),
        ),
        row("Changes in history (2 actors + genesis)", total.to_string()),
        row(
            "Build through ops (informative)",
            format!("{:.1} s", build_time.as_secs_f64()),
        ),
        row("Save size (`save()`)", fmt_bytes(bytes.len() as u64)),
        row("Save time", fmt_ms(save_time)),
        timed_row(
            format!("Load by the server (`Board::load_stored`), median of {RUNS}"),
            load_s.median,
            300.0,
        ),
        row(
            "Load, min / max",
            format!("{} / {}", fmt_ms(load_s.min), fmt_ms(load_s.max)),
        ),
        row(
            "Load of an imported file, every change hash checked (`Board::load`), median",
            fmt_ms(load_checked_s.median),
        ),
        row(
            "of which the wire check (`wire::check_chunks`), median",
            fmt_ms(wire_s.median),
        ),
        row(
            "Declared by the save (wire check): changes / ops / inflated bytes",
            format!(
                "{} / {} / {}",
                declared.changes,
                declared.ops,
                fmt_bytes(declared.inflated_bytes)
            ),
        ),
        row(
            "Hydrate `notes()` after load, median",
            fmt_ms(notes_s.median),
        ),
        row(
            "Hydrate `mindmaps()` after load, median",
            fmt_ms(maps_s.median),
        ),
        row(
            format!("`validate` whole board, median of {RUNS}"),
            fmt_ms(val_s.median),
        ),
        timed_row(
            format!("Local op (`apply`), median of {OPS}"),
            local_s.median,
            2.0,
        ),
        timed_row("Local op, p95", local_s.p95, 2.0),
    ];
    per_kind_rows(&mut rows, "Local op", &local_t);
    rows.push(timed_row(
        format!("Remote change (`apply_changes`), median of {OPS}"),
        remote_s.median,
        2.0,
    ));
    rows.push(timed_row("Remote change, p95", remote_s.p95, 2.0));
    per_kind_rows(&mut rows, "Remote change", &remote_t);
    rows.push(timed_row(
        format!("Remote change + `validate_changes` (what the server does), median of {OPS}"),
        server_s.median,
        2.0,
    ));
    rows.push(timed_row(
        "Remote change + `validate_changes`, p95",
        server_s.p95,
        2.0,
    ));
    rows.push(row(
        format!("Remote change + full `validate`, median of {FULL_RUNS}"),
        fmt_ms(full_s.median),
    ));
    let mb = |b: Option<u64>| b.map(fmt_bytes).unwrap_or_else(|| "n/a".into());
    rows.push(row(
        "Load in a fresh process (a server's first board: every page it allocates is new to it)",
        mem["load_ms"]
            .as_f64()
            .map(|ms| format!("{ms:.1} ms"))
            .unwrap_or_else(|| "n/a".into()),
    ));
    rows.push(row(
        "RSS of a fresh process after load",
        mb(mem_u("rss_after_load")),
    ));
    rows.push(row(
        "… growth caused by the load",
        mb(mem_u("rss_after_load")
            .zip(mem_u("rss_before_load"))
            .map(|(a, b)| a.saturating_sub(b))),
    ));
    rows.push(row(
        "Peak RSS of that process (load + read views)",
        mb(mem_u("peak_rss")),
    ));
    rows.push(row(
        "Peak RSS of the benchmark (building included)",
        mb(peak_self),
    ));
    if let Err(e) = &validation {
        rows.push(row("Validation of the built board", format!("FAILED: {e}")));
    }

    let kinds = |v: &[(Kind, Duration)]| {
        Kind::ALL
            .iter()
            .map(|k| (k.name().to_string(), of_kind(v, *k).json()))
            .collect::<serde_json::Map<_, _>>()
    };
    let result = json!({
        "benchmark": "board",
        "size": size,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "unix_time": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "machine": machine,
        "board": { "notes": shown.0, "notes_in_frames": shown.1, "frames": shown.2, "mindmap_nodes": shown.3, "changes": total, "valid": validation.is_ok() },
        "build_s": build_time.as_secs_f64(),
        "save_bytes": bytes.len(),
        "save_ms": report::ms(save_time),
        "load": load_s.json(),
        "load_checked": load_checked_s.json(),
        "hydrate_notes": notes_s.json(),
        "hydrate_mindmaps": maps_s.json(),
        "validate": val_s.json(),
        "local_op": { "all": local_s.json(), "by_kind": kinds(&local_t) },
        "remote_change": { "all": remote_s.json(), "by_kind": kinds(&remote_t) },
        "remote_change_and_validate_changes": server_s.json(),
        "remote_change_and_full_validate": full_s.json(),
        "memory": { "fresh_load_process": mem, "bench_peak_rss_bytes": peak_self },
        "targets": { "load_ms": 300, "op_ms": 2 },
    });
    let table = report::markdown(&format!("Board benchmark ({size})"), &machine, &rows);
    println!("{table}");
    write_results(size, &result, &table);
}

fn write_results(size: &str, result: &Value, table: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results");
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let json = serde_json::to_string_pretty(result).expect("JSON");
        std::fs::write(dir.join(format!("board-{size}.json")), json + "\n")?;
        std::fs::write(dir.join(format!("board-{size}.md")), table)
    });
    match written {
        Ok(()) => eprintln!("wrote {}/board-{size}.{{json,md}}", dir.display()),
        Err(e) => eprintln!("could not write results to {}: {e}", dir.display()),
    }
}

/// Runs this program again with `--load-only` on a copy of the save, so the
/// memory figures belong to a process that did nothing but load it.
fn child_memory(bytes: &[u8]) -> Value {
    let path = std::env::temp_dir().join(format!("samskab-bench-{}.save", std::process::id()));
    let measured = (|| -> Result<Value, String> {
        std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let out = Command::new(exe)
            .arg("--load-only")
            .arg(&path)
            .output()
            .map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(stdout.trim()).map_err(|e| format!("{e}: {stdout}"))
    })();
    // SAMSKAB_BENCH_KEEP_SAVE=1 keeps the file (to profile a load:
    // `perf record board-bench --load-only FILE`).
    if std::env::var_os("SAMSKAB_BENCH_KEEP_SAVE").is_some() {
        eprintln!("kept the save in {}", path.display());
    } else {
        let _ = std::fs::remove_file(&path);
    }
    measured.unwrap_or_else(|e| {
        eprintln!("memory measurement failed: {e}");
        json!({})
    })
}

fn load_only(path: &Path) {
    let bytes = std::fs::read(path).expect("the save file");
    let before = proc_status_kb("VmRSS");
    let started = Instant::now();
    let board = Board::load_stored(&bytes, &[9; 16]).expect("the save loads");
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let after = proc_status_kb("VmRSS");
    black_box((board.notes(), board.mindmaps()));
    let views = proc_status_kb("VmRSS");
    println!(
        "{}",
        json!({
            "save_bytes": bytes.len(),
            "load_ms": load_ms,
            "rss_before_load": before,
            "rss_after_load": after,
            "rss_after_views": views,
            "peak_rss": proc_status_kb("VmHWM"),
        })
    );
}
