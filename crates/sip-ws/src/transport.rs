//! SIP over WebSocket (RFC 7118): opening the connection with the `sip`
//! subprotocol and turning frames into SIP messages and back.

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::DriverError;

/// The WebSocket subprotocol for SIP (RFC 7118 §4.1).
pub const SUBPROTOCOL: &str = "sip";

const PROTOCOL_HEADER: &str = "Sec-WebSocket-Protocol";

/// An open WebSocket to a SIP server.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens `url` (`ws://host:port/path`), asking for the `sip` subprotocol and
/// refusing a server that does not confirm it (RFC 7118 §4.1).
pub async fn connect(url: &str) -> Result<WsStream, DriverError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| DriverError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    request
        .headers_mut()
        .insert(PROTOCOL_HEADER, HeaderValue::from_static(SUBPROTOCOL));
    // Nagle's algorithm would hold a small SIP response back until the
    // peer's delayed ACK (tens of milliseconds): signalling wants no delay.
    let disable_nagle = true;
    let (stream, response) =
        tokio_tungstenite::connect_async_with_config(request, None, disable_nagle)
            .await
            .map_err(|e| match e {
                tungstenite::Error::Protocol(
                    tungstenite::error::ProtocolError::SecWebSocketSubProtocolError(_),
                ) => DriverError::Subprotocol,
                other => DriverError::WebSocket(other),
            })?;
    let agreed = response
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(SUBPROTOCOL));
    if !agreed {
        return Err(DriverError::Subprotocol);
    }
    log::debug!("WebSocket open to {url} with subprotocol {SUBPROTOCOL}");
    Ok(stream)
}

/// What one received frame means for the SIP layer.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A SIP message or a CRLF keep-alive: hand it to the user agent. Text and
    /// binary frames are both accepted (RFC 7118 §5.1).
    Sip(Vec<u8>),
    /// The peer closed the connection, with its reason if it gave one.
    Closed(Option<String>),
    /// A control frame (ping, pong) the WebSocket layer handles itself.
    Control,
}

impl Inbound {
    /// Classifies a received frame.
    pub fn from_message(message: Message) -> Self {
        match message {
            Message::Text(text) => Inbound::Sip(text.as_bytes().to_vec()),
            Message::Binary(bytes) => Inbound::Sip(bytes.to_vec()),
            Message::Close(frame) => Inbound::Closed(
                frame
                    .map(|f| f.reason.to_string())
                    .filter(|reason| !reason.is_empty()),
            ),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Inbound::Control,
        }
    }
}

/// The frame carrying one message of the user agent: a text frame when the
/// bytes are UTF-8 (every SIP message this stack writes), binary otherwise.
pub fn outbound(bytes: Vec<u8>) -> Message {
    match String::from_utf8(bytes) {
        Ok(text) => Message::text(text),
        Err(not_utf8) => Message::binary(not_utf8.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio::net::TcpListener;
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

    /// A one-connection WebSocket server on loopback. `subprotocol` is what it
    /// answers in Sec-WebSocket-Protocol; the requested value is returned.
    #[allow(clippy::result_large_err)] // the callback's type is tungstenite's
    async fn server(
        subprotocol: Option<&'static str>,
    ) -> (
        String,
        tokio::task::JoinHandle<(Option<String>, Vec<Message>)>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut requested = None;
            let callback = |request: &Request, mut response: Response| {
                requested = request
                    .headers()
                    .get(PROTOCOL_HEADER)
                    .map(|v| v.to_str().unwrap().to_owned());
                if let Some(p) = subprotocol {
                    response
                        .headers_mut()
                        .insert(PROTOCOL_HEADER, HeaderValue::from_static(p));
                }
                Ok(response)
            };
            let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
                return (requested, Vec::new());
            };
            ws.send(Message::text("OPTIONS sip:a@b SIP/2.0\r\n\r\n"))
                .await
                .unwrap();
            ws.send(Message::binary(b"\r\n".to_vec())).await.unwrap();
            let mut got = Vec::new();
            while let Some(Ok(m)) = ws.next().await {
                let close = m.is_close();
                got.push(m);
                if close {
                    break;
                }
            }
            (requested, got)
        });
        (url, task)
    }

    #[tokio::test]
    async fn asks_for_sip_and_exchanges_frames() {
        let (url, server) = server(Some("sip")).await;
        let mut ws = connect(&url).await.unwrap();
        let first = Inbound::from_message(ws.next().await.unwrap().unwrap());
        assert_eq!(
            first,
            Inbound::Sip(b"OPTIONS sip:a@b SIP/2.0\r\n\r\n".to_vec())
        );
        let second = Inbound::from_message(ws.next().await.unwrap().unwrap());
        assert_eq!(second, Inbound::Sip(b"\r\n".to_vec()));
        ws.send(outbound(b"SIP/2.0 200 OK\r\n\r\n".to_vec()))
            .await
            .unwrap();
        ws.close(None).await.unwrap();
        let (requested, got) = server.await.unwrap();
        assert_eq!(requested.as_deref(), Some("sip"));
        assert_eq!(got.first(), Some(&Message::text("SIP/2.0 200 OK\r\n\r\n")));
    }

    #[tokio::test]
    async fn refuses_a_server_without_the_subprotocol() {
        let (url, _server) = server(None).await;
        assert!(matches!(connect(&url).await, Err(DriverError::Subprotocol)));
    }

    #[tokio::test]
    async fn refuses_another_subprotocol() {
        let (url, _server) = server(Some("chat")).await;
        assert!(matches!(connect(&url).await, Err(DriverError::Subprotocol)));
    }

    #[tokio::test]
    async fn rejects_a_url_that_is_not_websocket() {
        assert!(matches!(
            connect("not a url").await,
            Err(DriverError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn utf8_goes_as_text_other_bytes_as_binary() {
        assert!(outbound(b"INVITE".to_vec()).is_text());
        assert!(outbound(vec![0xff, 0xfe]).is_binary());
    }

    #[test]
    fn close_reason_is_kept() {
        use tokio_tungstenite::tungstenite::protocol::{CloseFrame, frame::coding::CloseCode};
        let frame = CloseFrame {
            code: CloseCode::Away,
            reason: "bye".into(),
        };
        assert_eq!(
            Inbound::from_message(Message::Close(Some(frame))),
            Inbound::Closed(Some("bye".to_owned()))
        );
        assert_eq!(
            Inbound::from_message(Message::Close(None)),
            Inbound::Closed(None)
        );
        assert_eq!(
            Inbound::from_message(Message::Ping(Vec::new().into())),
            Inbound::Control
        );
    }
}
