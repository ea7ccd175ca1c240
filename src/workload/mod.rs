//! Request arrivals: rate profiles and inter-arrival processes.
