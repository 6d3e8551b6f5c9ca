//! Vani: a SIP softphone in a browser tab.
//!
//! `app` holds the Leptos components; `glue` (added with the browser
//! transport) is the only place that touches browser APIs.

pub mod app;

/// Mounts the app on the document body.
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
