//! Vani: a SIP softphone in a browser tab.
//!
//! Dependencies point one way: `components` (pure UI) read [`state`] and call
//! [`phone::PhoneHandle`]; `glue` (the only code using browser APIs) runs the
//! sans-IO SIP stack `vani_sip` and writes the state. Plain logic (`dial`,
//! `model`, `reconnect`, `words`) is tested natively with `cargo test`.

pub mod app;
pub mod components;
pub mod dial;
pub mod glue;
pub mod model;
pub mod phone;
pub mod reconnect;
pub mod state;
pub mod words;

/// Starts the phone and mounts the app on the document body.
pub fn start() {
    glue::start();
}
