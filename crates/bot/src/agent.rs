//! A registered phone whose calls carry WebRTC media: the SIP side of the
//! echo service and of the tone analyser.
//!
//! [`Agent`] connects a [`Phone`] and keeps, per call, the media session that
//! answers or makes its SDP. Each connected call runs its media in a task;
//! when the media ends (the peer fell silent, ICE failed) the agent hangs up,
//! and when the call ends the agent stops the media. A call-length limit
//! hangs up calls that last too long.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use vani_sip_ws::{CallHandle, CallState, Event, MediaKind, Phone, RegistrationState, SdpKind};

use crate::BotError;
use crate::account::{Account, REGISTER_TIMEOUT};
use crate::media::{Counts, MediaHandler, Session, SessionEnd, offer};

/// How the agent treats calls.
#[derive(Clone, Debug)]
pub struct AgentOptions {
    /// Answer incoming calls (otherwise they are rejected with 486).
    pub answer: bool,
    /// Accept video when offered, and offer it on calls we place.
    pub video: bool,
    /// End a call whose peer sends nothing for this long.
    pub idle_timeout: Duration,
    /// Hang up calls that last longer than this.
    pub max_call: Option<Duration>,
}

/// Makes the media handler of each call.
pub trait MediaFactory: Send {
    /// The handler for `call`'s media.
    fn handler(&mut self, call: CallHandle) -> Box<dyn MediaHandler>;
}

/// Something that happened to the agent, after it did its own part.
#[derive(Debug)]
pub enum Happening {
    /// A user-agent event (already acted upon where the agent has a role).
    Sip(Event),
    /// A call's media ended (the agent has hung up if the call was up).
    MediaEnded {
        /// Which call.
        call: CallHandle,
        /// Why.
        end: SessionEnd,
        /// Its packet counts.
        counts: Counts,
    },
}

/// A call's media, by stage.
enum Slot {
    /// Our offer is out; the session waits for the answer.
    Offered(Box<Session>),
    /// Our answer is made; the stack will ask for it.
    Answering {
        session: Box<Session>,
        answer: String,
    },
    /// Media runs in a task.
    Running {
        stop: oneshot::Sender<()>,
        task: JoinHandle<()>,
        /// The SDP we answered with, repeated for re-offers (hold, resume).
        local: Option<String>,
    },
}

/// A registered phone with media.
pub struct Agent {
    phone: Phone,
    account: Account,
    options: AgentOptions,
    calls: HashMap<CallHandle, Slot>,
    deadlines: HashMap<CallHandle, Instant>,
    ended_tx: mpsc::UnboundedSender<(CallHandle, SessionEnd, Counts)>,
    ended_rx: mpsc::UnboundedReceiver<(CallHandle, SessionEnd, Counts)>,
    rejected: u64,
}

