//! The chunk kernel of the skippy fused scan ([`super::fused_scan`]): one branch-free pass over a
//! contiguous run of nodes that evaluates the stock predicates and packs everything the scores
//! still need into one 16-bit key per node.
//!
//! A key is `class << 5 | edge << 4 | balanced`: the node's `LatencyAwareImageLocality` class
//! (or the extra "image already placed here" class), whether it is an edge node
//! (`LocalityType`), and its `BalancedResource` value (0..=10). Every score of the stock profile
//! is a function of the key once the decision's latency minimum and maximum are known, so the
//! second pass only looks the key up in a small table.
//!
//! The kernel reads six bytes per node: a 32-bit static word (static predicates, architecture,
//! static key part), the image-presence byte and the node's [`super::fit_memo`] byte (whether
//! the pod fits, and its `BalancedResource` value), all kept exact outside the kernel. It does
//! no floating-point arithmetic and no per-node branching, so the loop vectorises over 32-bit
//! lanes; on x86-64 it is also compiled with AVX2 and that version is used when the CPU has it.

use super::fit_memo::NO_FIT;

/// Bits of a key holding the `BalancedResource` value.
pub const BALANCED_MASK: u16 = 0xF;
/// The key bit of an edge node (`LocalityType` 10).
pub const EDGE_BIT: u16 = 1 << 4;
/// Shift of the latency class in a key.
pub const CLASS_SHIFT: u32 = 5;
/// Largest latency class a key can hold (the on-node class included).
pub const MAX_CLASS: usize = (u16::MAX >> CLASS_SHIFT) as usize;

/// What the kernel reads about the pod in one decision.
#[derive(Clone, Copy, Debug)]
pub struct PodTerms {
    /// Bit `a`: the image runs on architecture `a` (all ones without `ImageArchAvailable`).
    pub arch_mask: u32,
    /// The first-failure code of `PodFitsResources`.
    pub fit_code: u8,
    /// The first-failure code of `ImageArchAvailable` (unused when `arch_mask` is all ones).
    pub arch_code: u8,
    /// `class << CLASS_SHIFT` of a node that already holds the image.
    pub on_key: u16,
}

/// The static word of a node: the code of its first failing static predicate (0: none), its
/// architecture and its static key (`class << 5 | edge << 4`).
pub fn node_word(static_code: u8, arch: u8, static_key: u16) -> u32 {
    u32::from(static_code) | u32::from(arch) << 8 | u32::from(static_key) << 16
}

/// The first-failure code after a predicate with `code` passed (`ok`) or not (the smaller
/// non-zero code wins), as in `plugins::predicates::fail`.
#[inline(always)]
fn fail(c: u8, code: u8, ok: bool) -> u8 {
    if !ok & ((c == 0) | (code < c)) {
        code
    } else {
        c
    }
}

/// The node columns of one chunk (all the same length, except `on`).
#[derive(Clone, Copy, Debug)]
pub struct ChunkCols<'a> {
    /// Static words ([`node_word`]).
    pub words: &'a [u32],
    /// The image's presence column, or empty when no node can hold the image.
    pub on: &'a [u8],
    /// The pod's request pair's memo bytes ([`super::fit_memo::fit_byte`]).
    pub fit: &'a [u8],
}

/// Evaluates the nodes of `c`: `codes[j]` gets 0 if node `j` is feasible, else 1 (the failing
/// predicate is found by [`exact_codes`] for the chunks that need it), and `keys[j]` its key
/// (meaningful where feasible). Returns the latency classes of the feasible nodes: bit `c` for
/// class `c` (classes modulo 64; only meaningful with at most 64 classes).
pub fn eval_chunk(p: &PodTerms, c: &ChunkCols, codes: &mut [u8], keys: &mut [u16]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { eval_chunk_avx2(p, c, codes, keys) };
        }
    }
    eval_chunk_any(p, c, codes, keys)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn eval_chunk_avx2(p: &PodTerms, c: &ChunkCols, codes: &mut [u8], keys: &mut [u16]) -> u64 {
    eval_chunk_any(p, c, codes, keys)
}

