//! `Ramp`: a rate that moves linearly from one value to another over a period
//! (`docs/workloads.md`).

/// `from_rps` before `start_s`, `to_rps` after `start_s + duration_s`, linear in between.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ramp {
    /// Rate before the ramp, requests/s.
    pub from_rps: f64,
    /// Rate after the ramp, requests/s.
    pub to_rps: f64,
    /// When the ramp begins, seconds.
    pub start_s: f64,
    /// How long the ramp lasts, seconds (0 = a step at `start_s`).
    pub duration_s: f64,
}

impl Ramp {
    /// r(t).
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        if t < self.start_s {
            self.from_rps
        } else if t >= self.start_s + self.duration_s {
            self.to_rps
        } else {
            self.from_rps + (self.to_rps - self.from_rps) * (t - self.start_s) / self.duration_s
        }
    }

    /// The largest rate the ramp reaches.
    pub fn max_rate(&self) -> f64 {
        self.from_rps.max(self.to_rps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_from_10_to_50_over_40_s_starting_at_10_is_30_at_30_s() {
        let r = Ramp {
            from_rps: 10.0,
            to_rps: 50.0,
            start_s: 10.0,
            duration_s: 40.0,
        };
        assert_eq!(r.rate(0.0), 10.0);
        assert_eq!(r.rate(30.0), 30.0);
        assert_eq!(r.rate(50.0), 50.0);
        assert_eq!(r.rate(1e6), 50.0);
        assert_eq!(r.max_rate(), 50.0);
    }

    #[test]
    fn a_zero_length_ramp_is_a_step() {
        let r = Ramp {
            from_rps: 1.0,
            to_rps: 5.0,
            start_s: 2.0,
            duration_s: 0.0,
        };
        assert_eq!(r.rate(1.999), 1.0);
        assert_eq!(r.rate(2.0), 5.0);
    }
}
