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

/// Parses the command line and runs it: what the `samskab` binary does.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(serve(args))
}
