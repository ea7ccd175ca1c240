//! `Bursts`: an on/off rate, a base rate with periodic bursts (`docs/workloads.md`).

/// `burst_rps` while `t ≥ first_s` and `(t − first_s) mod every_s < length_s`, else `base_rps`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bursts {
    /// Rate between bursts ("off"), requests/s.
    pub base_rps: f64,
    /// Rate during a burst ("on"), requests/s.
    pub burst_rps: f64,
    /// Start of the first burst, seconds.
    pub first_s: f64,
    /// Length of each burst, seconds.
    pub length_s: f64,
    /// Time from the start of one burst to the start of the next, seconds (> 0).
    pub every_s: f64,
}

impl Bursts {
    /// r(t).
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        if t >= self.first_s && (t - self.first_s).rem_euclid(self.every_s) < self.length_s {
            self.burst_rps
        } else {
            self.base_rps
        }
    }

    /// The larger of the two rates.
    pub fn max_rate(&self) -> f64 {
        self.base_rps.max(self.burst_rps)
    }

    /// The long-run average rate once bursts have begun.
    pub fn mean_rate(&self) -> f64 {
        let on = (self.length_s / self.every_s).min(1.0);
        on * self.burst_rps + (1.0 - on) * self.base_rps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_switch_on_and_off_on_schedule() {
        let b = Bursts {
            base_rps: 1.0,
            burst_rps: 100.0,
            first_s: 10.0,
            length_s: 2.0,
            every_s: 30.0,
        };
        assert_eq!(b.rate(9.999), 1.0);
        assert_eq!(b.rate(10.0), 100.0);
        assert_eq!(b.rate(11.999), 100.0);
        assert_eq!(b.rate(12.0), 1.0);
        assert_eq!(b.rate(40.5), 100.0);
        assert_eq!(b.max_rate(), 100.0);
        assert!((b.mean_rate() - (2.0 / 30.0 * 100.0 + 28.0 / 30.0)).abs() < 1e-12);
    }
}
