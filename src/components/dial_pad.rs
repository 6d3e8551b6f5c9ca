//! The dial pad: a text field that takes typed or pasted numbers and SIP
//! addresses, twelve keys, and audio and video call buttons.

use leptos::prelude::*;

use super::{Keypad, phone_handle, phone_state};
use crate::dial::normalize_dial;
use crate::model::Registration;

#[component]
pub fn DialPad() -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let domain = move || {
        state
            .account
            .with(|a| a.as_ref().map(|a| a.domain()).unwrap_or_default())
    };
    let target = move || normalize_dial(&text.get(), &domain());
    let ready = move || state.registration.with(|r| *r == Registration::Registered);

    let dial = move |video: bool| match normalize_dial(&text.get_untracked(), &domain()) {
        Ok(uri) => {
            problem.set(None);
            phone.call(uri, video);
        }
        Err(e) => problem.set(Some(e.to_string())),
    };
    let on_key = Callback::new(move |key: char| {
        text.update(|t| t.push(key));
        phone.key_tone(key);
    });

    view! {
        <section class="card dial-pad" aria-label="Dial pad">
            <div class="dial-field">
                <input
                    type="text"
                    class="dial-input"
                    inputmode="tel"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Number or SIP address"
                    aria-label="Number or SIP address to call"
                    data-testid="dial-input"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        problem.set(None);
                        text.set(event_target_value(&ev));
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            dial(ev.shift_key());
                        }
                    }
                />
                <Show when=move || !text.with(String::is_empty)>
                    <button
                        type="button"
                        class="dial-erase"
                        aria-label="Delete last character"
                        data-testid="dial-erase"
                        on:click=move |_| text.update(|t| {
                            t.pop();
                        })
                    >
                        "⌫"
                    </button>
                </Show>
            </div>
            <p class="dial-preview" data-testid="dial-preview">
                {move || match (text.with(|t| t.trim().is_empty()), target()) {
                    (true, _) => String::new(),
                    (false, Ok(uri)) => format!("Calls {uri}"),
                    (false, Err(_)) => "Not a number or SIP address yet".to_owned(),
                }}
            </p>
            <Keypad prefix="dial-key" on_key=on_key />
            <Show when=move || problem.with(Option::is_some)>
                <p class="form-problem" role="alert" data-testid="dial-problem">
                    {move || problem.get().unwrap_or_default()}
                </p>
            </Show>
            <div class="dial-actions">
                <button
                    type="button"
                    class="btn btn-call"
                    data-testid="dial-audio"
                    disabled=move || !ready()
                    on:click=move |_| dial(false)
                >
                    "Call"
                </button>
                <button
                    type="button"
                    class="btn btn-call btn-video"
                    data-testid="dial-video"
                    disabled=move || !ready()
                    on:click=move |_| dial(true)
                >
                    "Video call"
                </button>
            </div>
        </section>
    }
}
