//! Names of a run's interned entities, which its rows refer to by dense id.

/// Names of the run's interned entities, for the name columns of the output tables.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Function names by function id.
    pub functions: Vec<String>,
    /// Node names by node id.
    pub nodes: Vec<String>,
    /// Image names by image id.
    pub images: Vec<String>,
}
