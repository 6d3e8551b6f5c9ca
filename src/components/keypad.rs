//! The twelve telephone keys, used by the dial pad and the in-call DTMF pad.

use leptos::prelude::*;

/// Keys in telephone order with their letters (ITU-T E.161).
pub const KEYS: [(char, &str); 12] = [
    ('1', ""),
    ('2', "ABC"),
    ('3', "DEF"),
    ('4', "GHI"),
    ('5', "JKL"),
    ('6', "MNO"),
    ('7', "PQRS"),
    ('8', "TUV"),
    ('9', "WXYZ"),
    ('*', ""),
    ('0', "+"),
    ('#', ""),
];

/// `prefix-5`, `prefix-star`, `prefix-hash`.
pub fn key_testid(prefix: &str, key: char) -> String {
    match key {
        '*' => format!("{prefix}-star"),
        '#' => format!("{prefix}-hash"),
        d => format!("{prefix}-{d}"),
    }
}

fn key_label(key: char) -> &'static str {
    match key {
        '*' => "star",
        '#' => "hash",
        _ => "",
    }
}

/// A 3×4 grid of keys; `on_key` gets the pressed key.
#[component]
pub fn Keypad(
    /// Test id prefix: `dtmf` or `dial-key`.
    prefix: &'static str,
    /// What a key press does.
    on_key: Callback<char>,
    /// Keys are unusable.
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let keys = KEYS
        .iter()
        .map(|&(key, letters)| {
            let aria = match key_label(key) {
                "" => format!("Key {key}"),
                name => format!("Key {name}"),
            };
            view! {
                <button
                    type="button"
                    class="key"
                    data-testid=key_testid(prefix, key)
                    aria-label=aria
                    disabled=move || disabled.get()
                    on:click=move |_| on_key.run(key)
                >
                    <span class="key-digit">{key.to_string()}</span>
                    <span class="key-letters">{letters}</span>
                </button>
            }
        })
        .collect_view();
    view! { <div class="keypad" role="group" aria-label="Keypad">{keys}</div> }
}
