//! Parameter sweeps: expansion into runs, the parallel runner, sharding and resume.
