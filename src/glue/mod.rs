//! Browser glue: the only module tree that touches browser APIs (WebSocket,
//! WebRTC, WebAudio, storage, clock). It runs the stack and feeds
//! [`crate::state::PhoneState`].

pub mod audio;
pub mod clock;
pub mod driver;
pub mod logger;
pub mod media;
pub mod storage;
pub mod ws;

use std::rc::Rc;

use leptos::prelude::*;

use crate::app::App;
use crate::phone::PhoneHandle;
use crate::state::PhoneState;
use driver::{Driver, with_driver};

/// Loads the saved account, starts the driver and mounts the app.
pub fn start() {
    logger::install();
    let account = storage::load_account();
    let password = storage::load_session_password();
    let state = PhoneState::new(account.clone());
    let driver = Driver::new(state);
    let weak = Rc::downgrade(&driver);
    let handle = PhoneHandle::new(move |command| with_driver(&weak, move |d| d.command(command)));
    driver.borrow_mut().boot(account, password);
    // The driver lives as long as the page: the mounted app's handle owns it.
    let keep = StoredValue::new_local(driver);
    leptos::mount::mount_to_body(move || {
        let _ = keep;
        provide_context(state);
        provide_context(handle);
        view! { <App /> }
    });
}
