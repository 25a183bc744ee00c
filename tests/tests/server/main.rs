//! Tier 2: the real server on port 0 (or as a separate process), driven by
//! real websocket and HTTP clients. One test binary for all of them, so a
//! fresh build links the server and its dependencies once, not six times.
mod crash;
mod export;
mod export_cli;
mod export_outcomes;
mod facilitation;
mod limits;
mod links;
mod series;
mod sync;
mod templates;
mod web_app;
