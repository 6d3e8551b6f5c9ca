//! The load generator: N users, each over its own WebSocket, register with
//! digest auth and call each other at R calls per second for S seconds.
//!
//! It is bounded: never more than N connections, never more than one call
//! per tick of 1/R s, never longer than S s of calls (plus the calls in
//! flight, each limited by its hold and setup timeouts); and it targets only
//! loopback unless `allow_remote` is set.

pub mod stats;
pub mod target;
pub mod user;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use vani_sip_ws::Phone;

use crate::{BotError, Shutdown};
use stats::{Causes, cpu_time, percentile};
use user::{Command, Outcome};

/// The most users the demo's load accounts provide (`load0000`..`load9999`).
pub const MAX_USERS: usize = 10_000;
/// The highest call rate accepted, per second.
pub const MAX_RATE: f64 = 1000.0;
/// The longest run accepted.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
/// Connections opened at once.
const CONNECT_WINDOW: usize = 100;
/// REGISTER transactions in flight at once.
const REGISTER_WINDOW: usize = 200;
/// How long calls still in flight at the end may take to finish, beyond their hold.
const DRAIN_GRACE: Duration = Duration::from_secs(15);

/// What to run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// The server's WebSocket URL.
    pub target: String,
    /// The SIP domain.
    pub domain: String,
    /// Users (connections, registrations).
    pub users: usize,
    /// Number of the first load user (`load{first:04}`).
    pub first_user: usize,
    /// Calls per second.
    pub rate: f64,
    /// How long to place calls.
    pub duration: Duration,
    /// How long each call stays up.
    pub hold: Duration,
    /// Calls carry WebRTC audio (otherwise a fixed SDP, signalling only).
    pub media: bool,
    /// Allow a target that is not loopback.
    pub allow_remote: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            target: "ws://127.0.0.1:8088".into(),
            domain: "localhost".into(),
            users: 100,
            first_user: 0,
            rate: 10.0,
            duration: Duration::from_secs(10),
            hold: Duration::from_secs(1),
            media: false,
            allow_remote: false,
        }
    }
}

impl LoadOptions {
    /// Checks the bounds and the target.
    pub fn validate(&self) -> Result<(), BotError> {
        if !self.allow_remote && !target::is_loopback(&self.target) {
            return Err(BotError::RemoteTarget(self.target.clone()));
        }
        if self.users < 2 || self.first_user + self.users > MAX_USERS {
            return Err(BotError::Usage(format!(
                "--users must be 2..={MAX_USERS} (load0000..load9999), from --first-user"
            )));
        }
        if !(self.rate > 0.0 && self.rate <= MAX_RATE) {
            return Err(BotError::Usage(format!(
                "--rate must be in (0, {MAX_RATE}] calls per second"
            )));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return Err(BotError::Usage(
                "--duration must be 1..=3600 seconds".into(),
            ));
        }
        Ok(())
    }
}

/// The figures of a run.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LoadReport {
    /// Users asked for.
    pub users: usize,
    /// WebSocket connections opened.
    pub connected: usize,
    /// Users registered.
    pub registered: usize,
    /// Seconds from the first REGISTER to the last registration.
    pub register_seconds: f64,
    /// Registrations per second over that time.
    pub registrations_per_second: f64,
    /// Calls placed.
    pub calls_placed: u64,
    /// Calls that connected.
    pub calls_connected: u64,
    /// Ticks without two idle users (no call placed; not a failure).
    pub calls_skipped_busy: u64,
    /// Call setup (INVITE sent → 200 received), ms.
    pub setup_p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub setup_p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub setup_p99_ms: Option<f64>,
    /// Worst, ms.
    pub setup_max_ms: Option<f64>,
    /// Failures by cause (connection, registration, calls).
    pub failures: Causes,
    /// CPU time of the generator itself (user + system), seconds.
    pub cpu_seconds: f64,
    /// Wall-clock time of the whole run, seconds.
    pub wall_seconds: f64,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1} ms"));
        writeln!(
            f,
            "users           {} connected, {} registered of {}",
            self.connected, self.registered, self.users
        )?;
        writeln!(
            f,
            "registrations   {:.0}/s ({} in {:.2} s)",
            self.registrations_per_second, self.registered, self.register_seconds
        )?;
        writeln!(
            f,
            "calls           {} placed, {} connected, {} ticks skipped (all users busy)",
            self.calls_placed, self.calls_connected, self.calls_skipped_busy
        )?;
        writeln!(
            f,
            "call setup      p50 {}  p95 {}  p99 {}  max {}",
            ms(self.setup_p50_ms),
            ms(self.setup_p95_ms),
            ms(self.setup_p99_ms),
            ms(self.setup_max_ms)
        )?;
        if self.failures.0.is_empty() {
            writeln!(f, "failures        0")?;
        } else {
            writeln!(f, "failures        {}", self.failures.total())?;
            for (cause, count) in &self.failures.0 {
                writeln!(f, "  {count:>6}  {cause}")?;
            }
        }
        write!(
            f,
            "cpu             {:.2} s over {:.2} s wall",
            self.cpu_seconds, self.wall_seconds
        )
    }
}

