//! The application shell: header with the status bar, then the account form
//! on first run, or the ringing call, the calls and the dial pad.

use leptos::prelude::*;

use crate::components::{
    AccountForm, CallPanel, DialPad, ErrorBanner, IncomingPanel, NoticeBanner, SoundPrompt,
    StatusBar,
};
use crate::phone::PhoneHandle;
use crate::state::PhoneState;

/// The product name shown in the header and the page title.
pub const PRODUCT_NAME: &str = "Vani";

/// The whole page. Uses the [`PhoneState`] and [`PhoneHandle`] in context;
/// without them (a bare mount) it shows an empty phone that does nothing.
#[component]
pub fn App() -> impl IntoView {
    let state = use_context::<PhoneState>().unwrap_or_else(|| {
        let state = PhoneState::new(None);
        provide_context(state);
        provide_context(PhoneHandle::new(|_| {}));
        state
    });
    let editing = move || state.editing_account.get();
    let idle = move || state.calls.with(Vec::is_empty) && state.incoming.with(Option::is_none);
    view! {
        <main class="shell" data-testid="app-shell">
            <header class="shell-header">
                <div class="brand">
                    <h1 data-testid="app-title">{PRODUCT_NAME}</h1>
                    <span class="tagline">"Calls from a browser tab"</span>
                </div>
                <Show when=move || state.account.with(Option::is_some)>
                    <StatusBar />
                </Show>
            </header>
            <SoundPrompt />
            <ErrorBanner />
            <NoticeBanner />
            <Show
                when=editing
                fallback=move || {
                    view! {
                        <IncomingPanel />
                        <div class="calls">
                            <For
                                each=move || state.calls.with(|c| c.iter().map(|c| c.handle).collect::<Vec<_>>())
                                key=|handle| handle.0
                                children=move |handle| view! { <CallPanel handle=handle /> }
                            />
                        </div>
                        <Show when=idle>
                            <DialPad />
                        </Show>
                    }
                }
            >
                <AccountForm />
            </Show>
        </main>
    }
}
