//! The driver against a scripted WebSocket server on loopback: connection
//! lifecycle, command plumbing and frame delivery, independent of Kamailio.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use vani_sip_ws::{
    Config, DriverError, Event, Phone, PhoneError, RegistrationFailure, RegistrationState,
    Transport,
};

const LIMIT: Duration = Duration::from_secs(5);

/// What the scripted server does once a client connected.
enum Script {
    /// Record frames until the client closes.
    Listen,
    /// Send a close frame with this reason right away.
    Close(&'static str),
}

/// A one-connection server agreeing to `sip`; frames it receives are sent on
/// the returned channel.
async fn server(script: Script) -> (String, mpsc::UnboundedReceiver<Message>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        #[allow(clippy::result_large_err)] // tungstenite's callback type
        let agree = |_: &Request, mut response: Response| {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
            Ok(response)
        };
        let mut ws = tokio_tungstenite::accept_hdr_async(tcp, agree)
            .await
            .unwrap();
        if let Script::Close(reason) = script {
            let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Away,
                reason: reason.into(),
            };
            ws.send(Message::Close(Some(frame))).await.unwrap();
        }
        while let Some(Ok(message)) = ws.next().await {
            let _ = tx.send(message);
        }
    });
    (url, rx)
}

fn config() -> Config {
    let mut config = Config::new("sip:1000@localhost", "1000", "vani1000");
    config.transport = Transport::Ws;
    config.keepalive_interval = None;
    config
}

#[tokio::test]
async fn commands_run_inside_the_driver() {
    let (url, _frames) = server(Script::Listen).await;
    let mut phone = Phone::connect(&url, config()).await.unwrap();
    let aor = phone.with(|ua, _| ua.config().aor.clone()).await.unwrap();
    assert_eq!(aor, "sip:1000@localhost");
    phone.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_sends_a_close_frame_and_stops_commands() {
    let (url, mut frames) = server(Script::Listen).await;
    let mut phone = Phone::connect(&url, config()).await.unwrap();
    phone.shutdown().await.unwrap();
    let close = tokio::time::timeout(LIMIT, async {
        while let Some(frame) = frames.recv().await {
            if frame.is_close() {
                return true;
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(close, "the server saw no close frame");
    assert_eq!(phone.register().await, Err(PhoneError::Stopped));
    assert!(
        tokio::time::timeout(LIMIT, phone.next_event())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_close_from_the_server_ends_the_driver_with_its_reason() {
    let (url, _frames) = server(Script::Close("going away")).await;
    let mut phone = Phone::connect(&url, config()).await.unwrap();
    // The event stream ends once the driver has stopped.
    tokio::time::timeout(LIMIT, async { while phone.next_event().await.is_some() {} })
        .await
        .unwrap();
    match phone.shutdown().await {
        Err(DriverError::ClosedByPeer { reason }) => {
            assert_eq!(reason.as_deref(), Some("going away"))
        }
        other => panic!("expected ClosedByPeer, got {other:?}"),
    }
}

/// The first text frame the server receives.
async fn first_text(frames: &mut mpsc::UnboundedReceiver<Message>) -> String {
    tokio::time::timeout(LIMIT, async {
        loop {
            match frames.recv().await {
                Some(Message::Text(text)) => return text.to_string(),
                Some(_) => continue,
                None => panic!("the connection ended without a text frame"),
            }
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_command_transmits_one_sip_message_per_frame() {
    let (url, mut frames) = server(Script::Listen).await;
    let mut phone = Phone::connect(&url, config()).await.unwrap();
    phone.register().await.unwrap();
    let register = first_text(&mut frames).await;
    assert!(
        register.starts_with("REGISTER sip:localhost SIP/2.0\r\n"),
        "{register}"
    );
    assert!(
        register.ends_with("\r\n\r\n"),
        "one whole message: {register}"
    );
    phone.shutdown().await.unwrap();
}

/// Nobody answers the REGISTER: only the driver's timer can end it, with
/// Timer F (64*T1, RFC 3261 §17.1.2.2).
#[tokio::test]
async fn the_timer_fires_the_user_agents_deadlines() {
    let (url, mut frames) = server(Script::Listen).await;
    let mut config = config();
    config.t1 = Duration::from_millis(10);
    let mut phone = Phone::connect(&url, config).await.unwrap();
    let started = tokio::time::Instant::now();
    phone.register().await.unwrap();
    first_text(&mut frames).await;
    let failure = tokio::time::timeout(
        LIMIT,
        phone.wait_for(|e| match e {
            Event::Registration(RegistrationState::Failed(f)) => Some(f.clone()),
            _ => None,
        }),
    )
    .await
    .unwrap();
    assert_eq!(failure, Some(RegistrationFailure::Timeout));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(640),
        "Timer F fired early: {elapsed:?}"
    );
    phone.shutdown().await.unwrap();
}

#[tokio::test]
async fn connecting_to_a_closed_port_fails() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    drop(listener);
    assert!(matches!(
        Phone::connect(&url, config()).await,
        Err(DriverError::WebSocket(_))
    ));
}
