//! The FaaS platform: functions, deployments, the replica table and its life cycle, the
//! scheduling queue, load balancing and invocations.
