//! The application state in one place: a `Copy` bundle of signals holding
//! plain data from [`crate::model`]. Components read it from context; only the
//! driver in `glue` writes what the stack reports.

use leptos::prelude::*;
use vani_sip::ua::CallHandle;

use crate::model::{Account, CallView, Incoming, Registration};

/// Every signal the UI reads.
#[derive(Clone, Copy)]
pub struct PhoneState {
    /// The saved account, `None` on first run.
    pub account: RwSignal<Option<Account>>,
    /// The account form is open (first run, or "Edit account").
    pub editing_account: RwSignal<bool>,
    /// Connection and registration, as the status bar tells it.
    pub registration: RwSignal<Registration>,
    /// Calls on screen, in the order they started.
    pub calls: RwSignal<Vec<CallView>>,
    /// A call ringing for us.
    pub incoming: RwSignal<Option<Incoming>>,
    /// The latest problem, in plain words.
    pub error: RwSignal<Option<String>>,
    /// A passing note that is not an error ("Camera unavailable: audio only").
    pub notice: RwSignal<Option<String>>,
    /// The browser blocks sound until someone clicks.
    pub sound_blocked: RwSignal<bool>,
    /// Page clock in ms, ticking for durations and countdowns.
    pub now_ms: RwSignal<f64>,
}

impl PhoneState {
    /// Fresh state with `account` (from storage, if any).
    pub fn new(account: Option<Account>) -> Self {
        let first_run = account.is_none();
        PhoneState {
            account: RwSignal::new(account),
            editing_account: RwSignal::new(first_run),
            registration: RwSignal::new(Registration::Unregistered),
            calls: RwSignal::new(Vec::new()),
            incoming: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            sound_blocked: RwSignal::new(false),
            now_ms: RwSignal::new(0.0),
        }
    }

    /// Changes the call `handle` in place, if it is on screen.
    pub fn update_call(&self, handle: CallHandle, change: impl FnOnce(&mut CallView)) {
        self.calls.update(|calls| {
            if let Some(call) = calls.iter_mut().find(|c| c.handle == handle) {
                change(call);
            }
        });
    }

    /// A copy of the call `handle`, untracked.
    pub fn call(&self, handle: CallHandle) -> Option<CallView> {
        self.calls
            .with_untracked(|calls| calls.iter().find(|c| c.handle == handle).cloned())
    }

    /// Takes the call `handle` off the screen.
    pub fn remove_call(&self, handle: CallHandle) {
        self.calls
            .update(|calls| calls.retain(|c| c.handle != handle));
    }

    /// Shows a problem in plain words.
    pub fn show_error(&self, words: impl Into<String>) {
        self.error.set(Some(words.into()));
    }
}
