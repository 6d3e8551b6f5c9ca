//! The account form, shown on first run and from "Account".

use leptos::prelude::*;

use super::{phone_handle, phone_state};
use crate::model::{Account, DtmfMode};

#[component]
pub fn AccountForm() -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    let start = state.account.get_untracked().unwrap_or_else(|| Account {
        ice_cutoff_ms: 500,
        ..Account::default()
    });
    let servers = RwSignal::new(start.servers.clone());
    let uri = RwSignal::new(start.uri.clone());
    let auth_user = RwSignal::new(start.auth_user.clone());
    let password = RwSignal::new(String::new());
    let display_name = RwSignal::new(start.display_name.clone());
    let dtmf_info = RwSignal::new(start.dtmf == DtmfMode::Info);
    let ice_servers = RwSignal::new(start.ice_servers.clone());
    let ice_cutoff = RwSignal::new(start.ice_cutoff_ms.to_string());
    let problem = RwSignal::new(None::<String>);
    let has_account = start
        != Account {
            ice_cutoff_ms: 500,
            ..Account::default()
        };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let account = Account {
            servers: servers.get_untracked().trim().to_owned(),
            uri: uri.get_untracked().trim().to_owned(),
            auth_user: auth_user.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked().trim().to_owned(),
            dtmf: if dtmf_info.get_untracked() {
                DtmfMode::Info
            } else {
                DtmfMode::Rfc4733
            },
            ice_servers: ice_servers.get_untracked().trim().to_owned(),
            ice_cutoff_ms: ice_cutoff
                .get_untracked()
                .trim()
                .parse()
                .unwrap_or(500)
                .clamp(0, 10_000),
        };
        let pass = password.get_untracked();
        match account.validate(&pass) {
            Ok(()) => {
                problem.set(None);
                phone.save_account(account, pass);
            }
            Err(words) => problem.set(Some(words)),
        }
    };

    view! {
        <form class="card account-form" on:submit=submit novalidate=true>
            <h2 class="card-title">{if has_account { "Your account" } else { "Sign in to your phone system" }}</h2>
            <p class="card-hint">
                "Your provider or IT team gives you these. The password stays in this tab only; it is never saved on this computer."
            </p>
            <label class="field">
                <span class="field-label">"Server (WebSocket address)"</span>
                <input
                    type="text"
                    inputmode="url"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="wss://sip.example.com/ws"
                    data-testid="account-server"
                    prop:value=move || servers.get()
                    on:input=move |ev| servers.set(event_target_value(&ev))
                />
                <span class="field-help">"Several? Separate them with commas; they are tried in order."</span>
            </label>
            <label class="field">
                <span class="field-label">"SIP address"</span>
                <input
                    type="text"
                    autocomplete="username"
                    spellcheck="false"
                    placeholder="1001@example.com"
                    data-testid="account-uri"
                    prop:value=move || uri.get()
                    on:input=move |ev| uri.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field-label">"Authorisation user " <span class="optional">"(optional)"</span></span>
                <input
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Same as the SIP address user"
                    data-testid="account-user"
                    prop:value=move || auth_user.get()
                    on:input=move |ev| auth_user.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field-label">"Password"</span>
                <input
                    type="password"
                    autocomplete="current-password"
                    data-testid="account-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span class="field-label">"Your name " <span class="optional">"(shown to people you call)"</span></span>
                <input
                    type="text"
                    autocomplete="name"
                    placeholder="Alex Example"
                    data-testid="account-name"
                    prop:value=move || display_name.get()
                    on:input=move |ev| display_name.set(event_target_value(&ev))
                />
            </label>
            <details class="advanced">
                <summary>"Advanced"</summary>
                <label class="field field-check">
                    <input
                        type="checkbox"
                        data-testid="account-dtmf-info"
                        prop:checked=move || dtmf_info.get()
                        on:change=move |ev| dtmf_info.set(event_target_checked(&ev))
                    />
                    <span>"Send keypad tones as SIP INFO (for systems that do not take RFC 4733)"</span>
                </label>
                <label class="field">
                    <span class="field-label">"STUN/TURN servers"</span>
                    <textarea
                        rows="2"
                        spellcheck="false"
                        placeholder="stun:stun.example.com:3478"
                        data-testid="account-ice"
                        prop:value=move || ice_servers.get()
                        on:input=move |ev| ice_servers.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <label class="field">
                    <span class="field-label">"Wait for network candidates (ms)"</span>
                    <input
                        type="number"
                        min="0"
                        max="10000"
                        step="50"
                        data-testid="account-ice-cutoff"
                        prop:value=move || ice_cutoff.get()
                        on:input=move |ev| ice_cutoff.set(event_target_value(&ev))
                    />
                </label>
            </details>
            <Show when=move || problem.with(Option::is_some)>
                <p class="form-problem" role="alert" data-testid="account-problem">
                    {move || problem.get().unwrap_or_default()}
                </p>
            </Show>
            <div class="form-actions">
                <Show when=move || state.account.with(Option::is_some)>
                    <button
                        type="button"
                        class="btn btn-quiet"
                        data-testid="account-cancel"
                        on:click=move |_| state.editing_account.set(false)
                    >
                        "Cancel"
                    </button>
                </Show>
                <button type="submit" class="btn btn-primary" data-testid="account-save">
                    "Save and sign in"
                </button>
            </div>
        </form>
    }
}
