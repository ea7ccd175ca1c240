//! How replicas execute requests: execution-time distributions and concurrency models
//! (`docs/scenario.md`).

pub mod degradation;
pub mod processor_sharing;
pub mod sampler;

pub use degradation::{CoLocation, Degradation};
pub use processor_sharing::{JobId, SharedCpu};
pub use sampler::DurationSampler;

/// Per-replica concurrency: at most `workers` requests execute, the rest wait in a FIFO queue of
/// optional capacity. `unbounded` is `workers = u32::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Concurrency {
    /// Worker slots W.
    pub workers: u32,
    /// Local queue capacity; `None` = unbounded.
    pub queue_capacity: Option<u32>,
}

impl Concurrency {
    /// Every request starts at once.
    pub const UNBOUNDED: Concurrency = Concurrency {
        workers: u32::MAX,
        queue_capacity: None,
    };

    /// From the container's configuration, falling back to the `watchdog=http`, `workers=W`
    /// labels, then to `unbounded`.
    pub fn from_config(
        c: Option<&crate::config::ConcurrencyConfig>,
        labels: &crate::config::Labels,
    ) -> Concurrency {
        use crate::config::ConcurrencyConfig as C;
        match c {
            Some(C::Unbounded) => Concurrency::UNBOUNDED,
            Some(C::OnePerReplica) => Concurrency {
                workers: 1,
                queue_capacity: None,
            },
            Some(C::HttpWatchdog {
                workers,
                queue_capacity,
            }) => Concurrency {
                workers: (*workers).max(1),
                queue_capacity: *queue_capacity,
            },
            None => {
                if labels.get("watchdog").map(String::as_str) == Some("http") {
                    let w = labels
                        .get("workers")
                        .and_then(|w| w.parse::<u32>().ok())
                        .unwrap_or(1)
                        .max(1);
                    Concurrency {
                        workers: w,
                        queue_capacity: None,
                    }
                } else {
                    Concurrency::UNBOUNDED
                }
            }
        }
    }
}
