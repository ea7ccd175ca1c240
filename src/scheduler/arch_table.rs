//! Which node architectures each image can run on: the one kernel behind the
//! `ImageArchAvailable` predicate of every profile (`docs/model.md` §2, `docs/schedulers.md`).
//!
//! A node of architecture `A` can pull an image when the image has a variant for `A` or an
//! `any` variant. The table is computed once per scheduler, so a decision reads one row.

use crate::cluster::Cluster;
use crate::scheduler::plugins::predicates::arch_table;

/// Per (image, arch): the image has a variant usable on that architecture.
#[derive(Clone, Debug, Default)]
pub struct ArchTable {
    n_archs: usize,
    n_images: usize,
    /// Row-major `(n_images + 1) × n_archs`; the trailing row (an image outside the registry)
    /// allows no architecture.
    ok: Vec<bool>,
}

impl ArchTable {
    /// The table of every image of `cluster`'s registry.
    pub fn new(cluster: &Cluster) -> ArchTable {
        let n_archs = cluster.archs.len();
        let n_images = cluster.images.len();
        let mut ok = Vec::with_capacity((n_images + 1) * n_archs);
        let mut row = Vec::new();
        for img in 0..n_images as u32 {
            arch_table(cluster, img, &mut row);
            ok.extend_from_slice(&row);
        }
        ok.extend(std::iter::repeat_n(false, n_archs));
        ArchTable {
            n_archs,
            n_images,
            ok,
        }
    }

    /// Per arch id: `image` can run there.
    pub fn row(&self, image: u32) -> &[bool] {
        let r = (image as usize).min(self.n_images);
        &self.ok[r * self.n_archs..(r + 1) * self.n_archs]
    }

    /// `image` can run on a node of architecture `arch`.
    pub fn allows(&self, image: u32, arch: u32) -> bool {
        self.row(image).get(arch as usize).copied().unwrap_or(false)
    }
}
