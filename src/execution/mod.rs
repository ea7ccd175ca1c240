//! How replicas execute requests: execution-time distributions and concurrency models.
