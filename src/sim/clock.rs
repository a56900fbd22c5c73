//! Virtual time: the only clock the reference cluster reads.
//!
//! Time is a [`Duration`] since the cluster started; [`Clock::timestamp`] maps it onto the
//! wall-clock instant the cluster pretends it started at, so objects carry real-looking
//! `creationTimestamp`s while runs stay byte-for-byte reproducible.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// The instant a deterministic simulation starts at: 2026-01-01T00:00:00Z.
pub const SIMULATION_EPOCH_SECONDS: i64 = 1_767_225_600;

/// A virtual clock; it only moves when the simulation advances it.
#[derive(Debug, Clone)]
pub struct Clock {
    epoch: Timestamp,
    now: Duration,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::starting_at(
            Timestamp::from_second(SIMULATION_EPOCH_SECONDS).unwrap_or(Timestamp::UNIX_EPOCH),
        )
    }
}

impl Clock {
    /// A clock whose time zero corresponds to `epoch`.
    pub fn starting_at(epoch: Timestamp) -> Clock {
        Clock {
            epoch,
            now: Duration::ZERO,
        }
    }

    /// Time since the cluster started.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Moves time forward to `t`; never backwards.
    pub fn advance_to(&mut self, t: Duration) {
        if t > self.now {
            self.now = t;
        }
    }

    /// The wall-clock instant of virtual time `t`.
    pub fn timestamp_at(&self, t: Duration) -> Timestamp {
        let offset = SignedDuration::try_from(t).unwrap_or(SignedDuration::MAX);
        self.epoch.saturating_add(offset).unwrap_or(self.epoch)
    }

    /// The current instant, as a Kubernetes `Time`. Kubernetes times have second precision
    /// on the wire for most fields; sub-second virtual times are kept internally.
    pub fn time(&self) -> Time {
        Time(self.timestamp_at(self.now))
    }

    /// Virtual time corresponding to a Kubernetes `Time` (zero when before the epoch).
    pub fn since_start(&self, time: &Time) -> Duration {
        let d = time.0.duration_since(self.epoch);
        Duration::try_from(d).unwrap_or(Duration::ZERO)
    }
}

/// Formats a virtual time as timelines show it: `12.5s`.
pub fn format_seconds(t: Duration) -> String {
    let millis = t.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{}.0s", millis / 1000)
    } else if millis.is_multiple_of(100) {
        format!("{}.{}s", millis / 1000, (millis % 1000) / 100)
    } else {
        format!("{}.{:03}s", millis / 1000, millis % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_only_moves_forward() {
        let mut clock = Clock::default();
        clock.advance_to(Duration::from_secs(5));
        clock.advance_to(Duration::from_secs(1));
        assert_eq!(clock.now(), Duration::from_secs(5));
    }

    #[test]
    fn timestamps_round_trip() {
        let mut clock = Clock::default();
        clock.advance_to(Duration::from_millis(2500));
        let t = clock.time();
        assert_eq!(clock.since_start(&t), Duration::from_millis(2500));
        assert_eq!(t.0.to_string(), "2026-01-01T00:00:02.5Z");
    }

    #[test]
    fn seconds_format() {
        assert_eq!(format_seconds(Duration::from_secs(2)), "2.0s");
        assert_eq!(format_seconds(Duration::from_millis(2500)), "2.5s");
        assert_eq!(format_seconds(Duration::from_millis(2505)), "2.505s");
    }
}
