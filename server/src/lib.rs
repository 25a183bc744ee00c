//! # samskab-server
//!
//! The Samskab server: the HTTP API, websocket rooms, storage and the CLI.
//! [`app`] builds the router (tests drive it without a socket) and [`serve`]
//! runs it on a listener until a shutdown future resolves, finishing pending
//! writes first.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let state = samskab_server::AppState::open(samskab_server::Config::new("./data".into()))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! samskab_server::serve(listener, state, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod export;
pub mod http;
pub mod metrics;
pub mod rooms;
pub mod saved_templates;
pub mod static_files;
pub mod storage;
pub mod workspaces;
pub mod ws;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post, put};

pub use config::Config;
use rooms::Rooms;
use storage::Storage;
use storage::sqlite::SqliteStorage;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub storage: Arc<dyn Storage>,
    pub rooms: Arc<Rooms>,
    pub metrics: Arc<metrics::Metrics>,
    pub sockets: Arc<SocketTracker>,
    next_peer: Arc<AtomicU64>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish()
    }
}

impl AppState {
    /// Opens the embedded database in the configured data directory.
    pub fn open(config: Config) -> Result<AppState, storage::StorageError> {
        let storage = Arc::new(SqliteStorage::open(&config.data_dir)?);
        Ok(AppState::with_storage(config, storage))
    }

    pub fn with_storage(config: Config, storage: Arc<dyn Storage>) -> AppState {
        let metrics = Arc::new(metrics::Metrics::default());
        let rooms = Rooms::new(storage.clone(), config.rooms.clone(), metrics.clone());
        AppState {
            config: Arc::new(config),
            storage,
            rooms,
            metrics,
            sockets: Arc::new(SocketTracker::default()),
            next_peer: Arc::new(AtomicU64::new(1)),
        }
    }

    pub fn next_peer_id(&self) -> u64 {
        self.next_peer.fetch_add(1, Ordering::Relaxed)
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(http::health))
        .route("/boards", post(http::create_board))
        .route("/boards/{id}", get(http::get_board))
        .route("/boards/{id}/links/{role}", post(http::rotate_link))
        .route(
            "/boards/import",
            post(export::import_new).layer(DefaultBodyLimit::max(export::MAX_IMPORT_BYTES)),
        )
        .route("/boards/{id}/export", get(export::export))
        .route(
            "/boards/{id}/import",
            post(export::import_merge).layer(DefaultBodyLimit::max(export::MAX_IMPORT_BYTES)),
        )
        .route("/boards/{id}/history", get(export::history_list))
        .route("/boards/{id}/restore", post(export::restore))
        .route("/boards/{id}/snapshots", post(export::create_snapshot))
        .route("/boards/{id}/workspace", get(workspaces::board_workspace))
        .route(
            "/boards/{id}/templates",
            post(saved_templates::save_template),
        )
        .route("/templates", get(saved_templates::list))
        .route("/workspaces", post(workspaces::create_workspace))
        .route("/workspaces/{id}", get(workspaces::get_workspace))
        .route(
            "/workspaces/{id}/meetings",
            post(workspaces::create_meeting),
        )
        .route("/workspaces/{id}/rotation", put(workspaces::set_rotation))
        .fallback(http::api_not_found);
    Router::new()
        .nest("/api", api)
        .route("/ws", any(ws::upgrade))
        .route("/metrics", get(http::metrics))
        .route("/s/{id}/{secret}", get(export::public_page))
        .route(
            "/s/{id}/{secret}/export/{format}",
            get(export::public_export),
        )
        .fallback(http::frontend(state.config.static_dir.as_deref()))
        .with_state(state)
}

/// Serves `app(state)` on `listener` until `shutdown` resolves; then closes
/// every room after its pending writes and waits for connections to end.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let rooms = state.rooms.clone();
    let sockets = state.sockets.clone();
    let router = app(state);
    // Sync and presence frames are small and latency-bound: send them at
    // once instead of letting Nagle's algorithm hold them for up to 40 ms.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: saving open boards");
            rooms.shutdown().await;
        })
        .await?;
    // Websocket tasks outlive hyper's connections: let them deliver the last
    // acknowledgements and the "restarting" close before the runtime stops.
    sockets.wait_idle(std::time::Duration::from_secs(5)).await;
    Ok(())
}

/// Counts live websocket tasks, so shutdown can wait for them.
#[derive(Debug, Default)]
pub struct SocketTracker {
    live: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held by a websocket task while it runs.
#[derive(Debug)]
pub struct SocketGuard(Arc<SocketTracker>);

impl SocketTracker {
    pub fn enter(self: &Arc<Self>) -> SocketGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        SocketGuard(self.clone())
    }

    /// Waits until no websocket task runs, or `limit` passes.
    pub async fn wait_idle(&self, limit: std::time::Duration) {
        let _ = tokio::time::timeout(limit, async {
            loop {
                let idle = self.idle.notified();
                if self.live.load(Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        })
        .await;
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
