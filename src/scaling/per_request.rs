//! Request-driven scaling (`per_request`, extension; dslab-faas / AWS Lambda style,
//! `docs/scaling.md`).
//!
//! Whenever a request joins the function's queue of requests waiting for a replica, let `w` be the
//! waiting requests and `f` the worker slots of the function's pending replicas (an unbounded
//! replica counts as unlimited). If `w > f`, one replica is created (`scale_up(1)`, reason
//! `per_request`). Scale-down is left to the keep-alive policy.
//!
//! faasim dispatches requests to replicas at once while one is Running (`routing.mode = "push"`,
//! the only mode so far), so requests wait centrally only while no replica runs: this scaler
//! then sizes the burst of replicas started from zero.

/// Whether `waiting` requests need another replica beside pending slots `free_slots`.
pub fn needs_replica(waiting: u64, free_slots: u64) -> bool {
    waiting > free_slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_simultaneous_requests_with_one_worker_each_need_three_replicas() {
        // W = 1, no replica: each arrival sees one more waiting request than pending slots.
        let mut replicas = 0u64;
        for waiting in 1..=3 {
            if needs_replica(waiting, replicas) {
                replicas += 1;
            }
        }
        assert_eq!(replicas, 3);
    }

    #[test]
    fn an_unbounded_pending_replica_absorbs_every_waiting_request() {
        assert!(!needs_replica(1000, u64::MAX));
    }
}