#[inline(always)]
fn eval_chunk_any(p: &PodTerms, c: &ChunkCols, codes: &mut [u8], keys: &mut [u16]) -> u64 {
    if c.on.is_empty() {
        kernel::<false>(p, c, codes, keys)
    } else {
        kernel::<true>(p, c, codes, keys)
    }
}

#[inline(always)]
fn kernel<const ON: bool>(p: &PodTerms, c: &ChunkCols, codes: &mut [u8], keys: &mut [u16]) -> u64 {
    let m = codes.len();
    // Equal lengths up front, so the loop has no bounds checks.
    let (words, fit, keys) = (&c.words[..m], &c.fit[..m], &mut keys[..m]);
    let on = if ON { &c.on[..m] } else { c.on };
    // Classes 0..32 and 32..64 in two 32-bit sets, so every lane of the loop is 32 bits wide
    // (eight nodes per AVX2 vector).
    let (mut low, mut high) = (0u32, 0u32);
    for j in 0..m {
        let (w, f) = (words[j], u32::from(fit[j]));
        let arch_ok = (p.arch_mask >> ((w >> 8) & 31)) & 1;
        let fits = (f >> 7) ^ 1;
        let feasible = fits & arch_ok & u32::from(w & 0xFF == 0);
        let static_key = w >> 16;
        let class_key = if ON && on[j] != 0 {
            u32::from(p.on_key) | (static_key & u32::from(EDGE_BIT))
        } else {
            static_key
        };
        let key = class_key | (f & u32::from(BALANCED_MASK));
        codes[j] = (feasible ^ 1) as u8;
        keys[j] = key as u16;
        let class = key >> CLASS_SHIFT;
        let bit = feasible << (class & 31);
        let upper = 0u32.wrapping_sub((class >> 5) & 1);
        low |= bit & !upper;
        high |= bit & upper;
    }
    u64::from(high) << 32 | u64::from(low)
}

/// Overwrites `codes` with each node's first-failure code: the smallest code among its failing
/// static predicates, `PodFitsResources` and `ImageArchAvailable` (0 if none fails).
pub fn exact_codes(p: &PodTerms, c: &ChunkCols, codes: &mut [u8]) {
    let m = codes.len();
    let (words, fit) = (&c.words[..m], &c.fit[..m]);
    for (j, code) in codes.iter_mut().enumerate() {
        let (w, fits) = (words[j], fit[j] & NO_FIT == 0);
        let arch_ok = (p.arch_mask >> ((w >> 8) & 31)) & 1 == 1;
        *code = fail(fail(w as u8, p.fit_code, fits), p.arch_code, arch_ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_codes_the_first_failing_predicate_and_packs_the_key() {
        // Node 0 fits; node 1 lacks memory; node 2 fails a static predicate (code 2) and the
        // architecture (code 3): the smaller code wins; node 3 holds the image.
        let p = PodTerms {
            arch_mask: 0b01,
            fit_code: 1,
            arch_code: 3,
            on_key: 7 << CLASS_SHIFT,
        };
        let words = [
            node_word(0, 0, 2 << CLASS_SHIFT | EDGE_BIT),
            node_word(0, 0, 1 << CLASS_SHIFT),
            node_word(2, 1, 0),
            node_word(0, 0, 3 << CLASS_SHIFT | EDGE_BIT),
        ];
        let cols = ChunkCols {
            words: &words,
            on: &[0, 0, 0, 1],
            fit: &[10, NO_FIT, 4, 3],
        };
        let (mut codes, mut keys) = ([9u8; 4], [0u16; 4]);
        let classes = eval_chunk(&p, &cols, &mut codes, &mut keys);
        assert_eq!(codes, [0, 1, 1, 0]);
        exact_codes(&p, &cols, &mut codes);
        assert_eq!(codes, [0, 1, 2, 0]);
        assert_eq!(keys[0], 2 << CLASS_SHIFT | EDGE_BIT | 10);
        assert_eq!(keys[3], 7 << CLASS_SHIFT | EDGE_BIT | 3);
        assert_eq!(classes, 1 << 2 | 1 << 7);
    }
}
