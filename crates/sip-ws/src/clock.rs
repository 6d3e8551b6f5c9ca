//! The driver's clock: tokio time mapped onto the stack's
//! [`vani_sip::time::Instant`], milliseconds since the driver started.
//!
//! Going through tokio's clock (not `std::time`) lets tests pause and advance
//! time with `tokio::time::pause`.

use std::time::Duration;

use vani_sip::time::Instant as SipInstant;

/// Maps between tokio instants and the stack's instants.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: tokio::time::Instant,
}

impl Clock {
    /// A clock whose origin (stack instant 0) is now.
    pub fn start() -> Self {
        Self::with_origin(tokio::time::Instant::now())
    }

    /// A clock whose origin is `origin`.
    pub fn with_origin(origin: tokio::time::Instant) -> Self {
        Self { origin }
    }

    /// The stack instant of tokio instant `at`, rounded down to the
    /// millisecond (instants before the origin map to 0).
    pub fn to_sip(&self, at: tokio::time::Instant) -> SipInstant {
        let elapsed = at.saturating_duration_since(self.origin);
        SipInstant::from_millis(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
    }

    /// The current stack instant.
    pub fn now(&self) -> SipInstant {
        self.to_sip(tokio::time::Instant::now())
    }

    /// The tokio instant of stack instant `at`. Rounding in [`Clock::to_sip`]
    /// goes down, so when a timer armed here fires, [`Clock::now`] has
    /// reached `at`.
    pub fn to_tokio(&self, at: SipInstant) -> tokio::time::Instant {
        let offset = Duration::from_millis(at.as_millis());
        self.origin.checked_add(offset).unwrap_or_else(far_future)
    }
}

/// An instant no timer will reach (about thirty years from now).
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn counts_milliseconds_from_the_origin() {
        let clock = Clock::start();
        assert_eq!(clock.now().as_millis(), 0);
        tokio::time::advance(Duration::from_millis(1500)).await;
        assert_eq!(clock.now().as_millis(), 1500);
    }

    #[tokio::test(start_paused = true)]
    async fn round_trips_a_deadline() {
        let clock = Clock::start();
        let deadline = SipInstant::from_millis(32_000);
        let at = clock.to_tokio(deadline);
        assert_eq!(clock.to_sip(at), deadline);
        tokio::time::sleep_until(at).await;
        assert!(clock.now() >= deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn instants_before_the_origin_are_zero() {
        let before = tokio::time::Instant::now();
        tokio::time::advance(Duration::from_millis(10)).await;
        let clock = Clock::start();
        assert_eq!(clock.to_sip(before).as_millis(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreachable_deadline_does_not_overflow() {
        let clock = Clock::start();
        let at = clock.to_tokio(SipInstant::from_millis(u64::MAX));
        assert!(at > tokio::time::Instant::now() + Duration::from_secs(86_400 * 365));
    }
}
