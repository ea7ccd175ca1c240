//! `ImageCache`: which images each node holds (a pull has completed there), with an optional
//! capacity per node and least-recently-used eviction (`topology.image_cache`).
//!
//! Distinct from the skippy scheduler's image view, which counts an image as present from the
//! moment a pod using it is placed (`docs/model.md`, images). Without a capacity, images never
//! leave a node. With one, inserting an image that would overflow the node evicts the images
//! used least recently among those no replica on the node uses; if that is not enough the node
//! stays over capacity (a running container's image cannot be removed).

use super::nodes::NodeId;
use super::registry::ImageId;

/// A dense node × image presence matrix plus per-image holder counts and per-node bytes.
#[derive(Clone, Debug, Default)]
pub struct ImageCache {
    n_images: usize,
    present: Vec<bool>,
    holders: Vec<u32>,
    capacity: Option<u64>,
    /// Bytes held per node.
    used: Vec<u64>,
    /// Bytes of each held entry.
    size: Vec<u64>,
    /// Use stamp of each entry (larger: more recent).
    last_use: Vec<u64>,
    clock: u64,
    evictions: u64,
}

impl ImageCache {
    /// An empty cache for `nodes` × `images`, without capacity limit.
    pub fn new(nodes: usize, images: usize) -> ImageCache {
        ImageCache::with_capacity(nodes, images, None)
    }

    /// An empty cache for `nodes` × `images` holding at most `capacity` bytes per node.
    pub fn with_capacity(nodes: usize, images: usize, capacity: Option<u64>) -> ImageCache {
        ImageCache {
            n_images: images,
            present: vec![false; nodes * images],
            holders: vec![0; images],
            capacity,
            used: vec![0; nodes],
            size: vec![0; nodes * images],
            last_use: vec![0; nodes * images],
            clock: 0,
            evictions: 0,
        }
    }

    #[inline]
    fn idx(&self, node: NodeId, image: ImageId) -> usize {
        node as usize * self.n_images + image as usize
    }

    /// True if `node` holds `image`.
    #[inline]
    pub fn has(&self, node: NodeId, image: ImageId) -> bool {
        self.present[self.idx(node, image)]
    }

    /// Records a use of `image` on `node` (a replica found it cached).
    pub fn touch(&mut self, node: NodeId, image: ImageId) {
        self.clock += 1;
        let i = self.idx(node, image);
        self.last_use[i] = self.clock;
    }

    /// Inserts `image` into `node`'s cache (without size: it never causes an eviction).
    pub fn insert(&mut self, node: NodeId, image: ImageId) {
        self.insert_sized(node, image, 0, |_| true);
    }

    /// Inserts `image` of `bytes` into `node`'s cache as its most recent use. Over capacity,
    /// evicts least recently used images for which `in_use` is false; returns how many.
    pub fn insert_sized(
        &mut self,
        node: NodeId,
        image: ImageId,
        bytes: u64,
        in_use: impl Fn(ImageId) -> bool,
    ) -> u32 {
        let i = self.idx(node, image);
        self.touch(node, image);
        if self.present[i] {
            return 0;
        }
        self.present[i] = true;
        self.holders[image as usize] += 1;
        self.size[i] = bytes;
        self.used[node as usize] += bytes;
        let Some(cap) = self.capacity else {
            return 0;
        };
        let mut evicted = 0;
        while self.used[node as usize] > cap {
            let base = node as usize * self.n_images;
            let victim = (0..self.n_images as u32)
                .filter(|&m| m != image && self.present[base + m as usize] && !in_use(m))
                .min_by_key(|&m| self.last_use[base + m as usize]);
            let Some(m) = victim else { break };
            let j = base + m as usize;
            self.present[j] = false;
            self.holders[m as usize] -= 1;
            self.used[node as usize] -= self.size[j];
            self.size[j] = 0;
            evicted += 1;
        }
        self.evictions += evicted as u64;
        evicted
    }

    /// Number of nodes whose cache holds `image`.
    #[inline]
    pub fn holders(&self, image: ImageId) -> u32 {
        self.holders[image as usize]
    }

    /// Images evicted so far.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_capacity_images_never_leave() {
        let mut c = ImageCache::new(1, 3);
        for m in 0..3 {
            assert_eq!(c.insert_sized(0, m, 1 << 40, |_| false), 0);
        }
        assert!((0..3).all(|m| c.has(0, m)));
    }

    #[test]
    fn the_least_recently_used_unused_image_is_evicted_first() {
        let mut c = ImageCache::with_capacity(1, 4, Some(100));
        c.insert_sized(0, 0, 40, |_| false);
        c.insert_sized(0, 1, 40, |_| false);
        c.touch(0, 0); // image 0 is now more recent than image 1
        assert_eq!(c.insert_sized(0, 2, 40, |_| false), 1);
        assert!(c.has(0, 0) && !c.has(0, 1) && c.has(0, 2));
        assert_eq!(c.holders(1), 0);
    }

    #[test]
    fn images_in_use_are_kept_even_over_capacity() {
        let mut c = ImageCache::with_capacity(1, 3, Some(50));
        c.insert_sized(0, 0, 40, |_| false);
        assert_eq!(c.insert_sized(0, 1, 40, |m| m == 0), 0);
        assert!(c.has(0, 0) && c.has(0, 1));
        assert_eq!(c.evictions(), 0);
    }
}
