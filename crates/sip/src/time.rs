//! The stack's clock type.
//!
//! The stack never reads a clock (STYLE.md §1): every input carries the
//! current [`Instant`], and every deadline the stack wants is handed back as
//! an `Output::Timeout(Instant)`. `std::time::Instant` is not used because
//! `wasm32-unknown-unknown` has no `Instant::now()`; the driver maps its own
//! clock (tokio's `Instant`, `performance.now()`) onto milliseconds since an
//! origin it chooses.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

pub use core::time::Duration;

/// A point in time: milliseconds since an origin chosen by the driver.
///
/// Arithmetic saturates: adding past `u64::MAX` milliseconds gives the
/// largest instant and subtracting past the origin gives the origin, so no
/// operation on an `Instant` can panic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The driver's origin.
    pub const ZERO: Instant = Instant(0);

    /// The instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, or `None` if that overflows.
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let ms = u64::try_from(d.as_millis()).ok()?;
        self.0.checked_add(ms).map(Instant)
    }

    /// `self - d`, or `None` if that is before the origin.
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        let ms = u64::try_from(d.as_millis()).ok()?;
        self.0.checked_sub(ms).map(Instant)
    }

    /// `self + d`, saturating at the largest instant.
    pub fn saturating_add(self, d: Duration) -> Instant {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(ms))
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        self.saturating_add(d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = self.saturating_add(d);
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d).unwrap_or(Instant::ZERO)
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_round_trips() {
        let t = Instant::from_millis(1_500);
        assert_eq!((t + Duration::from_secs(32)).as_millis(), 33_500);
        assert_eq!(t - Duration::from_millis(500), Instant::from_millis(1_000));
        assert_eq!(
            Instant::from_millis(4_000) - t,
            Duration::from_millis(2_500)
        );
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Instant::from_millis(10);
        assert_eq!(t - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(t - Instant::from_millis(20), Duration::ZERO);
        assert_eq!(
            Instant::from_millis(u64::MAX) + Duration::from_secs(1),
            Instant::from_millis(u64::MAX)
        );
        assert_eq!(t.checked_sub(Duration::from_secs(1)), None);
    }

    #[test]
    fn displays_seconds() {
        assert_eq!(Instant::from_millis(32_005).to_string(), "32.005s");
    }
}
