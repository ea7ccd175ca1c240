//! Where a result comes from: the build (git commit and dirty flag, rustc version, faasim
//! version) and the process that ran it (host, start time, command line), written to the
//! provenance columns of `runs` and to the manifest (docs/outputs.md, "Provenance").
//!
//! The build facts are recorded by `build.rs` at compile time. Provenance is telemetry: it
//! differs between machines and builds, so `--no-telemetry` leaves those columns null and
//! results stay byte-identical across machines.

use std::time::{SystemTime, UNIX_EPOCH};

/// Git commit the binary was built from (None outside a git checkout).
pub fn git_commit() -> Option<&'static str> {
    Some(env!("FAASIM_GIT_COMMIT")).filter(|s| !s.is_empty())
}

/// Whether tracked files differed from that commit at build time (None when unknown).
pub fn git_dirty() -> Option<bool> {
    match env!("FAASIM_GIT_DIRTY") {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `rustc --version` of the compiler that built the binary.
pub fn rustc_version() -> &'static str {
    env!("FAASIM_RUSTC_VERSION")
}

/// The machine's host name (`unknown` if the system does not say).
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Peak resident set size of this process (`VmHWM`), where the platform tells.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The current time as RFC 3339 UTC with milliseconds (`2026-11-30T05:07:41.123Z`).
pub fn now_utc() -> String {
    rfc3339_utc(SystemTime::now())
}

/// `t` as RFC 3339 UTC with milliseconds.
pub fn rfc3339_utc(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    // Shift to an era starting on 0000-03-01 so leap days fall at the end of a year.
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A command line as one shell-quoted string.
pub fn command_line(args: &[String]) -> String {
    args.iter()
        .map(|a| crate::sweep::repro::shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the process that produced a run knows about itself; shared by every run it executes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessProvenance {
    /// Git commit of the build.
    pub git_commit: Option<String>,
    /// Tracked files differed from the commit at build time.
    pub git_dirty: Option<bool>,
    /// rustc version of the build.
    pub rustc_version: String,
    /// Host name.
    pub host: String,
    /// Command line, shell-quoted.
    pub command: String,
    /// When the process (the sweep shard, or the single run) started, RFC 3339 UTC.
    pub started_at: String,
}

impl ProcessProvenance {
    /// This process, started now, running `command`.
    pub fn current(command: &[String]) -> ProcessProvenance {
        ProcessProvenance {
            git_commit: git_commit().map(str::to_string),
            git_dirty: git_dirty(),
            rustc_version: rustc_version().to_string(),
            host: host_name(),
            command: command_line(command),
            started_at: now_utc(),
        }
    }

    /// As a JSON object for the manifest.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "faasim_version": crate::VERSION,
            "git_commit": self.git_commit,
            "git_dirty": self.git_dirty,
            "rustc_version": self.rustc_version,
            "host": self.host,
            "command": self.command,
            "started_at": self.started_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // 2000-02-29 (a leap day) 12:34:56.789.
        let t = UNIX_EPOCH + Duration::from_millis(951_827_696_789);
        assert_eq!(rfc3339_utc(t), "2000-02-29T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_796_016_461);
        assert_eq!(rfc3339_utc(t), "2026-11-30T05:27:41.000Z");
    }

    #[test]
    fn the_build_facts_are_recorded() {
        assert!(rustc_version().starts_with("rustc "), "{}", rustc_version());
        if let Some(c) = git_commit() {
            assert_eq!(c.len(), 40);
            assert!(git_dirty().is_some());
        }
        assert!(!host_name().is_empty());
    }

    #[test]
    fn command_lines_are_shell_quoted() {
        let args = ["faasim", "run", "a b.toml", "--set", "x=\"y\""].map(String::from);
        assert_eq!(command_line(&args), "faasim run 'a b.toml' --set 'x=\"y\"'");
    }
}
