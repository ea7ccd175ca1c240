//! `Scaler`: who made a scaling decision — the value of the `scaling.scaler` column
//! (`docs/outputs.md`), kept as an enum while the run decides and turned into its string only
//! when a row is written.

/// The origin of a scaling decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scaler {
    /// Deploy, remove and suspend through the public operations.
    Lifecycle,
    /// A scripted command (`[[commands]]`).
    Command,
    /// Scale-from-zero by the router (`routing.scale_from_zero = "on_demand"`).
    Router,
    /// The idler of `scale_zero` deployments.
    Idler,
    /// Keep-alive expiry and pre-warming.
    Keepalive,
    /// The per-request scaler.
    PerRequest,
    /// The request-rate scaler.
    RequestRate,
    /// The average-rps scaler.
    AvgRps,
    /// The average-queue scaler.
    AvgQueue,
    /// The CPU-utilisation HPA.
    HpaCpu,
    /// No autoscaler.
    None,
}

impl Scaler {
    /// The `scaling.scaler` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Scaler::Lifecycle => "lifecycle",
            Scaler::Command => "command",
            Scaler::Router => "router",
            Scaler::Idler => "idler",
            Scaler::Keepalive => "keepalive",
            Scaler::PerRequest => "per_request",
            Scaler::RequestRate => "request_rate",
            Scaler::AvgRps => "avg_rps",
            Scaler::AvgQueue => "avg_queue",
            Scaler::HpaCpu => "hpa_cpu",
            Scaler::None => "none",
        }
    }

    /// Life-cycle and command records are written even when they change nothing
    /// (`outputs.scaling.include_noop = false` drops only the no-op decisions of scalers).
    pub fn always_recorded(self) -> bool {
        matches!(self, Scaler::Lifecycle | Scaler::Command)
    }
}
