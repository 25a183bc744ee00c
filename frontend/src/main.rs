//! Samskab's browser app: Leptos (client-side rendering), built with Trunk.
//! It talks to the server only through `samskab-protocol` and edits boards
//! only through `samskab-board`.
mod api;
mod app;
mod boards;
mod camera;
mod components;
mod controller;
mod export_api;
mod i18n;
mod local_export;
mod platform;
mod private_queue;
mod series;
mod store;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
