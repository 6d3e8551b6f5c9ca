//! The driver task: one user agent, one WebSocket, one timer.
//!
//! The drain rule lives here and only here ([`Driver::drain`]): after every
//! input (a frame, a timer, the connection opening or closing) and every
//! command, `poll_output` is called until it returns `None`; each transmit is
//! sent as one frame, each event is forwarded to the [`crate::Phone`], and the
//! timer is re-armed at the last deadline seen.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{self, Message};
use vani_sip::time::Instant as SipInstant;
use vani_sip::ua::{Event, Output, UserAgent};

use crate::DriverError;
use crate::clock::Clock;
use crate::transport::{self, Inbound, WsStream};

/// A command or getter run against the user agent with the current time.
pub(crate) type Job = Box<dyn FnOnce(&mut UserAgent, SipInstant) + Send>;

/// Work the [`crate::Phone`] hands the driver.
pub(crate) enum Command {
    /// Run a command (or a getter) against the user agent, then drain.
    Run(Job),
    /// Close the WebSocket and stop.
    Shutdown,
}

/// How long a graceful close waits for the server's close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The state of the driver task.
pub(crate) struct Driver {
    ua: UserAgent,
    clock: Clock,
    sink: Option<SplitSink<WsStream, Message>>,
    stream: SplitStream<WsStream>,
    events: mpsc::UnboundedSender<Event>,
    /// The single timer: the last deadline the user agent gave.
    deadline: Option<SipInstant>,
    /// The address of record, naming this user agent in log lines.
    aor: String,
}

/// What woke the driver up.
enum Wake {
    Command(Option<Command>),
    Frame(Option<Result<Message, tungstenite::Error>>),
    Timer,
}

/// Why the connection ended.
enum End {
    /// The application asked (or dropped its handle).
    Shutdown,
    /// The server closed the connection.
    Peer(Option<String>),
    /// The connection failed.
    Failed(tungstenite::Error),
}

impl Driver {
    pub(crate) fn new(
        ua: UserAgent,
        clock: Clock,
        socket: WsStream,
        events: mpsc::UnboundedSender<Event>,
    ) -> Self {
        let (sink, stream) = socket.split();
        let aor = ua.config().aor.clone();
        Self {
            ua,
            clock,
            sink: Some(sink),
            stream,
            events,
            deadline: None,
            aor,
        }
    }

    /// Runs until shutdown or until the connection ends.
    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), DriverError> {
        self.ua.handle_transport_connected(self.clock.now());
        let mut end = self.drain().await.err().map(End::Failed);
        while end.is_none() {
            let timer = self.deadline.map(|d| self.clock.to_tokio(d));
            let wake = tokio::select! {
                command = commands.recv() => Wake::Command(command),
                frame = self.stream.next() => Wake::Frame(frame),
                () = sleep_until(timer) => Wake::Timer,
            };
            end = self.step(wake);
            if end.is_none() {
                end = self.drain().await.err().map(End::Failed);
            }
        }
        self.finish(end.unwrap_or(End::Shutdown)).await
    }

    /// Feeds one wake-up to the user agent; `Some` when the connection ends.
    fn step(&mut self, wake: Wake) -> Option<End> {
        let now = self.clock.now();
        match wake {
            Wake::Command(Some(Command::Run(job))) => job(&mut self.ua, now),
            Wake::Command(Some(Command::Shutdown) | None) => return Some(End::Shutdown),
            Wake::Frame(Some(Ok(message))) => match Inbound::from_message(message) {
                Inbound::Sip(bytes) => {
                    log::trace!(
                        "{}: received {} bytes:\n{}",
                        self.aor,
                        bytes.len(),
                        String::from_utf8_lossy(&bytes)
                    );
                    self.ua.handle_message(now, &bytes);
                }
                Inbound::Closed(reason) => return Some(End::Peer(reason)),
                Inbound::Control => {}
            },
            Wake::Frame(Some(Err(error))) => return Some(End::Failed(error)),
            Wake::Frame(None) => return Some(End::Peer(None)),
            Wake::Timer => {
                self.deadline = None;
                self.ua.handle_timeout(now);
            }
        }
        None
    }

    /// The drain rule: empties the user agent's output. Transmits go out as
    /// frames (flushed once at the end), events go to the application, and
    /// the timer moves to the last deadline seen. A failed send stops sending
    /// but not draining, so no event is lost.
    async fn drain(&mut self) -> Result<(), tungstenite::Error> {
        let mut failure = None;
        while let Some(output) = self.ua.poll_output() {
            match output {
                Output::Transmit(bytes) => {
                    let Some(sink) = self.sink.as_mut().filter(|_| failure.is_none()) else {
                        log::debug!(
                            "dropped a {}-byte transmit: the WebSocket is closed",
                            bytes.len()
                        );
                        continue;
                    };
                    log::trace!(
                        "{}: sending {} bytes:\n{}",
                        self.aor,
                        bytes.len(),
                        String::from_utf8_lossy(&bytes)
                    );
                    if let Err(error) = sink.feed(transport::outbound(bytes)).await {
                        failure = Some(error);
                    }
                }
                Output::Event(event) => {
                    log::debug!("{}: event: {event:?}", self.aor);
                    // A dropped receiver means nobody listens any more; the
                    // command channel closing stops the driver soon after.
                    let _ = self.events.send(event);
                }
                Output::Timeout(at) => self.deadline = Some(at),
            }
        }
        if let (None, Some(sink)) = (&failure, self.sink.as_mut()) {
            if let Err(error) = sink.flush().await {
                failure = Some(error);
            }
        }
        match failure {
            Some(error) => {
                self.sink = None;
                Err(error)
            }
            None => Ok(()),
        }
    }

    /// Closes the connection, tells the user agent and forwards what it says.
    async fn finish(mut self, end: End) -> Result<(), DriverError> {
        if let (End::Shutdown, Some(sink)) = (&end, self.sink.as_mut()) {
            if sink.close().await.is_ok() {
                // Wait (briefly) for the server's close frame (RFC 6455 §7.1.2).
                let _ = tokio::time::timeout(CLOSE_GRACE, async {
                    while let Some(Ok(_)) = self.stream.next().await {}
                })
                .await;
            }
        }
        self.sink = None;
        self.ua.handle_transport_closed(self.clock.now());
        // Transmits are dropped here: the socket is gone.
        let _ = self.drain().await;
        match end {
            End::Shutdown => {
                log::debug!("{}: driver stopped", self.aor);
                Ok(())
            }
            End::Peer(reason) => {
                log::debug!("{}: the server closed the WebSocket ({reason:?})", self.aor);
                Err(DriverError::ClosedByPeer { reason })
            }
            End::Failed(error) => {
                log::debug!("{}: the WebSocket failed: {error}", self.aor);
                Err(DriverError::WebSocket(error))
            }
        }
    }
}

/// Sleeps until `at`, or forever without a deadline.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
