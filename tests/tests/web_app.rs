//! The web app's pure modules, natively. In the test command the app is
//! built for wasm32 only: a native build of it and of Leptos would add
//! about three minutes to a fresh machine. Its camera (pan, zoom, pinch,
//! zoom to fit, where a new note goes) depends on nothing else, so its own
//! unit tests compile here, from the app's source file.
#[allow(dead_code)]
#[path = "../../frontend/src/camera.rs"]
mod camera;
