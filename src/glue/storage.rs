//! What the phone remembers between visits.
//!
//! The account (servers, address, names, settings) lives in `localStorage`.
//! The password does NOT: it is kept in memory by the driver and, so that a
//! reload of the same tab can sign in again, in `sessionStorage`, which the
//! browser clears when the tab closes. It is never written to
//! `localStorage` and never logged.

use crate::model::Account;

const ACCOUNT_KEY: &str = "vani.account";
const PASSWORD_KEY: &str = "vani.session-password";
const INSTANCE_KEY: &str = "vani.instance-id";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved account, if any (an unreadable one counts as none).
pub fn load_account() -> Option<Account> {
    let text = local()?.get_item(ACCOUNT_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Saves the account (which has no password field) in `localStorage`.
pub fn save_account(account: &Account) -> bool {
    let Ok(text) = serde_json::to_string(account) else {
        return false;
    };
    local().is_some_and(|s| s.set_item(ACCOUNT_KEY, &text).is_ok())
}

/// The password of this tab's session, if the tab was reloaded.
pub fn load_session_password() -> Option<String> {
    session()?
        .get_item(PASSWORD_KEY)
        .ok()
        .flatten()
        .filter(|p| !p.is_empty())
}

/// Keeps the password for this tab only (`sessionStorage`).
pub fn save_session_password(password: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(PASSWORD_KEY, password);
    }
}

/// A stable per-browser UUID for RFC 5626 `+sip.instance`, made once.
pub fn instance_id(seed: &[u8; 32]) -> String {
    if let Some(id) = local().and_then(|s| s.get_item(INSTANCE_KEY).ok().flatten()) {
        return id;
    }
    let id = uuid_from(seed);
    if let Some(s) = local() {
        let _ = s.set_item(INSTANCE_KEY, &id);
    }
    id
}

/// A version-4 UUID from 16 random bytes (RFC 4122 §4.4).
fn uuid_from(seed: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    for (dst, src) in b.iter_mut().zip(seed.iter().rev()) {
        *dst = *src;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
