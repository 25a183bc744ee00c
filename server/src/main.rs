//! `samskab`: the Samskab server and its command line.
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use samskab_server::{AppState, Config};

/// Samskab: a real-time collaborative idea board for citizens, politicians
/// and administrators who develop policy together.
#[derive(Debug, Parser)]
#[command(name = "samskab", version, about, long_about = None)]
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
    /// Largest websocket message accepted, in bytes.
    #[arg(long, env = "SAMSKAB_MAX_MESSAGE_BYTES", default_value_t = 4 * 1024 * 1024)]
    max_message_bytes: usize,
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
    samskab_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Serve(args)) => serve(args).await,
        None => serve(cli.serve).await,
    }
}
