//! skippy's image view: the images the scheduler has placed on each node. An image counts as
//! present from the placement of a pod using it (not when its pull completes) and is never
//! forgotten (`docs/schedulers.md`, `skippy`). Read by `LatencyAwareImageLocality` and
//! `ImageLocality`.

/// skippy's image view: images placed on each node (never cleared) and per-image node counts.
#[derive(Clone, Debug, Default)]
pub struct ImageView {
    n: usize,
    on: Vec<u8>,
    /// Nodes whose view holds each image.
    pub num_nodes: Vec<u32>,
}

impl ImageView {
    /// An empty view of `images` images on `n` nodes.
    pub fn new(n: usize, images: usize) -> ImageView {
        ImageView {
            n,
            on: vec![0; n * images],
            num_nodes: vec![0; images],
        }
    }

    /// The presence column of `image` (one byte per node), empty for an unknown image.
    #[inline]
    pub fn column(&self, image: u32) -> &[u8] {
        let i = image as usize;
        if i < self.num_nodes.len() {
            &self.on[i * self.n..(i + 1) * self.n]
        } else {
            &[]
        }
    }

    /// True if the view of `node` holds `image`.
    #[inline]
    pub fn has(&self, image: u32, node: u32) -> bool {
        self.column(image)
            .get(node as usize)
            .is_some_and(|&b| b != 0)
    }

    /// Adds `image` to `node`'s view (placement).
    pub fn add(&mut self, image: u32, node: u32) {
        let i = image as usize;
        if i < self.num_nodes.len() {
            let cell = &mut self.on[i * self.n + node as usize];
            if *cell == 0 {
                *cell = 1;
                self.num_nodes[i] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_view_counts_each_node_once() {
        let mut v = ImageView::new(3, 2);
        v.add(1, 2);
        v.add(1, 2);
        v.add(1, 0);
        assert_eq!(v.num_nodes, vec![0, 2]);
        assert!(v.has(1, 0) && !v.has(1, 1) && !v.has(0, 0));
        assert!(!v.has(7, 0));
    }
}