impl Agent {
    /// Connects to the account's server and registers.
    pub async fn register(account: Account, options: AgentOptions) -> Result<Self, BotError> {
        let mut phone = Phone::connect(&account.server, account.config()).await?;
        phone.register().await?;
        let outcome = tokio::time::timeout(
            REGISTER_TIMEOUT,
            phone.wait_for(|event| match event {
                Event::Registration(RegistrationState::Registered { .. }) => Some(Ok(())),
                Event::Registration(RegistrationState::Failed(why)) => {
                    Some(Err(format!("{why:?}")))
                }
                _ => None,
            }),
        )
        .await;
        match outcome {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(why))) => return Err(BotError::Registration(why)),
            Ok(None) => return Err(BotError::Registration("connection closed".into())),
            Err(_) => {
                return Err(BotError::Registration(
                    "no answer from the registrar".into(),
                ));
            }
        }
        log::info!(target: "vani_bot", "registered as {}", account.aor());
        let (ended_tx, ended_rx) = mpsc::unbounded_channel();
        Ok(Self {
            phone,
            account,
            options,
            calls: HashMap::new(),
            deadlines: HashMap::new(),
            ended_tx,
            ended_rx,
            rejected: 0,
        })
    }

    /// The phone, for commands the agent does not wrap (INFO DTMF, hangup).
    pub fn phone(&self) -> &Phone {
        &self.phone
    }

    /// The account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// Calls whose media is being set up or running.
    pub fn active_calls(&self) -> usize {
        self.calls.len()
    }

    /// Incoming calls refused (bad or unsupported offer, or not answering).
    pub fn rejected_calls(&self) -> u64 {
        self.rejected
    }

    /// Places a call to `target` (a user or a SIP URI) with our offer.
    pub async fn call(&mut self, target: &str) -> Result<CallHandle, BotError> {
        let media = if self.options.video {
            MediaKind::AudioVideo
        } else {
            MediaKind::Audio
        };
        Ok(self
            .phone
            .call(&self.account.uri_for(target), media)
            .await?)
    }

    /// The next thing that happened, acted upon; `None` once the connection
    /// to the server is gone.
    pub async fn next(&mut self, factory: &mut dyn MediaFactory) -> Option<Happening> {
        let deadline = self.deadlines.values().min().copied();
        let limit = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = self.phone.next_event() => {
                let event = event?;
                self.on_event(&event, factory).await;
                Some(Happening::Sip(event))
            }
            Some((call, end, counts)) = self.ended_rx.recv() => {
                log::info!(target: "vani_bot", "call {call:?}: media ended ({end:?})");
                if end != SessionEnd::Stopped {
                    let _ = self.phone.hangup(call).await;
                }
                Some(Happening::MediaEnded { call, end, counts })
            }
            () = limit => {
                let now = Instant::now();
                let over: Vec<CallHandle> =
                    self.deadlines.iter().filter(|(_, at)| **at <= now).map(|(c, _)| *c).collect();
                for call in over {
                    log::info!(target: "vani_bot", "call {call:?}: length limit reached, hanging up");
                    self.deadlines.remove(&call);
                    let _ = self.phone.hangup(call).await;
                }
                Box::pin(self.next(factory)).await
            }
        }
    }

    async fn on_event(&mut self, event: &Event, factory: &mut dyn MediaFactory) {
        match event {
            Event::IncomingCall {
                call,
                remote_sdp,
                from,
                ..
            } => {
                log::info!(target: "vani_bot", "call {call:?} from {from}");
                self.incoming(*call, remote_sdp.as_deref()).await;
            }
            Event::LocalDescriptionNeeded { call, kind, .. } => {
                self.local_description(*call, *kind).await
            }
            Event::RemoteDescription {
                call,
                kind: SdpKind::Answer,
                sdp,
            } => {
                self.remote_answer(*call, sdp, factory).await;
            }
            Event::CallState {
                call,
                state: CallState::Connected,
            } => {
                if let Some(Slot::Answering { .. }) = self.calls.get(call) {
                    if let Some(Slot::Answering { session, answer }) = self.calls.remove(call) {
                        self.start_media(*call, *session, Some(answer), factory);
                    }
                }
                if let Some(limit) = self.options.max_call {
                    self.deadlines.insert(*call, Instant::now() + limit);
                }
            }
            Event::CallState {
                call,
                state: CallState::Ended(reason),
            } => {
                log::info!(target: "vani_bot", "call {call:?} ended: {reason:?}");
                self.deadlines.remove(call);
                if let Some(Slot::Running { stop, .. }) = self.calls.remove(call) {
                    let _ = stop.send(());
                }
            }
            _ => {}
        }
    }

    /// An INVITE arrived: answer it if its offer is usable, else 488.
    async fn incoming(&mut self, call: CallHandle, offer: Option<&str>) {
        if !self.options.answer {
            self.reject(call, 486).await;
            return;
        }
        let Some(offer) = offer else {
            log::info!(target: "vani_bot", "call {call:?}: INVITE without an offer, refused");
            self.reject(call, 488).await;
            return;
        };
        let summary = match offer::check(offer) {
            Ok(summary) => summary,
            Err(problem) => {
                log::info!(target: "vani_bot", "call {call:?}: {problem}");
                self.reject(call, problem.status()).await;
                return;
            }
        };
        let prepared = async {
            let mut session = Session::new(self.options.video && summary.video).await?;
            let answer = session.accept_offer(offer)?;
            Ok::<_, crate::media::MediaError>((session, answer))
        };
        match prepared.await {
            Ok((session, answer)) => {
                self.calls.insert(
                    call,
                    Slot::Answering {
                        session: Box::new(session),
                        answer,
                    },
                );
                if let Err(error) = self.phone.answer(call).await {
                    log::warn!(target: "vani_bot", "call {call:?}: answer failed: {error}");
                    self.calls.remove(&call);
                }
            }
            Err(error) => {
                log::info!(target: "vani_bot", "call {call:?}: offer refused by the media engine: {error}");
                self.reject(call, 488).await;
            }
        }
    }

    async fn reject(&mut self, call: CallHandle, status: u16) {
        self.rejected += 1;
        let _ = self.phone.reject(call, status).await;
    }

    /// The stack asks for our SDP: our answer, our offer, or (re-offer on a
    /// running call) the answer we gave before.
    async fn local_description(&mut self, call: CallHandle, kind: SdpKind) {
        let sdp = match (kind, self.calls.get_mut(&call)) {
            (SdpKind::Answer, Some(Slot::Answering { answer, .. })) => Ok(answer.clone()),
            (
                SdpKind::Answer,
                Some(Slot::Running {
                    local: Some(local), ..
                }),
            ) => Ok(local.clone()),
            (SdpKind::Offer, None) => self.make_offer(call).await,
            _ => Err(crate::media::MediaError::Sdp(
                "no media for this negotiation".into(),
            )),
        };
        match sdp {
            Ok(sdp) => {
                if let Err(error) = self.phone.set_local_description(call, sdp).await {
                    log::warn!(target: "vani_bot", "call {call:?}: SDP not taken: {error}");
                }
            }
            Err(error) => {
                log::warn!(target: "vani_bot", "call {call:?}: {error}");
                let _ = self.phone.hangup(call).await;
            }
        }
    }

    async fn make_offer(&mut self, call: CallHandle) -> Result<String, crate::media::MediaError> {
        let mut session = Session::new(self.options.video).await?;
        let offer = session.create_offer(self.options.video)?;
        self.calls.insert(call, Slot::Offered(Box::new(session)));
        Ok(offer)
    }

    async fn remote_answer(&mut self, call: CallHandle, sdp: &str, factory: &mut dyn MediaFactory) {
        let Some(Slot::Offered(mut session)) = self.calls.remove(&call) else {
            return;
        };
        match session.accept_answer(sdp) {
            Ok(()) => self.start_media(call, *session, None, factory),
            Err(error) => {
                log::warn!(target: "vani_bot", "call {call:?}: answer refused: {error}");
                let _ = self.phone.hangup(call).await;
            }
        }
    }

    fn start_media(
        &mut self,
        call: CallHandle,
        session: Session,
        local: Option<String>,
        factory: &mut dyn MediaFactory,
    ) {
        let (stop, stopped) = oneshot::channel();
        let mut handler = factory.handler(call);
        let ended = self.ended_tx.clone();
        let idle = self.options.idle_timeout;
        let task = tokio::spawn(async move {
            match session.run(handler.as_mut(), stopped, idle).await {
                Ok((end, counts)) => {
                    let _ = ended.send((call, end, counts));
                }
                Err(error) => {
                    log::warn!(target: "vani_bot", "call {call:?}: media failed: {error}");
                    let _ = ended.send((call, SessionEnd::Disconnected, Counts::default()));
                }
            }
        });
        self.calls.insert(call, Slot::Running { stop, task, local });
    }

    /// Hangs up every call, waits for their media to stop, unregisters and
    /// closes the connection.
    pub async fn close(mut self) -> Result<(), BotError> {
        let calls: Vec<CallHandle> = self.calls.keys().copied().collect();
        for call in calls {
            let _ = self.phone.hangup(call).await;
            if let Some(Slot::Running { stop, task, .. }) = self.calls.remove(&call) {
                let _ = stop.send(());
                let _ = task.await;
            }
        }
        self.phone.unregister().await?;
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            self.phone.wait_for(|e| {
                matches!(
                    e,
                    Event::Registration(
                        RegistrationState::Unregistered | RegistrationState::Failed(_)
                    )
                )
                .then_some(())
            }),
        )
        .await;
        self.phone.shutdown().await?;
        log::info!(target: "vani_bot", "{}: unregistered and disconnected", self.account.aor());
        Ok(())
    }
}
