//! `ImageLocality` (score): if the node's cache holds the image, its size × share of nodes
//! caching it, clamped to 23..1000 MiB and mapped to 0..100 (per arch, prepared by the profile
//! with [`image_locality_score`]).

use super::{KCol, Memos, ScoreCtx, ScoreDef, MAX_SCORE};

const MIB: i64 = 1 << 20;

/// The score.
pub const SCORE: ScoreDef = ScoreDef {
    name: "ImageLocality",
    summary: "if the node's cache holds the image: size × share of nodes caching it, clamped to 23..1000 MiB and mapped to 0..100",
    score,
};

fn score(c: &ScoreCtx, feas: &[u32], raw: &mut [i64], _: &mut [i64], _: &mut Memos) -> KCol {
    let img = c.pod.image;
    if (img as usize) >= c.n_images || c.cache.holders(img) == 0 {
        return KCol::Const(0, 0);
    }
    let (arch, il) = (&c.facts.arch, c.il_score);
    // The caches are kept by node id; `feas` may hold visit positions.
    let id = |n: u32| c.ids.map_or(n, |ids| ids[n as usize]);
    for (r, &n) in raw[..feas.len()].iter_mut().zip(feas) {
        *r = if c.cache.has(id(n), img) {
            il[arch[n as usize] as usize]
        } else {
            0
        };
    }
    KCol::Same
}

/// Per arch: the score of a node whose cache holds an image of `size` bytes (`None`: no
/// variant), with `holders` of `total` nodes holding it.
pub fn image_locality_score(size: Option<u64>, holders: u32, total: usize) -> i64 {
    let spread = holders as f64 / total as f64;
    let sum = size.map_or(0, |s| (s as f64 * spread) as i64);
    let max_t = 1000 * MIB;
    let sum = sum.clamp(23 * MIB, max_t);
    MAX_SCORE * (sum - 23 * MIB) / (max_t - 23 * MIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_locality_scales_by_spread_and_clamps() {
        // K1: 300 MiB cached on one of two nodes.
        assert_eq!(image_locality_score(Some(314_572_800), 1, 2), 12);
        assert_eq!(image_locality_score(Some(10), 1, 2), 0);
        assert_eq!(image_locality_score(Some(5_000 << 20), 4, 4), 100);
    }
}
