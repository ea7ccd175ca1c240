//! Autoscalers, scale to zero and keep-alive policies.
