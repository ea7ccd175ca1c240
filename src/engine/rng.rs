//! Named random streams: one Xoshiro256++ generator per purpose, derived from (run seed, name).
//!
//! A stream's sequence depends only on the master seed and its name, so adding a function or a
//! workload never perturbs another stream (`docs/model.md` §10).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses.
pub type SimRng = Xoshiro256PlusPlus;

/// SplitMix64 finaliser, used to spread the master seed.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a over the UTF-8 bytes of `s`.
#[inline]
pub fn fnv1a64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The stream named `name` of the run with master seed `seed`.
pub fn stream_rng(seed: u64, name: &str) -> SimRng {
    SimRng::seed_from_u64(splitmix64(seed) ^ fnv1a64(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn fnv1a64_matches_reference_values() {
        assert_eq!(fnv1a64(""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64("a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn streams_depend_only_on_seed_and_name() {
        let a: u64 = stream_rng(7, "exec/f").random();
        let b: u64 = stream_rng(7, "exec/f").random();
        let c: u64 = stream_rng(7, "exec/g").random();
        let d: u64 = stream_rng(8, "exec/f").random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
