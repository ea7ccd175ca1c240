//! `ImageRegistry`: interned images with their per-architecture sizes (`docs/model.md` §2).

use crate::config::ImageConfig;

/// Dense image index in registry declaration order.
pub type ImageId = u32;

/// Architecture id that matches every node (`arch = "any"`).
pub const ARCH_ANY: u32 = u32::MAX;

/// The registry's images.
#[derive(Clone, Debug, Default)]
pub struct ImageRegistry {
    /// Normalised names.
    pub names: Vec<String>,
    /// `(arch id or ARCH_ANY, bytes)` in declaration order, per image.
    pub variants: Vec<Vec<(u32, u64)>>,
}

/// Appends `:latest` when the last `:` does not come after the last `/`.
pub fn normalize_image_name(name: &str) -> String {
    let colon = name.rfind(':');
    let slash = name.rfind('/');
    match (colon, slash) {
        (Some(c), Some(s)) if c > s => name.to_string(),
        (Some(_), None) => name.to_string(),
        _ => format!("{name}:latest"),
    }
}

impl ImageRegistry {
    /// Builds the registry, interning architecture names through `intern_arch`.
    pub fn build(
        images: &[ImageConfig],
        mut intern_arch: impl FnMut(&str) -> u32,
    ) -> ImageRegistry {
        let mut reg = ImageRegistry::default();
        for img in images {
            reg.names.push(normalize_image_name(&img.name));
            reg.variants.push(
                img.variants
                    .iter()
                    .map(|v| {
                        let a = if v.arch == "any" {
                            ARCH_ANY
                        } else {
                            intern_arch(&v.arch)
                        };
                        (a, v.size.0)
                    })
                    .collect(),
            );
        }
        reg
    }

    /// Looks up an image by (normalised) name.
    pub fn id(&self, name: &str) -> Option<ImageId> {
        let n = normalize_image_name(name);
        self.names
            .iter()
            .position(|x| *x == n)
            .map(|i| i as ImageId)
    }

    /// Size of the variant for `arch`: the first exact match, else the first `any`, else none.
    #[inline]
    pub fn size_for_arch(&self, image: ImageId, arch: u32) -> Option<u64> {
        let v = &self.variants[image as usize];
        v.iter()
            .find(|(a, _)| *a == arch)
            .or_else(|| v.iter().find(|(a, _)| *a == ARCH_ANY))
            .map(|(_, s)| *s)
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True without images.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_normalised_like_docker() {
        assert_eq!(normalize_image_name("a/b"), "a/b:latest");
        assert_eq!(normalize_image_name("host:5000/a"), "host:5000/a:latest");
        assert_eq!(normalize_image_name("a:1"), "a:1");
        assert_eq!(normalize_image_name("pi"), "pi:latest");
    }
}
