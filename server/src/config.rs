//! Server settings. Every field has a command-line flag and an environment
//! variable (see `samskab --help`); [`Config::for_tests`] gives the defaults
//! with a temporary data directory.
use std::path::PathBuf;

use crate::rooms::RoomConfig;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the SQLite database lives.
    pub data_dir: PathBuf,
    /// The built frontend (Trunk's `dist`), if it should be served.
    pub static_dir: Option<PathBuf>,
    /// The address people reach the server at, for share links. `None`: use
    /// the request's Host header.
    pub public_url: Option<String>,
    /// When set, creating a board needs `Authorization: Bearer <token>`;
    /// when unset, anyone who reaches the server may create boards.
    pub admin_token: Option<String>,
    /// Largest websocket message (and frame) accepted, in bytes.
    pub max_message_bytes: usize,
    /// Messages a connection may send per second (bursts of twice that).
    pub max_messages_per_sec: u32,
    /// Web pages (origins, e.g. `https://intra.kommune.dk`) besides this
    /// server's own that may open board sockets.
    pub allowed_origins: Vec<String>,
    pub rooms: RoomConfig,
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            static_dir: None,
            public_url: None,
            admin_token: None,
            max_message_bytes: 4 * 1024 * 1024,
            max_messages_per_sec: 100,
            allowed_origins: Vec::new(),
            rooms: RoomConfig::default(),
        }
    }
}
