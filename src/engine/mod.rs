//! The discrete-event engine: simulated time, the future-event list and the named RNG streams.
//!
//! The engine knows nothing about FaaS: it orders opaque `Copy` events by `(time, seq)` and hands out
//! deterministic random streams. The simulation in [`crate::sim`] owns the loop that pops events.

mod bucket;
mod prefetch;
pub mod queue;
pub mod radix_heap;
pub mod rng;
pub mod time;

pub use prefetch::prefetch;
pub use queue::{EventQueue, QueueStats, TimerId};
pub use rng::{fnv1a64, splitmix64, stream_rng, SimRng};
pub use time::SimTime;
