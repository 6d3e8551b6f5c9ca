//! One load-test user: a registered phone in its own task that places the
//! calls it is told to (timing INVITE sent → 200 received), answers every call
//! it gets, and hangs up after the hold time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use vani_sip_ws::{CallHandle, CallState, Event, MediaKind, Phone, RegistrationState, SdpKind};

use crate::account::{Account, load_password, load_user};
use crate::media::{Frame, MediaData, MediaHandler, Negotiated, Payload, Session};

/// A fixed audio offer and answer for signalling-only calls (RFC 8866): no
/// media is ever sent to its port.
const DUMMY_OFFER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
    m=audio 9 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
/// A call not answered within this is given up (CANCEL).
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Media sessions of load calls end after this long without packets.
const MEDIA_IDLE: Duration = Duration::from_secs(10);

/// What the orchestrator asks a user to do.
pub enum Command {
    /// Call `target`, hold for `hold`, hang up, and report.
    Call {
        /// The callee's SIP URI.
        target: String,
        /// How long to stay connected.
        hold: Duration,
        /// Where the outcome goes.
        reply: oneshot::Sender<Outcome>,
    },
}

/// How a placed call went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// INVITE sent → 200 received, if the call connected.
    pub setup: Option<Duration>,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

/// The account of load user `index` on `server`.
pub fn account(server: &str, domain: &str, index: usize) -> Account {
    let user = load_user(index);
    Account {
        server: server.to_owned(),
        domain: domain.to_owned(),
        password: load_password(&user),
        user,
    }
}

/// Sends REGISTER and waits for the outcome; the error names the cause.
pub async fn register(phone: &mut Phone) -> Result<(), String> {
    phone.register().await.map_err(|e| e.to_string())?;
    let outcome = tokio::time::timeout(
        crate::account::REGISTER_TIMEOUT,
        phone.wait_for(|event| match event {
            Event::Registration(RegistrationState::Registered { .. }) => Some(Ok(())),
            Event::Registration(RegistrationState::Failed(why)) => {
                Some(Err(format!("register: {why:?}")))
            }
            _ => None,
        }),
    )
    .await;
    match outcome {
        Ok(Some(result)) => result,
        Ok(None) => Err("register: connection closed".into()),
        Err(_) => Err("register: timeout".into()),
    }
}

struct Placed {
    reply: Option<oneshot::Sender<Outcome>>,
    hold: Duration,
    invite_sent: Option<Instant>,
    setup: Option<Duration>,
    hangup_at: Instant,
}

/// Media of one load call.
enum Media {
    Ready(Box<Session>),
    Running(oneshot::Sender<()>),
}

