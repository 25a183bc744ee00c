//! The `samskab` command line: argument parsing, logging, the runtime and
//! graceful shutdown on Ctrl-C or SIGTERM. The `samskab` binary is only
//! [`main`]; tests run the same code as a separate process.
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::{AppState, Config};

/// Samskab: a real-time collaborative idea board for citizens, politicians
/// and administrators who develop policy together.
#[derive(Debug, Parser)]
#[command(name = "samskab", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default when no command is given).
    Serve(ServeArgs),
    /// Write a board to a file: png, svg, pdf, md, csv, json or automerge.
    Export(ExportArgs),
    /// Create a new board from a `.automerge` or JSON export and print its links.
    Import(ImportArgs),
    /// Write Brotli and gzip copies of the web app's files beside them
    /// (`serve` does this itself on start; this does it ahead of time).
    Precompress(PrecompressArgs),
}

#[derive(Debug, Args, Clone)]
struct PrecompressArgs {
    /// Directory of the built web app (Trunk's output).
    #[arg(default_value = "./dist")]
    dir: PathBuf,
}

#[derive(Debug, Args, Clone)]
struct ExportArgs {
    /// The board's id (the part after /b/ in its address).
    #[arg(long)]
    board: String,
    /// png, svg, pdf, md, csv, json or automerge.
    #[arg(long)]
    format: String,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
    /// Only this frame.
    #[arg(long, conflicts_with = "mindmap")]
    frame: Option<String>,
    /// Only this mind map.
    #[arg(long)]
    mindmap: Option<String>,
    /// PDF paper: a4 or a3.
    #[arg(long, default_value = "a4")]
    paper: String,
    /// PDF orientation: portrait or landscape.
    #[arg(long, default_value = "landscape")]
    orientation: String,
    /// CSV table: notes, votes, actions or decisions.
    #[arg(long)]
    table: Option<String>,
    /// The version to export (heads, comma-separated hex), instead of the latest.
    #[arg(long)]
    at: Option<String>,
    /// Directory of the server's SQLite database.
    #[arg(long, env = "SAMSKAB_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
}

#[derive(Debug, Args, Clone)]
struct ImportArgs {
    /// A `.automerge` file or a JSON export.
    file: PathBuf,
    /// Directory of the server's SQLite database.
    #[arg(long, env = "SAMSKAB_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// The server's public address, for the printed links.
    #[arg(
        long,
        env = "SAMSKAB_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    public_url: String,
}

