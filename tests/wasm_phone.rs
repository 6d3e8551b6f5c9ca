//! Browser tests of the calling UI and the WebSocket transport, run in
//! headless Chromium by `wasm-bindgen-test-runner`. Self-contained: state is
//! set by hand and commands are recorded instead of reaching a server.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use vani::app::App;
use vani::model::{Account, CallView, Incoming, Phase, Registration};
use vani::phone::{Command, PhoneHandle};
use vani::state::PhoneState;
use vani_sip::ua::CallHandle;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Mounts the app with `state` and a handle that records commands.
fn mount(state: PhoneState) -> (HtmlElement, Rc<RefCell<Vec<Command>>>) {
    let host = document().create_element("div").expect("host");
    document()
        .body()
        .expect("body")
        .append_child(&host)
        .expect("attach");
    let host: HtmlElement = host.unchecked_into();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let log = sent.clone();
    let handle = PhoneHandle::new(move |c| log.borrow_mut().push(c));
    let mounted = leptos::mount::mount_to(host.clone(), move || {
        provide_context(state);
        provide_context(handle);
        view! { <App /> }
    });
    mounted.forget();
    (host, sent)
}

fn find(host: &HtmlElement, testid: &str) -> Option<Element> {
    host.query_selector(&format!("[data-testid=\"{testid}\"]"))
        .expect("selector")
}

fn must(host: &HtmlElement, testid: &str) -> Element {
    find(host, testid).unwrap_or_else(|| panic!("no element {testid}"))
}

fn click(host: &HtmlElement, testid: &str) {
    must(host, testid).unchecked_into::<HtmlElement>().click();
}

fn type_into(host: &HtmlElement, testid: &str, text: &str) {
    let input: HtmlInputElement = must(host, testid).unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

async fn settle() {
    vani::glue::clock::sleep(10).await;
}

fn account() -> Account {
    Account {
        servers: "ws://127.0.0.1:9".into(),
        uri: "sip:1000@localhost".into(),
        ice_cutoff_ms: 500,
        ..Account::default()
    }
}

#[wasm_bindgen_test]
async fn first_run_shows_the_account_form_and_saves_it() {
    let (host, sent) = mount(PhoneState::new(None));
    for id in [
        "account-server",
        "account-uri",
        "account-user",
        "account-password",
        "account-name",
        "account-save",
    ] {
        assert!(find(&host, id).is_some(), "{id}");
    }
    assert_eq!(
        must(&host, "app-title").text_content().as_deref(),
        Some("Vani")
    );
    // Missing password: the form says so and sends nothing.
    type_into(&host, "account-server", "ws://127.0.0.1:8088");
    type_into(&host, "account-uri", "1001@localhost");
    click(&host, "account-save");
    settle().await;
    assert!(
        must(&host, "account-problem")
            .text_content()
            .unwrap_or_default()
            .contains("password")
    );
    assert!(sent.borrow().is_empty());

    type_into(&host, "account-password", "s3cret");
    type_into(&host, "account-name", "Ada");
    click(&host, "account-save");
    settle().await;
    let sent = sent.borrow();
    match sent.as_slice() {
        [Command::SaveAccount { account, password }] => {
            assert_eq!(account.uri, "1001@localhost");
            assert_eq!(account.display_name, "Ada");
            assert_eq!(password, "s3cret");
        }
        other => panic!("unexpected commands: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn status_bar_reflects_registration() {
    let state = PhoneState::new(Some(account()));
    let (host, _) = mount(state);
    let status = must(&host, "registration-status");
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("unregistered")
    );
    state.registration.set(Registration::Registered);
    settle().await;
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("registered")
    );
    state
        .registration
        .set(Registration::Failed("Wrong user name or password.".into()));
    settle().await;
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("failed")
    );
    assert!(
        status
            .text_content()
            .unwrap_or_default()
            .contains("password")
    );
    state.now_ms.set(1_000.0);
    state.registration.set(Registration::Retrying {
        retry_at_ms: 5_000.0,
        reason: "Cannot reach the server.".into(),
    });
    settle().await;
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("registering")
    );
    assert!(
        status
            .text_content()
            .unwrap_or_default()
            .contains("Retrying in 4 s")
    );
    assert!(find(&host, "retry-now").is_some());
}

