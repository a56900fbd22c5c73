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

    /// The current instant, as a Kubernetes `Time`: whole seconds, as the API server
    /// stores and serves every `Time` field (creation and deletion timestamps, condition
    /// transitions). Controllers compare them with the exact [`Clock::now`], as upstream's
    /// compare second-precision fields with `time.Now()`.
    pub fn time(&self) -> Time {
        let whole = Duration::from_secs(self.now.as_secs());
        Time(self.timestamp_at(whole))
    }

    /// Virtual time corresponding to a Kubernetes `Time` (zero when before the epoch).
    pub fn since_start(&self, time: &Time) -> Duration {
        let d = time.0.duration_since(self.epoch);
        Duration::try_from(d).unwrap_or(Duration::ZERO)
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
        let exact = clock.timestamp_at(clock.now());
        assert_eq!(exact.to_string(), "2026-01-01T00:00:02.5Z");
        let t = clock.time();
        assert_eq!(clock.since_start(&t), Duration::from_secs(2));
        assert_eq!(t.0.to_string(), "2026-01-01T00:00:02Z");
    }
}
