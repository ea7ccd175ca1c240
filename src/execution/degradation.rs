//! `Degradation`: the optional slowdown of a request by co-location (`execution.degradation`,
//! `docs/workloads.md`, "Performance degradation").
//!
//! When a request's compute part starts on a node, `o` is the number of *other* requests in
//! their compute part on that node at that instant. The request's execution sample (its work,
//! under contended CPUs) is multiplied by a factor `f(o)` fixed for the whole request:
//! `linear`: `min(max_factor, 1 + alpha × o)`; `table`: the node type's list at `min(o, len − 1)`.
//! This holds under either CPU model; the factor is the request's recorded `slowdown` (times its
//! processor-sharing slowdown under contended CPUs).
//!
//! [`CoLocation`] counts the computing requests per node and remembers each computing request's
//! node and factor; it exists only when a degradation is configured, so runs without one pay
//! nothing.

/// The compiled `execution.degradation`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Degradation {
    /// No slowdown by co-location.
    #[default]
    None,
    /// `f(o) = min(max_factor, 1 + alpha × o)`.
    Linear {
        /// Slope per other computing request.
        alpha: f64,
        /// Cap on the factor (`inf`: none).
        max_factor: f64,
    },
    /// `f(o) = factors[t][min(o, len − 1)]` on a node of type id `t`; a type without a list
    /// (empty) is not slowed down.
    Table {
        /// Factors by node type id.
        factors: Box<[Box<[f64]>]>,
    },
}

impl Degradation {
    /// The factor of a request starting with `others` other requests computing on a node of
    /// type id `node_type`.
    #[inline]
    pub fn factor(&self, node_type: usize, others: u32) -> f64 {
        match self {
            Degradation::None => 1.0,
            Degradation::Linear { alpha, max_factor } => {
                (1.0 + alpha * others as f64).min(*max_factor)
            }
            Degradation::Table { factors } => match factors.get(node_type) {
                Some(list) if !list.is_empty() => list[(others as usize).min(list.len() - 1)],
                _ => 1.0,
            },
        }
    }

    /// True if no request is ever slowed down.
    pub fn is_none(&self) -> bool {
        matches!(self, Degradation::None)
    }
}

/// Requests in their compute part per node, and the node and factor of each computing request.
#[derive(Clone, Debug)]
pub struct CoLocation {
    degradation: Degradation,
    /// Type id of each node.
    node_type: Box<[u32]>,
    /// Requests computing on each node.
    computing: Vec<u32>,
    /// Per request slot: `(node, factor)` while it computes.
    request: Vec<(u32, f64)>,
}

impl CoLocation {
    /// Tracking for `degradation` on nodes of the given type ids; `None` without a degradation.
    pub fn new(degradation: &Degradation, node_type: &[u32]) -> Option<CoLocation> {
        (!degradation.is_none()).then(|| CoLocation {
            degradation: degradation.clone(),
            node_type: node_type.into(),
            computing: vec![0; node_type.len()],
            request: Vec::new(),
        })
    }

    /// Request `request` starts computing on `node`: returns its factor, from the requests
    /// already computing there.
    pub fn start(&mut self, node: u32, request: u32) -> f64 {
        let n = node as usize;
        let f = self
            .degradation
            .factor(self.node_type[n] as usize, self.computing[n]);
        self.computing[n] += 1;
        let i = request as usize;
        if i >= self.request.len() {
            self.request.resize(i + 1, (0, 1.0));
        }
        self.request[i] = (node, f);
        f
    }

    /// Request `request`'s compute part ended: returns its factor.
    pub fn end(&mut self, request: u32) -> f64 {
        let (node, f) = self.request[request as usize];
        self.computing[node as usize] -= 1;
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_grows_with_the_other_computing_requests_up_to_its_cap() {
        let d = Degradation::Linear {
            alpha: 0.25,
            max_factor: 1.6,
        };
        let f: Vec<f64> = (0..4).map(|o| d.factor(0, o)).collect();
        assert_eq!(f, [1.0, 1.25, 1.5, 1.6]);
    }

    #[test]
    fn a_table_is_read_per_node_type_and_its_last_entry_holds_beyond_it() {
        let d = Degradation::Table {
            factors: vec![vec![1.0, 1.5, 3.0].into(), Vec::new().into()].into(),
        };
        let f: Vec<f64> = (0..5).map(|o| d.factor(0, o)).collect();
        assert_eq!(f, [1.0, 1.5, 3.0, 3.0, 3.0]);
        assert_eq!(
            d.factor(1, 7),
            1.0,
            "a type without a list is not slowed down"
        );
    }

    #[test]
    fn co_location_counts_the_other_requests_computing_on_the_same_node() {
        let d = Degradation::Linear {
            alpha: 1.0,
            max_factor: f64::INFINITY,
        };
        let mut c = CoLocation::new(&d, &[0, 0]).unwrap();
        assert_eq!(c.start(0, 10), 1.0);
        assert_eq!(c.start(0, 11), 2.0);
        assert_eq!(c.start(1, 12), 1.0, "another node does not count");
        assert_eq!(c.end(10), 1.0);
        assert_eq!(c.start(0, 13), 2.0, "one other request left on node 0");
        assert_eq!(c.end(11), 2.0);
        assert!(CoLocation::new(&Degradation::None, &[0]).is_none());
    }
}
