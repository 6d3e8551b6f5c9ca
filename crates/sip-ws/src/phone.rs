//! [`Phone`]: the application's handle on a user agent run by the driver.

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use vani_sip::time::Instant as SipInstant;
use vani_sip::ua::{
    CallHandle, CallState, Config, DtmfFormat, Event, MediaKind, MessageHandle, RegistrationState,
    Resources, UaError, UserAgent,
};

use crate::clock::Clock;
use crate::driver::{Command, Driver};
use crate::{DriverError, PhoneError, transport};

/// A SIP user agent connected to a server over a WebSocket, driven by a tokio
/// task. Commands are async methods; events come from [`Phone::next_event`].
///
/// Dropping the `Phone` closes the connection; [`Phone::shutdown`] does the
/// same and waits for it.
pub struct Phone {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
    task: Option<JoinHandle<Result<(), DriverError>>>,
}

impl Phone {
    /// Opens `url` (`ws://…`, subprotocol `sip`), creates a user agent with
    /// `config` and a random seed from the operating system, and starts the
    /// driver. Nothing is sent until a command (e.g. [`Phone::register`]).
    pub async fn connect(url: &str, config: Config) -> Result<Self, DriverError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(DriverError::Random)?;
        let socket = transport::connect(url).await?;
        let clock = Clock::start();
        let ua = UserAgent::new(config, seed, clock.now());
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(Driver::new(ua, clock, socket, event_tx).run(command_rx));
        Ok(Self {
            commands,
            events,
            task: Some(task),
        })
    }

    /// The next event of the user agent; `None` once the driver has stopped
    /// and every event has been read.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Reads events until `pick` returns `Some`, and returns that value; the
    /// events before it are discarded. `None` if the driver stops first.
    /// Bound the wait with `tokio::time::timeout`.
    pub async fn wait_for<T>(&mut self, mut pick: impl FnMut(&Event) -> Option<T>) -> Option<T> {
        while let Some(event) = self.events.recv().await {
            if let Some(found) = pick(&event) {
                return Some(found);
            }
        }
        None
    }

    /// Runs `job` on the user agent inside the driver, with the driver's
    /// current time, then drains its output. Every command method is built on
    /// this; use it for the commands and getters not wrapped here.
    pub async fn with<R, F>(&self, job: F) -> Result<R, PhoneError>
    where
        R: Send + 'static,
        F: FnOnce(&mut UserAgent, SipInstant) -> R + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let run = move |ua: &mut UserAgent, now: SipInstant| {
            // The caller may have given up waiting; the command ran anyway.
            let _ = reply.send(job(ua, now));
        };
        self.commands
            .send(Command::Run(Box::new(run)))
            .map_err(|_| PhoneError::Stopped)?;
        result.await.map_err(|_| PhoneError::Stopped)
    }

    /// Like [`Phone::with`] for a command that can fail in the user agent.
    async fn command<R, F>(&self, job: F) -> Result<R, PhoneError>
    where
        R: Send + 'static,
        F: FnOnce(&mut UserAgent, SipInstant) -> Result<R, UaError> + Send + 'static,
    {
        Ok(self.with(job).await??)
    }

    // ---- registration ----

    /// Starts registration (RFC 3261 §10.2); progress comes as
    /// [`Event::Registration`].
    pub async fn register(&self) -> Result<(), PhoneError> {
        self.with(|ua, now| ua.register(now)).await
    }

    /// Removes the binding (Expires: 0).
    pub async fn unregister(&self) -> Result<(), PhoneError> {
        self.with(|ua, now| ua.unregister(now)).await
    }

    /// Where the registration stands.
    pub async fn registration_state(&self) -> Result<RegistrationState, PhoneError> {
        self.with(|ua, _| ua.registration_state()).await
    }

    // ---- calls ----

    /// Places a call; the stack then asks for an offer with
    /// [`Event::LocalDescriptionNeeded`].
    pub async fn call(&self, target: &str, media: MediaKind) -> Result<CallHandle, PhoneError> {
        let target = target.to_owned();
        self.command(move |ua, now| ua.call(now, &target, media))
            .await
    }

    /// Hands the stack the SDP asked for with [`Event::LocalDescriptionNeeded`].
    pub async fn set_local_description(
        &self,
        call: CallHandle,
        sdp: String,
    ) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.set_local_description(now, call, sdp))
            .await
    }

    /// Sends 180 Ringing for an incoming call.
    pub async fn ring(&self, call: CallHandle) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.ring(now, call)).await
    }

    /// Accepts an incoming call.
    pub async fn answer(&self, call: CallHandle) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.answer(now, call)).await
    }

    /// Rejects an incoming call with `status` (486 busy, 603 decline, …).
    pub async fn reject(&self, call: CallHandle, status: u16) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.reject(now, call, status))
            .await
    }

    /// Ends a call: CANCEL before the answer, BYE after.
    pub async fn hangup(&self, call: CallHandle) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.hangup(now, call)).await
    }

    /// Puts a call on hold (re-INVITE, RFC 3264 §8.4).
    pub async fn hold(&self, call: CallHandle) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.hold(now, call)).await
    }

    /// Takes a call off hold.
    pub async fn resume(&self, call: CallHandle) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.resume(now, call)).await
    }

    /// Sends one DTMF digit in an INFO request.
    pub async fn send_dtmf_info(
        &self,
        call: CallHandle,
        digit: char,
        duration_ms: u32,
        format: DtmfFormat,
    ) -> Result<(), PhoneError> {
        self.command(move |ua, now| ua.send_dtmf_info(now, call, digit, duration_ms, format))
            .await
    }

    /// Blind transfer of `call` to `target` (REFER, RFC 3515).
    pub async fn refer(&self, call: CallHandle, target: &str) -> Result<(), PhoneError> {
        let target = target.to_owned();
        self.command(move |ua, now| ua.refer(now, call, &target))
            .await
    }

    /// The state of `call`, if the stack still knows it.
    pub async fn call_state(&self, call: CallHandle) -> Result<Option<CallState>, PhoneError> {
        self.with(move |ua, _| ua.call_state(call)).await
    }

    // ---- messages ----

    /// Sends a MESSAGE (RFC 3428) to `target`; the outcome comes as
    /// [`Event::MessageResult`].
    pub async fn send_message(
        &self,
        target: &str,
        content_type: &str,
        body: &str,
    ) -> Result<MessageHandle, PhoneError> {
        let (target, content_type, body) =
            (target.to_owned(), content_type.to_owned(), body.to_owned());
        self.command(move |ua, now| ua.send_message(now, &target, &content_type, &body))
            .await
    }

    // ---- lifecycle ----

    /// Live transactions, dialogs, timers, calls and subscriptions.
    pub async fn resources(&self) -> Result<Resources, PhoneError> {
        self.with(|ua, _| ua.resources()).await
    }

    /// Closes the WebSocket (with a close frame), tells the user agent, and
    /// waits for the driver to stop. Events produced on the way remain
    /// readable with [`Phone::next_event`]. Returns how the driver ended: an
    /// error if the connection had already failed or been closed by the server.
    pub async fn shutdown(&mut self) -> Result<(), DriverError> {
        // Fails only if the driver has already stopped; the join says why.
        let _ = self.commands.send(Command::Shutdown);
        match self.task.take() {
            Some(task) => task.await.map_err(|e| DriverError::Task(e.to_string()))?,
            None => Ok(()),
        }
    }
}
