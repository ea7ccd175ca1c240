//! Arrow schemas, Parquet writing, the dataset layout and its atomic commits.
