//! `ImageCache`: which images each node holds (a pull has completed there).
//!
//! Distinct from the skippy scheduler's image view, which counts an image as present from the
//! moment a pod using it is placed (`docs/model.md` §2).

use super::nodes::NodeId;
use super::registry::ImageId;

/// A dense node × image presence matrix plus per-image holder counts.
#[derive(Clone, Debug, Default)]
pub struct ImageCache {
    n_images: usize,
    present: Vec<bool>,
    holders: Vec<u32>,
}

impl ImageCache {
    /// An empty cache for `nodes` × `images`.
    pub fn new(nodes: usize, images: usize) -> ImageCache {
        ImageCache {
            n_images: images,
            present: vec![false; nodes * images],
            holders: vec![0; images],
        }
    }

    /// True if `node` holds `image`.
    #[inline]
    pub fn has(&self, node: NodeId, image: ImageId) -> bool {
        self.present[node as usize * self.n_images + image as usize]
    }

    /// Inserts `image` into `node`'s cache.
    pub fn insert(&mut self, node: NodeId, image: ImageId) {
        let i = node as usize * self.n_images + image as usize;
        if !self.present[i] {
            self.present[i] = true;
            self.holders[image as usize] += 1;
        }
    }

    /// Number of nodes whose cache holds `image`.
    #[inline]
    pub fn holders(&self, image: ImageId) -> u32 {
        self.holders[image as usize]
    }
}
