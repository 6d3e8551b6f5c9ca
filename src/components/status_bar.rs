//! Registration state, the account in use, and the reason when it fails.

use leptos::prelude::*;

use super::{phone_handle, phone_state};
use crate::model::Registration;

#[component]
pub fn StatusBar() -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    let data_state = move || state.registration.with(|r| r.data_state());
    let text = move || {
        let now = state.now_ms.get();
        state.registration.with(|r| r.describe(now))
    };
    let retrying = move || {
        state
            .registration
            .with(|r| matches!(r, Registration::Retrying { .. }))
    };
    let who = move || {
        state
            .account
            .with(|a| a.as_ref().map(|a| a.aor()).unwrap_or_default())
    };
    view! {
        <div class="status-bar" role="status" aria-live="polite">
            <span class="status-dot" data-state=data_state aria-hidden="true"></span>
            <div class="status-text">
                <span class="status-line" data-testid="registration-status" data-state=data_state>
                    {text}
                </span>
                <span class="status-account" data-testid="account-aor">{who}</span>
            </div>
            <Show when=retrying>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="retry-now"
                    on:click=move |_| phone.retry_now()
                >
                    "Retry now"
                </button>
            </Show>
            <Show when=move || state.account.with(Option::is_some) && !state.editing_account.get()>
                <button
                    type="button"
                    class="btn btn-small btn-quiet"
                    data-testid="account-edit"
                    on:click=move |_| phone.edit_account()
                >
                    "Account"
                </button>
            </Show>
        </div>
    }
}
