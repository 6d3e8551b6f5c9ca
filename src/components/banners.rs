//! Problems and notes in plain words, and the "enable sound" prompt.

use leptos::prelude::*;

use super::{phone_handle, phone_state};

#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = phone_state();
    view! {
        <Show when=move || state.error.with(Option::is_some)>
            <div class="banner banner-error" role="alert" data-testid="error-message">
                <span class="banner-text">{move || state.error.get().unwrap_or_default()}</span>
                <button
                    type="button"
                    class="banner-close"
                    aria-label="Dismiss"
                    data-testid="error-dismiss"
                    on:click=move |_| state.error.set(None)
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn NoticeBanner() -> impl IntoView {
    let state = phone_state();
    view! {
        <Show when=move || state.notice.with(Option::is_some)>
            <div class="banner banner-notice" role="status" data-testid="notice">
                <span class="banner-text">{move || state.notice.get().unwrap_or_default()}</span>
                <button
                    type="button"
                    class="banner-close"
                    aria-label="Dismiss"
                    on:click=move |_| state.notice.set(None)
                >
                    "×"
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn SoundPrompt() -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    view! {
        <Show when=move || state.sound_blocked.get()>
            <div class="banner banner-sound" role="alert">
                <span class="banner-text">
                    "Your browser is keeping Vani quiet until you click. You would not hear calls ring."
                </span>
                <button
                    type="button"
                    class="btn btn-primary btn-small"
                    data-testid="enable-sound"
                    on:click=move |_| phone.enable_sound()
                >
                    "Enable sound"
                </button>
            </div>
        </Show>
    }
}