/// Runs a registered user until its command channel closes, then
/// unregisters and disconnects. With `media`, calls carry WebRTC audio.
pub async fn run(mut phone: Phone, mut commands: mpsc::UnboundedReceiver<Command>, media: bool) {
    let mut placed: HashMap<CallHandle, Placed> = HashMap::new();
    let mut sessions: HashMap<CallHandle, Media> = HashMap::new();
    loop {
        let next_timer = placed.values().map(|p| p.hangup_at).min();
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Call { target, hold, reply }) => match phone.call(&target, MediaKind::Audio).await {
                    Ok(call) => {
                        placed.insert(call, Placed {
                            reply: Some(reply),
                            hold,
                            invite_sent: None,
                            setup: None,
                            hangup_at: Instant::now() + SETUP_TIMEOUT,
                        });
                    }
                    Err(error) => {
                        let _ = reply.send(Outcome { setup: None, failure: Some(format!("call: {error}")) });
                    }
                },
                None => break,
            },
            event = phone.next_event() => {
                let Some(event) = event else { break };
                on_event(&phone, event, &mut placed, &mut sessions, media).await;
            }
            () = sleep_until(next_timer) => {
                let now = Instant::now();
                for (call, p) in placed.iter_mut().filter(|(_, p)| p.hangup_at <= now) {
                    p.hangup_at = now + SETUP_TIMEOUT;
                    let _ = phone.hangup(*call).await;
                }
            }
        }
    }
    for (call, _) in placed.drain() {
        let _ = phone.hangup(call).await;
    }
    let _ = phone.unregister().await;
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        phone.wait_for(|e| {
            matches!(
                e,
                Event::Registration(RegistrationState::Unregistered | RegistrationState::Failed(_))
            )
            .then_some(())
        }),
    )
    .await;
    let _ = phone.shutdown().await;
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn on_event(
    phone: &Phone,
    event: Event,
    placed: &mut HashMap<CallHandle, Placed>,
    sessions: &mut HashMap<CallHandle, Media>,
    media: bool,
) {
    match event {
        Event::IncomingCall { call, .. } => {
            let _ = phone.answer(call).await;
        }
        Event::LocalDescriptionNeeded {
            call,
            kind,
            remote_sdp,
        } => {
            let sdp = if media {
                match local_media(kind, remote_sdp.as_deref()).await {
                    Ok((session, sdp)) => {
                        sessions.insert(call, Media::Ready(Box::new(session)));
                        sdp
                    }
                    Err(_) => {
                        let _ = phone.reject(call, 488).await;
                        return;
                    }
                }
            } else {
                DUMMY_OFFER.to_owned()
            };
            if let Some(p) = placed.get_mut(&call) {
                p.invite_sent = Some(Instant::now());
            }
            let _ = phone.set_local_description(call, sdp).await;
        }
        Event::RemoteDescription {
            call,
            kind: SdpKind::Answer,
            sdp,
        } => {
            if let Some(Media::Ready(mut session)) = sessions.remove(&call) {
                if session.accept_answer(&sdp).is_ok() {
                    sessions.insert(call, Media::Running(start(*session)));
                }
            }
        }
        Event::CallState {
            call,
            state: CallState::Connected,
        } => {
            if let Some(Media::Ready(session)) = sessions.remove(&call) {
                sessions.insert(call, Media::Running(start(*session)));
            }
            if let Some(p) = placed.get_mut(&call) {
                let now = Instant::now();
                p.setup = p.invite_sent.map(|sent| now - sent);
                p.hangup_at = now + p.hold;
            }
        }
        Event::CallState {
            call,
            state: CallState::Ended(reason),
        } => {
            if let Some(Media::Running(stop)) = sessions.remove(&call) {
                let _ = stop.send(());
            }
            if let Some(mut p) = placed.remove(&call) {
                let failure = match (&p.setup, &reason) {
                    (Some(_), _) => None,
                    (None, reason) => Some(format!("call: {reason:?}")),
                };
                if let Some(reply) = p.reply.take() {
                    let _ = reply.send(Outcome {
                        setup: p.setup,
                        failure,
                    });
                }
            }
        }
        _ => {}
    }
}

async fn local_media(
    kind: SdpKind,
    remote: Option<&str>,
) -> Result<(Session, String), crate::media::MediaError> {
    let mut session = Session::new(false).await?;
    let sdp = match (kind, remote) {
        (SdpKind::Answer, Some(offer)) => session.accept_offer(offer)?,
        _ => session.create_offer(false)?,
    };
    Ok((session, sdp))
}

fn start(session: Session) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel();
    tokio::spawn(async move {
        let mut handler = Steady::default();
        let _ = session.run(&mut handler, stopped, MEDIA_IDLE).await;
    });
    stop
}

/// Load-call media: one pre-encoded Opus frame of a tone, sent every 20 ms.
#[derive(Default)]
struct Steady {
    mid: Option<str0m::media::Mid>,
    frame: Option<Arc<[u8]>>,
    rtp_time: u64,
}

impl MediaHandler for Steady {
    fn connected(&mut self, _now: std::time::Instant, negotiated: &Negotiated) {
        self.mid = negotiated.audio;
        let pcm = crate::dsp::Sine::new(440.0, 48_000, 0.2).frame(960);
        self.frame = crate::opus::Encoder::new(48_000)
            .and_then(|mut e| e.encode(&pcm))
            .ok()
            .map(Arc::from);
    }

    fn received(&mut self, _now: std::time::Instant, _data: &MediaData) {}

    fn due(&mut self, _now: std::time::Instant, out: &mut Vec<Frame>) {
        let (Some(mid), Some(frame)) = (self.mid, self.frame.clone()) else {
            return;
        };
        out.push(Frame {
            mid,
            payload: Payload::Opus,
            rtp_time: str0m::media::MediaTime::new(
                self.rtp_time,
                str0m::media::Frequency::FORTY_EIGHT_KHZ,
            ),
            data: frame,
            tone: None,
        });
        self.rtp_time += 960;
    }
}
