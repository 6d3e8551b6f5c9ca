//! A call ringing for us: who is calling, answer with audio or video, decline.
//! The caller's name and address come from the network and are rendered as
//! text nodes, never as markup.

use leptos::prelude::*;

use super::{phone_handle, phone_state};

#[component]
pub fn IncomingPanel() -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    let incoming = move || state.incoming.get();
    view! {
        {move || {
            incoming()
                .map(|call| {
                    let handle = call.handle;
                    let label = call.caller_label();
                    let address = crate::words::printable(&call.from);
                    let show_address = label != address;
                    let kind = if call.video_offered { "Incoming video call" } else { "Incoming call" };
                    view! {
                        <section
                            class="card incoming"
                            role="alertdialog"
                            aria-label=kind
                            data-testid="incoming-call"
                            data-call=handle.0
                        >
                            <p class="incoming-kind">{kind}</p>
                            <div class="avatar avatar-ringing" aria-hidden="true">{initials(&label)}</div>
                            <p class="incoming-from" data-testid="incoming-from">
                                <span class="peer-name">{label}</span>
                                {show_address.then(|| view! { <span class="peer-uri">{address}</span> })}
                            </p>
                            <div class="incoming-actions">
                                <button
                                    type="button"
                                    class="btn btn-danger"
                                    data-testid="decline"
                                    on:click=move |_| phone.decline(handle)
                                >
                                    "Decline"
                                </button>
                                <button
                                    type="button"
                                    class="btn btn-call"
                                    data-testid="answer-audio"
                                    on:click=move |_| phone.answer(handle, false)
                                >
                                    "Answer"
                                </button>
                                <button
                                    type="button"
                                    class="btn btn-call btn-video"
                                    data-testid="answer-video"
                                    on:click=move |_| phone.answer(handle, true)
                                >
                                    "Answer with video"
                                </button>
                            </div>
                        </section>
                    }
                })
        }}
    }
}

/// Up to two letters for the avatar: initials of a name, or the first
/// characters of a number.
pub(crate) fn initials(label: &str) -> String {
    let clean = label.trim_start_matches("sip:").trim_start_matches("sips:");
    let clean = clean.split('@').next().unwrap_or(clean);
    let words: Vec<&str> = clean
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => "?".to_owned(),
        [one] => one.chars().take(2).collect::<String>().to_uppercase(),
        [first, second, ..] => first
            .chars()
            .take(1)
            .chain(second.chars().take(1))
            .collect::<String>()
            .to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn avatar_initials() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("sip:1002@localhost"), "10");
        assert_eq!(initials("1002"), "10");
        assert_eq!(initials("<>"), "?");
    }
}
