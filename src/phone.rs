//! What the UI can ask the phone to do: plain [`Command`] values, sent
//! through a [`PhoneHandle`] that components take from context. The browser
//! driver executes them; tests can record them.

use std::rc::Rc;

use leptos::html::Video;
use leptos::prelude::*;
use vani_sip::ua::CallHandle;

use crate::model::Account;

/// Which video tile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VideoSlot {
    /// Our camera preview.
    Local,
    /// The other side.
    Remote,
}

/// Something a person asked for.
#[derive(Clone, Debug)]
pub enum Command {
    /// Save the account and (re)connect. The password stays in memory.
    SaveAccount { account: Account, password: String },
    /// Open the account form.
    EditAccount,
    /// Call `target` (already a SIP URI).
    Call { target: String, video: bool },
    /// Answer the ringing call.
    Answer { call: CallHandle, video: bool },
    /// Decline the ringing call.
    Decline { call: CallHandle },
    /// End a call in any state.
    Hangup { call: CallHandle },
    /// Mute or unmute the microphone.
    ToggleMute { call: CallHandle },
    /// Hold or resume.
    ToggleHold { call: CallHandle },
    /// Turn the camera off or on.
    ToggleCamera { call: CallHandle },
    /// Send a DTMF digit in a call.
    Dtmf { call: CallHandle, digit: char },
    /// Play key feedback for a dial-pad key outside a call.
    KeyTone { digit: char },
    /// Resume audio after the browser blocked autoplay.
    EnableSound,
    /// Reconnect now instead of waiting for the countdown.
    RetryNow,
    /// A video element for `call` is on screen.
    BindVideo {
        call: CallHandle,
        slot: VideoSlot,
        node: NodeRef<Video>,
    },
}

/// The UI's way to the phone: cheap to copy, held in context.
#[derive(Clone, Copy)]
pub struct PhoneHandle {
    dispatch: StoredValue<Rc<dyn Fn(Command)>, LocalStorage>,
}

impl PhoneHandle {
    /// A handle that passes every command to `dispatch`.
    pub fn new(dispatch: impl Fn(Command) + 'static) -> Self {
        PhoneHandle {
            dispatch: StoredValue::new_local(Rc::new(dispatch)),
        }
    }

    /// Sends `command`.
    pub fn send(&self, command: Command) {
        if let Some(dispatch) = self.dispatch.try_get_value() {
            dispatch(command);
        }
    }

    pub fn save_account(&self, account: Account, password: String) {
        self.send(Command::SaveAccount { account, password });
    }
    pub fn edit_account(&self) {
        self.send(Command::EditAccount);
    }
    pub fn call(&self, target: String, video: bool) {
        self.send(Command::Call { target, video });
    }
    pub fn answer(&self, call: CallHandle, video: bool) {
        self.send(Command::Answer { call, video });
    }
    pub fn decline(&self, call: CallHandle) {
        self.send(Command::Decline { call });
    }
    pub fn hangup(&self, call: CallHandle) {
        self.send(Command::Hangup { call });
    }
    pub fn toggle_mute(&self, call: CallHandle) {
        self.send(Command::ToggleMute { call });
    }
    pub fn toggle_hold(&self, call: CallHandle) {
        self.send(Command::ToggleHold { call });
    }
    pub fn toggle_camera(&self, call: CallHandle) {
        self.send(Command::ToggleCamera { call });
    }
    pub fn dtmf(&self, call: CallHandle, digit: char) {
        self.send(Command::Dtmf { call, digit });
    }
    pub fn key_tone(&self, digit: char) {
        self.send(Command::KeyTone { digit });
    }
    pub fn enable_sound(&self) {
        self.send(Command::EnableSound);
    }
    pub fn retry_now(&self) {
        self.send(Command::RetryNow);
    }
    pub fn bind_video(&self, call: CallHandle, slot: VideoSlot, node: NodeRef<Video>) {
        self.send(Command::BindVideo { call, slot, node });
    }
}
