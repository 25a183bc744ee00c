//! The shared harness for Samskab's workspace tests: a real server on port 0
//! ([`TestServer`]), a protocol client built on `samskab-protocol`
//! ([`WsClient`]) and a headless Chromium driver ([`browser`]).

pub mod browser;
mod client;
pub mod gate;
pub mod pages;
pub mod process;
mod server;
pub mod toolbar;

pub use client::{WsClient, WsItem, arrived, converge};
pub use server::{Created, TestServer};

/// A random id for notes and participants, like the browser makes.
pub fn random_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
