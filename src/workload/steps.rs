//! `Steps`: a piecewise-constant rate given as `(time, rate)` points (`docs/workloads.md`).

/// `r_i` for `t_i ≤ t < t_{i+1}`, the last rate after the last point, 0 before the first.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps {
    /// `[t_s, rps]` with strictly increasing times (checked by validation).
    pub points: Vec<[f64; 2]>,
}

impl Steps {
    /// r(t), by binary search over the points.
    #[inline]
    pub fn rate(&self, t: f64) -> f64 {
        let after = self.points.partition_point(|p| p[0] <= t);
        if after == 0 {
            0.0
        } else {
            self.points[after - 1][1]
        }
    }

    /// The largest rate of any step.
    pub fn max_rate(&self) -> f64 {
        self.points.iter().map(|p| p[1]).fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_rate_until_the_next_point() {
        let s = Steps {
            points: vec![[5.0, 10.0], [20.0, 2.0], [30.0, 7.0]],
        };
        assert_eq!(s.rate(0.0), 0.0);
        assert_eq!(s.rate(5.0), 10.0);
        assert_eq!(s.rate(19.9), 10.0);
        assert_eq!(s.rate(20.0), 2.0);
        assert_eq!(s.rate(100.0), 7.0);
        assert_eq!(s.max_rate(), 10.0);
    }
}
