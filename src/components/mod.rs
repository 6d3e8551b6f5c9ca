//! The calling UI: small components that read [`PhoneState`] and call a
//! [`PhoneHandle`], both from context (STYLE.md §8). No browser API is
//! imported here; `glue` does that.
//!
//! Every control carries a stable `data-testid` (the README lists them).

mod account_form;
mod banners;
mod call_panel;
mod dial_pad;
mod incoming;
mod keypad;
mod status_bar;

pub use account_form::AccountForm;
pub use banners::{ErrorBanner, NoticeBanner, SoundPrompt};
pub use call_panel::CallPanel;
pub use dial_pad::DialPad;
pub use incoming::IncomingPanel;
pub use keypad::{KEYS, Keypad, key_testid};
pub use status_bar::StatusBar;

use leptos::prelude::*;

use crate::phone::PhoneHandle;
use crate::state::PhoneState;

/// The state from context. Components are only mounted under `App`, which
/// provides it.
pub(crate) fn phone_state() -> PhoneState {
    use_context::<PhoneState>().unwrap_or_else(|| PhoneState::new(None))
}

/// The phone handle from context (a handle that does nothing if absent).
pub(crate) fn phone_handle() -> PhoneHandle {
    use_context::<PhoneHandle>().unwrap_or_else(|| PhoneHandle::new(|_| {}))
}
