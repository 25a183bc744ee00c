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
    /// Largest websocket message (and frame) accepted, in bytes.
    pub max_message_bytes: usize,
    pub rooms: RoomConfig,
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            static_dir: None,
            public_url: None,
            max_message_bytes: 4 * 1024 * 1024,
            rooms: RoomConfig::default(),
        }
    }
}
