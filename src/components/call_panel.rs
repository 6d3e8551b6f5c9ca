//! One call: who, state, duration, video tiles, mute, hold/resume, camera,
//! DTMF keypad, hang up.

use leptos::html::Video;
use leptos::prelude::*;
use vani_sip::ua::CallHandle;

use super::incoming::initials;
use super::{Keypad, phone_handle, phone_state};
use crate::model::{CallView, Phase};
use crate::phone::VideoSlot;

#[component]
pub fn CallPanel(handle: CallHandle) -> impl IntoView {
    let state = phone_state();
    let phone = phone_handle();
    let call = Memo::new(move |_| {
        state
            .calls
            .with(|calls| calls.iter().find(|c| c.handle == handle).cloned())
    });
    let get = move |f: fn(&CallView) -> bool| call.with(|c| c.as_ref().is_some_and(f));
    let phase = move || call.with(|c| c.as_ref().map_or(Phase::Ended, |c| c.phase));
    let established = move || phase().is_established();
    let ended = move || phase() == Phase::Ended;
    let label = move || call.with(|c| c.as_ref().map(CallView::peer_label).unwrap_or_default());
    let uri = move || {
        call.with(|c| {
            c.as_ref()
                .map(|c| crate::words::printable(&c.peer_uri))
                .unwrap_or_default()
        })
    };
    let status = move || {
        let now = state.now_ms.get();
        call.with(|c| match c {
            None => String::new(),
            Some(c) if c.phase == Phase::Ended => c.end_label.unwrap_or("Ended").to_owned(),
            Some(c) => match c.duration(now) {
                Some(d) if c.phase == Phase::Connected => d,
                Some(d) => format!("{} · {d}", c.phase.label()),
                None => c.phase.label().to_owned(),
            },
        })
    };
    let reason = move || call.with(|c| c.as_ref().and_then(|c| c.end_reason.clone()));
    let muted = move || get(|c| c.muted);
    let held = move || phase() == Phase::Held;
    let video = Memo::new(move |_| get(|c| c.video));
    let camera_on = move || get(|c| c.camera_on);
    let level = move || call.with(|c| c.as_ref().map_or(0.0, |c| f64::from(c.mic_level)));

    let remote_video = NodeRef::<Video>::new();
    let local_video = NodeRef::<Video>::new();
    Effect::new(move |_| {
        if video.get() {
            if remote_video.get().is_some() {
                phone.bind_video(handle, VideoSlot::Remote, remote_video);
            }
            if local_video.get().is_some() {
                phone.bind_video(handle, VideoSlot::Local, local_video);
            }
        }
    });

    let on_dtmf = Callback::new(move |digit: char| phone.dtmf(handle, digit));

    view! {
        <section
            class="card call"
            class:call-ended=ended
            aria-label=move || format!("Call with {}", label())
            data-testid="call"
            data-state=move || phase().data_state()
            data-call=handle.0
        >
            <header class="call-header">
                <div class="avatar" aria-hidden="true">{move || initials(&label())}</div>
                <div class="call-who">
                    <p class="peer-name" data-testid="call-peer">{label}</p>
                    <p class="peer-uri">{uri}</p>
                </div>
                <p class="call-status" data-testid="call-status" aria-live="polite">{status}</p>
            </header>
            <Show when=move || reason().is_some()>
                <p class="call-reason" role="alert" data-testid="call-reason">{move || reason().unwrap_or_default()}</p>
            </Show>
            <Show when=move || video.get()>
                <div class="video-stage">
                    <video
                        class="video-remote"
                        data-testid="remote-video"
                        data-call=handle.0
                        node_ref=remote_video
                        autoplay=true
                        playsinline=true
                        aria-label="The other side's video"
                    ></video>
                    <video
                        class="video-local"
                        class:video-off=move || !camera_on()
                        data-testid="local-video"
                        data-call=handle.0
                        node_ref=local_video
                        autoplay=true
                        playsinline=true
                        prop:muted=true
                        aria-label="Your camera"
                    ></video>
                </div>
            </Show>
            <div class="mic-meter">
                <span class="mic-meter-label">"Mic"</span>
                <meter min="0" max="1" low="0.05" high="0.8" optimum="0.3" value=level data-testid="mic-level" aria-label="Microphone level"></meter>
            </div>
            <div class="call-controls">
                <button
                    type="button"
                    class="ctl"
                    class:ctl-on=muted
                    data-testid="mute"
                    aria-pressed=move || muted().to_string()
                    disabled=move || !established()
                    on:click=move |_| phone.toggle_mute(handle)
                >
                    {move || if muted() { "Unmute" } else { "Mute" }}
                </button>
                <button
                    type="button"
                    class="ctl"
                    class:ctl-on=held
                    data-testid="hold"
                    aria-pressed=move || held().to_string()
                    disabled=move || !established()
                    on:click=move |_| phone.toggle_hold(handle)
                >
                    {move || if held() { "Resume" } else { "Hold" }}
                </button>
                <Show when=move || video.get()>
                    <button
                        type="button"
                        class="ctl"
                        class:ctl-on=move || !camera_on()
                        data-testid="camera"
                        aria-pressed=move || (!camera_on()).to_string()
                        disabled=move || !established()
                        on:click=move |_| phone.toggle_camera(handle)
                    >
                        {move || if camera_on() { "Camera off" } else { "Camera on" }}
                    </button>
                </Show>
            </div>
            <Keypad prefix="dtmf" on_key=on_dtmf disabled=Signal::derive(move || !established()) />
            <button
                type="button"
                class="btn btn-danger btn-hangup"
                data-testid="hangup"
                disabled=ended
                on:click=move |_| phone.hangup(handle)
            >
                {move || if phase() == Phase::Calling || phase() == Phase::Ringing || phase() == Phase::Early { "Cancel" } else { "Hang up" }}
            </button>
        </section>
    }
}