#[derive(Debug, Args, Clone)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SAMSKAB_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Directory for the embedded SQLite database (created if missing).
    #[arg(long, env = "SAMSKAB_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Directory of the built web app (Trunk's output) to serve.
    #[arg(long, env = "SAMSKAB_STATIC_DIR", default_value = "./dist")]
    static_dir: PathBuf,
    /// Public address of this server, used in share links
    /// (e.g. https://samskab.example.dk). Default: the request's Host header.
    #[arg(long, env = "SAMSKAB_PUBLIC_URL")]
    public_url: Option<String>,
    /// When set, creating a board needs this token (`Authorization: Bearer`);
    /// when unset, anyone who reaches the server may create boards.
    #[arg(long, env = "SAMSKAB_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Web origins besides this server's own whose pages may open board
    /// websockets (comma-separated, e.g. https://intra.kommune.dk).
    #[arg(long, env = "SAMSKAB_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// Largest websocket message accepted, in bytes.
    #[arg(long, env = "SAMSKAB_MAX_MESSAGE_BYTES", default_value_t = 4 * 1024 * 1024)]
    max_message_bytes: usize,
    /// Messages one connection may send per second (bursts of twice that).
    #[arg(long, env = "SAMSKAB_MAX_MESSAGES_PER_SEC", default_value_t = 100)]
    max_messages_per_sec: u32,
    /// Connections one board takes at once.
    #[arg(long, env = "SAMSKAB_MAX_CONNECTIONS_PER_BOARD", default_value_t = 200)]
    max_connections_per_board: usize,
    /// Stored size one board may reach, in bytes.
    #[arg(long, env = "SAMSKAB_MAX_BOARD_BYTES", default_value_t = 32 * 1024 * 1024)]
    max_board_bytes: usize,
    /// Do not write compressed copies of the web app's files on start (for a
    /// read-only static directory whose copies are made at build time with
    /// `samskab precompress`, or a proxy in front that compresses).
    #[arg(long, env = "SAMSKAB_NO_PRECOMPRESS")]
    no_precompress: bool,
    /// Log filter, e.g. `info`, `debug`, `samskab_server=debug`.
    #[arg(long, env = "SAMSKAB_LOG", default_value = "info")]
    log: String,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log).context("bad --log filter")?,
        )
        .init();
    let mut config = Config::new(args.data_dir.clone());
    config.static_dir = Some(args.static_dir.clone());
    config.public_url = args.public_url.clone();
    config.max_message_bytes = args.max_message_bytes;
    config.admin_token = args.admin_token.clone().filter(|t| !t.is_empty());
    config.allowed_origins = args
        .allowed_origins
        .iter()
        .filter(|o| !o.is_empty())
        .cloned()
        .collect();
    config.max_messages_per_sec = args.max_messages_per_sec;
    config.rooms.max_connections = args.max_connections_per_board;
    config.rooms.limits.max_doc_bytes = args.max_board_bytes;
    if !args.static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %args.static_dir.display(), "the web app is not built; only the API is served");
    } else if !args.no_precompress {
        // About a minute of one core, once per build (Zopfli is slow): the
        // files are served as they are until their copies exist.
        let dir = args.static_dir.clone();
        tokio::task::spawn_blocking(move || match crate::static_files::precompress(&dir) {
            Ok(s) if s.compressed > 0 => tracing::info!(
                files = s.compressed,
                raw_kb = s.raw_bytes / 1024,
                gzip_kb = s.gzip_bytes / 1024,
                brotli_kb = s.brotli_bytes / 1024,
                "web app compressed"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                dir = %dir.display(),
                "cannot write compressed copies of the web app (it is served uncompressed): {e}"
            ),
        });
    }
    let state = AppState::open(config)
        .with_context(|| format!("cannot open the database in {}", args.data_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    let shown = match &args.public_url {
        Some(url) => url.clone(),
        None => format!("http://{addr}"),
    };
    tracing::info!(data_dir = %args.data_dir.display(), "Samskab is running at {shown}");
    println!("Samskab is running at {shown}");
    crate::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn precompress(dir: &std::path::Path) -> anyhow::Result<()> {
    let s = crate::static_files::precompress(dir)
        .with_context(|| format!("cannot compress the files in {}", dir.display()))?;
    println!(
        "{} files compressed ({} KB: {} KB gzip, {} KB Brotli), {} already up to date",
        s.compressed,
        s.raw_bytes / 1024,
        s.gzip_bytes / 1024,
        s.brotli_bytes / 1024,
        s.fresh
    );
    Ok(())
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let state = AppState::open(Config::new(args.data_dir.clone()))
        .with_context(|| format!("cannot open the database in {}", args.data_dir.display()))?;
    let mut q = std::collections::HashMap::new();
    q.insert("format".to_string(), args.format.clone());
    q.insert("paper".to_string(), args.paper.clone());
    q.insert("orientation".to_string(), args.orientation.clone());
    if let Some(f) = &args.frame {
        q.insert("frame".to_string(), f.clone());
    }
    if let Some(m) = &args.mindmap {
        q.insert("mindmap".to_string(), m.clone());
    }
    if let Some(t) = &args.table {
        q.insert("table".to_string(), t.clone());
    }
    let (format, opts) = crate::export::options_from(&q).map_err(anyhow::Error::msg)?;
    let board = crate::export::load_stored(state.storage.as_ref(), &args.board)
        .await
        .map_err(|e| match e {
            crate::error::AppError::BoardNotFound => {
                anyhow::anyhow!(
                    "there is no board {} in {}",
                    args.board,
                    args.data_dir.display()
                )
            }
            other => anyhow::anyhow!("{other}"),
        })?;
    let (bytes, _) = crate::export::render(board, format, opts, args.at.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("{} bytes written to {}", bytes.len(), args.out.display());
    Ok(())
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut config = Config::new(args.data_dir.clone());
    config.public_url = Some(args.public_url.clone());
    let state = AppState::open(config)
        .with_context(|| format!("cannot open the database in {}", args.data_dir.display()))?;
    let board = tokio::task::spawn_blocking(move || {
        samskab_export::json::import_any(&bytes, &rand::random::<[u8; 16]>(), crate::http::now_ms())
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let base = args.public_url.trim_end_matches('/').to_string();
    let (id, title, links) = crate::export::create_from(&state, board, &base)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Imported board {id} ({title:?})");
    for (role, link) in links {
        println!("{role}: {}", link.as_str().unwrap_or_default());
    }
    Ok(())
}

/// Threads for blocking work: SQLite, exports, and each room's Automerge
/// work (`rooms::heavy`, which hands its worker to a new thread while it
/// runs). Tokio allows 512. With 200 busy boards the server kept from about
/// 250 to 516 threads, about 2 MB of memory each once used, for no more
/// throughput than the cores give (bench S2: up to 1,060 MB peak, 119 MB
/// with the cap). Eight per core, at least 16, unless
/// `SAMSKAB_BLOCKING_THREADS` says otherwise.
fn blocking_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    blocking_threads_for(
        std::env::var("SAMSKAB_BLOCKING_THREADS").ok().as_deref(),
        cores,
    )
}

/// [`blocking_threads`] for a setting and a number of cores; a setting
/// that is not a positive number is ignored.
fn blocking_threads_for(setting: Option<&str>, cores: usize) -> usize {
    setting
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or((8 * cores).max(16))
}

/// Parses the command line and runs it: what the `samskab` binary does.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads())
        .build()
        .context("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
        Some(Command::Export(args)) => runtime.block_on(export(args)),
        Some(Command::Import(args)) => runtime.block_on(import(args)),
        Some(Command::Precompress(args)) => precompress(&args.dir),
        None => runtime.block_on(serve(cli.serve)),
    }
}

#[cfg(test)]
mod tests {
    use super::blocking_threads_for;

    #[test]
    fn blocking_threads_are_eight_per_core_at_least_16_unless_set() {
        assert_eq!(blocking_threads_for(None, 1), 16);
        assert_eq!(blocking_threads_for(None, 2), 16);
        assert_eq!(blocking_threads_for(None, 4), 32);
        assert_eq!(blocking_threads_for(Some("64"), 2), 64);
        assert_eq!(blocking_threads_for(Some(" 8 "), 2), 8);
        // Not a positive number: the default, not a runtime that cannot
        // run blocking work at all.
        assert_eq!(blocking_threads_for(Some("0"), 2), 16);
        assert_eq!(blocking_threads_for(Some("many"), 2), 16);
    }
}
