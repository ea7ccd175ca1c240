//! SIGINT and SIGTERM during a sweep: the first one stops starting new batches; the batches in
//! flight finish and are committed, and the sweep says so and exits (a second signal ends the
//! process at once). A Slurm task cancelled with SIGTERM thus ends like Ctrl-C, with a word.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the handler; the runner polls it between batches.
pub static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
    let msg = b"\nfaasim: signal received: finishing the batches in flight, then stopping (send it again to stop at once)\n";
    // SAFETY: write(2) is async-signal-safe; the buffer is valid for its length.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
    }
}

/// Installs the handler for SIGINT and SIGTERM, once; it resets itself to the default action
/// after the first signal.
pub fn install() -> &'static AtomicBool {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is a valid value; the handler only touches an atomic and
        // calls write(2).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
    &STOP
}
