//! The target cluster's clock as the controller sees it. On a real cluster that is the
//! wall clock; against `serve --time-scale F` the server's clock runs F times faster from
//! its start (the creationTimestamp of its Node), and the controller must read pod
//! readiness times and wait out minReadySeconds on that clock.

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// Target time from wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetClock {
    /// Target seconds per wall-clock second.
    scale: f64,
    /// The instant both clocks agree on.
    epoch: Timestamp,
}

impl TargetClock {
    /// The wall clock (scale 1).
    pub fn wall() -> TargetClock {
        TargetClock {
            scale: 1.0,
            epoch: Timestamp::UNIX_EPOCH,
        }
    }

    /// A clock running `scale` times faster than the wall clock since `epoch` (a scale
    /// that is not a positive number means the wall clock's pace).
    pub fn scaled(scale: f64, epoch: Timestamp) -> TargetClock {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        TargetClock { scale, epoch }
    }

    /// The target time at wall-clock instant `wall`.
    pub fn at(&self, wall: Timestamp) -> Timestamp {
        if self.scale == 1.0 {
            return wall;
        }
        let elapsed = wall.duration_since(self.epoch).as_secs_f64() * self.scale;
        SignedDuration::try_from_secs_f64(elapsed)
            .ok()
            .and_then(|d| self.epoch.checked_add(d).ok())
            .unwrap_or(wall)
    }

    /// The target time now.
    pub fn now(&self) -> Timestamp {
        self.at(Timestamp::now())
    }

    /// How long a target-time wait takes on the wall clock.
    pub fn wall_duration(&self, target: Duration) -> Duration {
        target.div_f64(self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_faster_from_its_epoch() {
        let epoch: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = TargetClock::scaled(10.0, epoch);
        let wall = epoch.checked_add(SignedDuration::from_secs(3)).unwrap();
        assert_eq!(
            clock.at(wall),
            epoch.checked_add(SignedDuration::from_secs(30)).unwrap()
        );
        assert_eq!(clock.at(epoch), epoch);
        assert_eq!(
            clock.wall_duration(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        let wall_clock = TargetClock::wall();
        assert_eq!(wall_clock.at(wall), wall);
        for nonsense in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let clock = TargetClock::scaled(nonsense, epoch);
            assert_eq!(clock.at(wall), wall, "scale {nonsense}");
            assert_eq!(
                clock.wall_duration(Duration::from_secs(1)),
                Duration::from_secs(1)
            );
        }
    }
}