/// Runs the load and returns its figures. `shutdown` ends the call phase
/// early; users are unregistered either way.
pub async fn run(options: LoadOptions, mut shutdown: Shutdown) -> Result<LoadReport, BotError> {
    options.validate()?;
    let started = Instant::now();
    let cpu_before = cpu_time().unwrap_or_default();
    let mut report = LoadReport {
        users: options.users,
        ..LoadReport::default()
    };

    let phones = connect_all(&options, &mut report.failures).await;
    report.connected = phones.len();
    let (phones, register_time) = register_all(phones, &mut report.failures).await;
    report.registered = phones.len();
    report.register_seconds = register_time.as_secs_f64();
    if report.register_seconds > 0.0 {
        report.registrations_per_second = report.registered as f64 / report.register_seconds;
    }

    let mut users = Vec::new();
    let mut tasks = JoinSet::new();
    for (index, phone) in phones {
        let (tx, rx) = mpsc::unbounded_channel();
        tasks.spawn(user::run(phone, rx, options.media));
        users.push((index, tx));
    }
    let setups = place_calls(&options, &users, &mut report, &mut shutdown).await;

    // Closing the command channels makes each user unregister and disconnect.
    drop(users);
    while tasks.join_next().await.is_some() {}

    let mut setups = setups;
    setups.sort();
    let ms = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1000.0);
    report.setup_p50_ms = ms(percentile(&setups, 50.0));
    report.setup_p95_ms = ms(percentile(&setups, 95.0));
    report.setup_p99_ms = ms(percentile(&setups, 99.0));
    report.setup_max_ms = ms(setups.last().copied());
    report.cpu_seconds = cpu_time()
        .unwrap_or_default()
        .saturating_sub(cpu_before)
        .as_secs_f64();
    report.wall_seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Opens one WebSocket per user, a window at a time.
async fn connect_all(options: &LoadOptions, failures: &mut Causes) -> Vec<(usize, Phone)> {
    let window = Arc::new(Semaphore::new(CONNECT_WINDOW));
    let mut set = JoinSet::new();
    for index in options.first_user..options.first_user + options.users {
        let account = user::account(&options.target, &options.domain, index);
        let window = window.clone();
        set.spawn(async move {
            let _permit = window.acquire_owned().await;
            (
                index,
                Phone::connect(&account.server, account.config()).await,
            )
        });
    }
    let mut phones = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, Ok(phone))) => phones.push((index, phone)),
            Ok((_, Err(error))) => failures.add(format!("connect: {error}")),
            Err(error) => failures.add(format!("connect: {error}")),
        }
    }
    phones.sort_by_key(|(index, _)| *index);
    phones
}

/// Registers every connected user, a window of transactions at a time.
async fn register_all(
    phones: Vec<(usize, Phone)>,
    failures: &mut Causes,
) -> (Vec<(usize, Phone)>, Duration) {
    let window = Arc::new(Semaphore::new(REGISTER_WINDOW));
    let started = Instant::now();
    let mut set = JoinSet::new();
    for (index, mut phone) in phones {
        let window = window.clone();
        set.spawn(async move {
            let _permit = window.acquire_owned().await;
            let result = user::register(&mut phone).await;
            (index, phone, result)
        });
    }
    let mut registered = Vec::new();
    let mut last = started;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, phone, Ok(()))) => {
                last = Instant::now();
                registered.push((index, phone));
            }
            Ok((_, mut phone, Err(cause))) => {
                failures.add(cause);
                let _ = phone.shutdown().await;
            }
            Err(error) => failures.add(format!("register: {error}")),
        }
    }
    registered.sort_by_key(|(index, _)| *index);
    (registered, last - started)
}

/// Places calls at the rate for the duration, between idle users, and
/// collects their setup times once every call has finished.
async fn place_calls(
    options: &LoadOptions,
    users: &[(usize, mpsc::UnboundedSender<Command>)],
    report: &mut LoadReport,
    shutdown: &mut Shutdown,
) -> Vec<Duration> {
    let mut idle: VecDeque<usize> = (0..users.len()).collect();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, usize, Outcome)>();
    let mut setups = Vec::new();
    let mut in_flight = 0usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / options.rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let end = Instant::now() + options.duration;
    let mut placing = users.len() >= 2;
    let mut finish_by: Option<Instant> = None;
    loop {
        if !placing && in_flight == 0 {
            break;
        }
        tokio::select! {
            () = shutdown.wait(), if placing => placing = false,
            _ = ticker.tick(), if placing => {
                if Instant::now() >= end {
                    placing = false;
                    continue;
                }
                let (Some(caller), Some(callee)) = (idle.pop_front(), idle.pop_front()) else {
                    report.calls_skipped_busy += 1;
                    continue;
                };
                let (Some((_, commands)), Some((callee_index, _))) = (users.get(caller), users.get(callee)) else {
                    continue;
                };
                let (reply, outcome) = tokio::sync::oneshot::channel();
                let target = format!("sip:{}@{}", crate::account::load_user(*callee_index), options.domain);
                report.calls_placed += 1;
                in_flight += 1;
                if commands.send(Command::Call { target, hold: options.hold, reply }).is_err() {
                    let _ = done_tx.send((caller, callee, Outcome { setup: None, failure: Some("user task ended".into()) }));
                    continue;
                }
                let done = done_tx.clone();
                tokio::spawn(async move {
                    let outcome = outcome.await.unwrap_or(Outcome { setup: None, failure: Some("user task ended".into()) });
                    let _ = done.send((caller, callee, outcome));
                });
            }
            Some((caller, callee, outcome)) = done_rx.recv() => {
                in_flight -= 1;
                idle.push_back(caller);
                idle.push_back(callee);
                if let Some(setup) = outcome.setup {
                    report.calls_connected += 1;
                    setups.push(setup);
                }
                if let Some(cause) = outcome.failure {
                    report.failures.add(cause);
                }
            }
            () = sleep_until(finish_by), if !placing => {
                report.failures.add("call: still in flight at the end");
                break;
            }
        }
        if !placing && finish_by.is_none() {
            finish_by = Some(Instant::now() + options.hold + DRAIN_GRACE);
        }
    }
    setups
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
