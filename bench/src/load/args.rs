//! The load generator's command line: presets and flags.
use std::path::PathBuf;

/// What one run offers the server.
#[derive(Debug, Clone)]
pub struct Args {
    /// All clients together, spread round-robin over the boards.
    pub clients: usize,
    pub boards: usize,
    /// Edits per second made by each client.
    pub rate: f64,
    /// How long the clients keep editing.
    pub seconds: f64,
    /// The server binary (`samskab serve`); `None`: `samskab-under-test`
    /// next to this executable.
    pub server: Option<PathBuf>,
    /// Where the server keeps its database; `None`: a fresh temporary
    /// directory (on the same disk as `/tmp`).
    pub data_dir: Option<PathBuf>,
    /// How long to wait after the last edit for acknowledgements and
    /// convergence.
    pub drain_seconds: f64,
    /// Seed of the edit mix (client `i` uses `seed + i`).
    pub seed: u64,
    /// The system under test.
    pub system: crate::systems::System,
    /// `quick`, `s1`, `s2` or `custom`: names the result files.
    pub label: String,
    /// Whether to write `load-<label>.json` and `.md` (not in a suite run,
    /// which writes one summary).
    pub write: bool,
    /// Where the result files go.
    pub out_dir: PathBuf,
}

pub const USAGE: &str = "\
usage: load [--size quick|s1|s2] [--system NAME] [--clients N] [--boards B] [--rate E]
            [--seconds T] [--server PATH] [--data-dir DIR] [--drain S] [--seed X] [--out DIR]
       load suite [--size quick|full] [--systems a,b,..] [--scenarios s1,s2,s3,s4] [--out DIR]

  --size quick   6 clients, 1 board, 4 edits/s each, 3 s (a smoke run; the
                 results go to target/bench-results/)
  --size s1      50 clients, 1 board, 6 edits/s each, 120 s (issue #4)
  --size s2      2,000 clients on 200 boards, one edit per 5 s each, 60 s
  --system NAME  samskab (default), automerge-repo, sync-server, samod or yjs
                 (the peers of bench/RESULTS.md; scripts/bench installs them)
  --clients N    clients in all, spread round-robin over the boards
  --boards B     boards
  --rate E       edits per second made by each client (open loop)
  --seconds T    how long the clients edit
  --server PATH  the server binary (default: samskab-under-test next to this
                 executable; build it with
                 cargo build --release -p samskab-tests --bin samskab-under-test)
  --data-dir DIR the server's data directory (default: a fresh temporary one)
  --drain S      seconds to wait for acknowledgements and convergence (30)
  --seed X       seed of the edit mix (default 1)
  --out DIR      where to write load-<label>.json and .md
                 (default bench/results, or target/bench-results for quick)

Flags after --size override the preset; the results are then labelled custom.
`load suite` runs the scenarios S1-S4 for every system and writes
peers-<size>.json and .md (see bench/README.md); scripts/bench runs it.";

fn usage(problem: &str) -> ! {
    eprintln!("load: {problem}\n\n{USAGE}");
    std::process::exit(2)
}

fn bad_value(flag: &str, value: &str) -> ! {
    usage(&format!("bad value for {flag}: {value:?}"))
}

fn preset(name: &str) -> Option<(usize, usize, f64, f64)> {
    match name {
        "quick" => Some((6, 1, 4.0, 3.0)),
        "s1" => Some((50, 1, 6.0, 120.0)),
        "s2" => Some((2000, 200, 0.2, 60.0)),
        _ => None,
    }
}

/// The workspace root (bench's parent), for the default output folders.
pub fn workspace_root() -> PathBuf {
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    bench.parent().map(PathBuf::from).unwrap_or(bench)
}

impl Args {
    pub fn parse(argv: impl IntoIterator<Item = String>) -> Args {
        let argv: Vec<String> = argv.into_iter().collect();
        let mut size = "quick".to_string();
        let mut custom = false;
        let mut overrides: Vec<(String, String)> = Vec::new();
        let mut i = 0;
        while i < argv.len() {
            let arg = &argv[i];
            if arg == "-h" || arg == "--help" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let (flag, value) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), v.to_string()),
                _ => {
                    let v = argv
                        .get(i + 1)
                        .cloned()
                        .unwrap_or_else(|| usage(&format!("{arg} needs a value")));
                    i += 1;
                    (arg.clone(), v)
                }
            };
            i += 1;
            if flag == "--size" {
                size = value;
            } else {
                overrides.push((flag, value));
            }
        }
        let (clients, boards, rate, seconds) =
            preset(&size).unwrap_or_else(|| usage(&format!("unknown size {size:?}")));
        let mut args = Args {
            clients,
            boards,
            rate,
            seconds,
            server: None,
            data_dir: None,
            drain_seconds: 30.0,
            seed: 1,
            system: crate::systems::System::Samskab,
            label: size.clone(),
            write: true,
            out_dir: PathBuf::new(),
        };
        let mut out_dir = None;
        for (flag, value) in overrides {
            match flag.as_str() {
                "--clients" => {
                    args.clients = value.parse().unwrap_or_else(|_| bad_value(&flag, &value));
                    custom = true;
                }
                "--boards" => {
                    args.boards = value.parse().unwrap_or_else(|_| bad_value(&flag, &value));
                    custom = true;
                }
                "--rate" => {
                    args.rate = value.parse().unwrap_or_else(|_| bad_value(&flag, &value));
                    custom = true;
                }
                "--seconds" => {
                    args.seconds = value.parse().unwrap_or_else(|_| bad_value(&flag, &value));
                    custom = true;
                }
                "--server" => args.server = Some(PathBuf::from(value)),
                "--system" => {
                    args.system = crate::systems::System::parse(&value)
                        .unwrap_or_else(|| bad_value(&flag, &value))
                }
                "--data-dir" => args.data_dir = Some(PathBuf::from(value)),
                "--drain" => {
                    args.drain_seconds = value.parse().unwrap_or_else(|_| bad_value(&flag, &value))
                }
                "--seed" => args.seed = value.parse().unwrap_or_else(|_| bad_value(&flag, &value)),
                "--out" => out_dir = Some(PathBuf::from(value)),
                _ => usage(&format!("unknown flag {flag}")),
            }
        }
        if args.clients == 0 || args.boards == 0 || args.boards > args.clients {
            usage("need at least one client per board");
        }
        if !(args.rate > 0.0 && args.seconds > 0.0 && args.drain_seconds >= 0.0) {
            usage("--rate and --seconds must be positive");
        }
        if custom {
            args.label = "custom".into();
        }
        args.out_dir = out_dir.unwrap_or_else(|| {
            if args.label == "quick" {
                workspace_root().join("target").join("bench-results")
            } else {
                workspace_root().join("bench").join("results")
            }
        });
        args
    }

    /// Edits each client makes: one every 1/rate seconds for `seconds`.
    pub fn edits_per_client(&self) -> u64 {
        (self.rate * self.seconds).round() as u64
    }

    /// The server binary to run, or an error saying how to build it.
    pub fn server_binary(&self) -> anyhow::Result<PathBuf> {
        let path = match &self.server {
            Some(p) => p.clone(),
            None => {
                let me = std::env::current_exe()?;
                let dir = me
                    .parent()
                    .ok_or_else(|| anyhow::anyhow!("no folder for {}", me.display()))?;
                dir.join("samskab-under-test")
            }
        };
        if !path.is_file() {
            let profile = if cfg!(debug_assertions) {
                ""
            } else {
                " --release"
            };
            anyhow::bail!(
                "no server binary at {}: build it with\n  cargo build{profile} -p samskab-tests --bin samskab-under-test\nor pass --server PATH",
                path.display()
            );
        }
        Ok(path)
    }
}