#[wasm_bindgen_test]
async fn dial_pad_normalises_pasted_numbers() {
    let state = PhoneState::new(Some(account()));
    state.editing_account.set(false);
    state.registration.set(Registration::Registered);
    let (host, sent) = mount(state);
    settle().await;
    type_into(&host, "dial-input", "+1 (555) 010-4477");
    settle().await;
    assert!(
        must(&host, "dial-preview")
            .text_content()
            .unwrap_or_default()
            .contains("sip:+15550104477@localhost")
    );
    click(&host, "dial-key-9");
    click(&host, "dial-video");
    settle().await;
    let sent = sent.borrow();
    assert!(
        sent.iter().any(|c| matches!(c, Command::Call { target, video: true } if target == "sip:+155501044779@localhost")),
        "{sent:?}"
    );
}

#[wasm_bindgen_test]
async fn a_call_renders_every_control_and_sends_commands() {
    let state = PhoneState::new(Some(account()));
    state.editing_account.set(false);
    let mut call = CallView::outgoing(CallHandle(7), "sip:1002@localhost".into(), true);
    call.apply(&vani_sip::ua::CallState::Connected, 0.0);
    state.calls.set(vec![call]);
    let (host, sent) = mount(state);
    settle().await;
    let panel = must(&host, "call");
    assert_eq!(
        panel.get_attribute("data-state").as_deref(),
        Some("connected")
    );
    assert_eq!(
        must(&host, "call-peer").text_content().as_deref(),
        Some("1002")
    );
    let mut ids = vec![
        "hangup",
        "mute",
        "hold",
        "dtmf-star",
        "dtmf-hash",
        "local-video",
        "remote-video",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    ids.extend((0..10).map(|d| format!("dtmf-{d}")));
    for id in &ids {
        assert!(
            panel
                .query_selector(&format!("[data-testid=\"{id}\"]"))
                .unwrap()
                .is_some(),
            "{id}"
        );
    }
    assert!(
        find(&host, "dial-input").is_none(),
        "no dial pad during a call"
    );
    click(&host, "mute");
    click(&host, "dtmf-hash");
    click(&host, "hold");
    click(&host, "hangup");
    settle().await;
    let kinds: Vec<String> = sent
        .borrow()
        .iter()
        .filter(|c| !matches!(c, Command::BindVideo { .. }))
        .map(|c| format!("{c:?}"))
        .collect();
    assert_eq!(
        kinds,
        [
            "ToggleMute { call: CallHandle(7) }",
            "Dtmf { call: CallHandle(7), digit: '#' }",
            "ToggleHold { call: CallHandle(7) }",
            "Hangup { call: CallHandle(7) }",
        ]
    );
    // The video tiles were offered to the phone.
    assert!(
        sent.borrow()
            .iter()
            .any(|c| matches!(c, Command::BindVideo { .. }))
    );

    state.update_call(CallHandle(7), |c| c.phase = Phase::RemoteHeld);
    settle().await;
    assert_eq!(
        panel.get_attribute("data-state").as_deref(),
        Some("remote-held")
    );
}

#[wasm_bindgen_test]
async fn hostile_caller_names_are_text() {
    let state = PhoneState::new(Some(account()));
    state.editing_account.set(false);
    let (host, sent) = mount(state);
    let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
    state.incoming.set(Some(Incoming {
        handle: CallHandle(3),
        from: "sip:%3Cb%3Eeve%3C/b%3E@evil.example".into(),
        display_name: Some(hostile.into()),
        video_offered: true,
    }));
    settle().await;
    let panel = must(&host, "incoming-call");
    let from = must(&host, "incoming-from")
        .text_content()
        .unwrap_or_default();
    assert!(from.contains(hostile), "{from}");
    assert!(panel.query_selector("img, script, b").unwrap().is_none());
    click(&host, "answer-video");
    settle().await;
    assert!(matches!(
        sent.borrow().as_slice(),
        [Command::Answer {
            call: CallHandle(3),
            video: true
        }]
    ));
}

#[wasm_bindgen_test]
fn a_refused_websocket_url_is_an_error_not_a_panic() {
    use vani::glue::ws::{TransportError, WsTransport};
    let result = WsTransport::open("ftp://not-a-websocket.invalid/", |_| {});
    assert!(matches!(result, Err(TransportError::Refused(_))));
}

#[wasm_bindgen_test]
async fn a_socket_to_a_closed_port_reports_closed() {
    use vani::glue::ws::{TransportEvent, WsTransport};
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = events.clone();
    let socket = WsTransport::open("ws://127.0.0.1:9/", move |e| {
        log.borrow_mut().push(format!("{e:?}"))
    })
    .expect("the socket object is made");
    for _ in 0..100 {
        if !events.borrow().is_empty() {
            break;
        }
        vani::glue::clock::sleep(20).await;
    }
    let events = events.borrow();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].starts_with("Closed"), "{events:?}");
    drop(socket);
    let _ = TransportEvent::Open;
}
