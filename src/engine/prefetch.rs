//! `prefetch`: a hint that data will be read soon, so the CPU starts loading its cache line
//! while other work runs (docs/performance.md, "round 4").
//!
//! The event loop uses it for the one random access per invocation that misses the cache: the
//! request slot read when a completion is handled. A prefetch never faults and changes no
//! value, so it cannot change a result; on targets without the instruction it does nothing.

/// Starts loading the cache line at `p` into all cache levels. `p` need not be valid: the
/// hint is dropped for an address that is not mapped.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: `prefetch` (SSE, part of every x86-64 CPU) reads nothing architecturally and
        // never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = p;
    }
}
