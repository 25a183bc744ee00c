//! `load`: a load generator for Samskab and its peers. It runs a server as a
//! separate process, creates boards, connects N protocol clients (each its
//! own task with its own websocket and replica) that edit on a fixed
//! schedule, and measures acknowledgement latency, propagation to every
//! other client on the board, the server's CPU and memory, and whether all
//! clients converged. `load suite` runs the scenarios S1-S4 for Samskab and
//! every peer. See bench/README.md and `load --help`.
// The server's allocator (server/src/main.rs) for every system's clients
// alike: with glibc's malloc the replicas spent a tenth of the load
// generator's time in malloc, free and the copies of reallocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../load/args.rs"]
mod args;
// The board of board-bench, for the cold-start scenario.
#[allow(dead_code)]
#[path = "../build.rs"]
mod build;
#[path = "../load/client.rs"]
mod client;
#[path = "../load/conn.rs"]
mod conn;
#[path = "../load/edits.rs"]
mod edits;
#[path = "../load/mix.rs"]
mod mix;
#[path = "../load/procfs.rs"]
mod procfs;
#[path = "../load/repo.rs"]
mod repo;
#[path = "../load/report.rs"]
mod report;
#[path = "../load/scenarios.rs"]
mod scenarios;
#[path = "../load/server.rs"]
mod server;
#[path = "../load/suite.rs"]
mod suite;
#[path = "../load/systems.rs"]
mod systems;
#[path = "../load/track.rs"]
mod track;
#[path = "../load/wire.rs"]
mod wire;
#[path = "../load/yjs.rs"]
mod yjs;

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load: no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if argv.first().map(String::as_str) == Some("suite") {
        runtime.block_on(suite::main(argv[1..].to_vec()))
    } else {
        let args = args::Args::parse(argv);
        runtime.block_on(async {
            let paths = systems::Paths {
                root: args::workspace_root(),
                samskab: args.server_binary()?,
                node: "node".into(),
            };
            edits::run(&args, &paths).await.map(|(ok, _)| ok)
        })
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("load: the clients did not converge (see the table)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("load: {e:#}");
            ExitCode::FAILURE
        }
    }
}
