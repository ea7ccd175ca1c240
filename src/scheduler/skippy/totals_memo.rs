//! What the fused scan's key totals were last computed from, so that a decision whose inputs
//! are the same reuses them (`docs/performance.md`, "Round 9: replica churn, output and page
//! faults of long runs").
//!
//! The total of every possible node key depends only on the priority list (fixed), the latency
//! classes present among the feasible nodes and those classes' `LatencyAwareImageLocality` map
//! values. In a long run of a homogeneous cluster these are the same from one decision to the
//! next (the same two classes, "holds the image" or not, and images of one size), so
//! recomputing ~44 totals of four terms each per decision was most of a placement's
//! instructions.

/// The inputs of the last totals computation and whether every total was a small integer.
#[derive(Clone, Debug, Default)]
pub struct TotalsMemo {
    /// Classes present, in increasing order, as the scan lists them.
    present: Vec<usize>,
    /// Bits of each present class's map value (bits, so that a NaN never matches and -0.0
    /// differs from 0.0: a hit requires inputs identical to the last ones).
    values: Vec<u64>,
    /// Whether every total fitted a byte exactly.
    small: bool,
    /// Whether the fields above describe the tables' current contents.
    valid: bool,
}

impl TotalsMemo {
    /// The `small` flag of the last computation if it had exactly these inputs.
    pub fn lookup(&self, present: &[usize], lat_values: &[f64]) -> Option<bool> {
        let same = self.valid
            && self.present == present
            && self
                .present
                .iter()
                .zip(&self.values)
                .all(|(&c, &bits)| lat_values[c].to_bits() == bits);
        same.then_some(self.small)
    }

    /// Records the inputs of a computation just made.
    pub fn remember(&mut self, present: &[usize], lat_values: &[f64], small: bool) {
        self.present.clear();
        self.present.extend_from_slice(present);
        self.values.clear();
        self.values
            .extend(present.iter().map(|&c| lat_values[c].to_bits()));
        self.small = small;
        self.valid = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_matches_before_a_computation_is_remembered() {
        assert_eq!(TotalsMemo::default().lookup(&[], &[]), None);
        assert_eq!(TotalsMemo::default().lookup(&[0], &[1.0]), None);
    }

    #[test]
    fn the_same_classes_with_the_same_values_match_and_return_the_flag() {
        let mut m = TotalsMemo::default();
        m.remember(&[0, 2], &[5.0, 9.0, 0.0], false);
        assert_eq!(m.lookup(&[0, 2], &[5.0, 9.0, 0.0]), Some(false));
        // A class not present may change freely.
        assert_eq!(m.lookup(&[0, 2], &[5.0, 1.0, 0.0]), Some(false));
        m.remember(&[0, 2], &[5.0, 9.0, 0.0], true);
        assert_eq!(m.lookup(&[0, 2], &[5.0, 7.0, 0.0]), Some(true));
    }

    #[test]
    fn another_class_set_or_another_value_of_a_present_class_misses() {
        let mut m = TotalsMemo::default();
        m.remember(&[0, 2], &[5.0, 9.0, 0.0], true);
        assert_eq!(m.lookup(&[0], &[5.0, 9.0, 0.0]), None);
        assert_eq!(m.lookup(&[0, 1, 2], &[5.0, 9.0, 0.0]), None);
        assert_eq!(m.lookup(&[0, 2], &[6.0, 9.0, 0.0]), None);
        assert_eq!(m.lookup(&[0, 2], &[5.0, 9.0, -0.0]), None);
    }

    #[test]
    fn a_nan_value_never_matches_a_different_nan_payload() {
        let mut m = TotalsMemo::default();
        m.remember(&[0], &[f64::NAN], true);
        let other_nan = f64::from_bits(f64::NAN.to_bits() ^ 1);
        assert_eq!(m.lookup(&[0], &[other_nan]), None);
    }
}
