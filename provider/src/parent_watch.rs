//! The provider's lifetime is its Terraform's: it exits soon after the process that started it
//! is gone.
//!
//! Terraform stops its providers through the plugin protocol when it is done. A Terraform that is
//! killed (SIGKILL during a plan, or SIGPIPE when `terraform plan | head` closes the pipe) stops
//! nothing, and the provider, re-parented to init or a subreaper, would serve (or wait on a
//! webserver) forever. A thread compares the parent process id with the one at start and exits
//! the process when it changes.
//!
//! Written by hand on `std::os::unix::process::parent_id`, with no `unsafe` and no extra crate:
//! Linux's `PR_SET_PDEATHSIG` (through `prctl`, which needs `unsafe` or a libc wrapper) fires
//! when the parent *thread* that forked the provider exits, and Terraform is a Go program whose
//! runtime may retire that thread while Terraform lives on; it is also Linux only. Polling the
//! parent id costs one `getppid` call per interval and works on every Unix. It knows nothing of
//! the plugin protocol, so any serving layer can start it; do not start it when the provider is
//! not started by Terraform (a debug mode that prints `TF_REATTACH_PROVIDERS`).

use std::time::Duration;

/// How often the parent is checked: the longest the provider outlives its Terraform.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// Starts a thread that ends the process (exit code 1) once the parent process is gone,
/// checking every `interval`.
pub fn exit_when_parent_exits(interval: Duration) {
    let parent = std::os::unix::process::parent_id();
    let watcher = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || {
            wait_until_parent_changes(parent, interval, std::os::unix::process::parent_id);
            tracing::warn!(
                parent,
                "the Terraform process that started terraform-provider-dagster is gone; exiting"
            );
            std::process::exit(1);
        });
    if let Err(error) = watcher {
        // Serving still works; only a killed Terraform would leave this process behind.
        tracing::warn!(%error, "cannot start the parent watch thread");
    }
}

/// Returns once `current_parent()` differs from `parent`, checking every `interval`.
fn wait_until_parent_changes(parent: u32, interval: Duration, current_parent: impl Fn() -> u32) {
    while current_parent() == parent {
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn returns_once_the_parent_id_changes() {
        let checks = AtomicU32::new(0);
        // The parent is 42 for three checks, then the process is re-parented to init.
        let parent = || {
            if checks.fetch_add(1, Ordering::SeqCst) < 3 {
                42
            } else {
                1
            }
        };
        wait_until_parent_changes(42, Duration::ZERO, parent);
        assert_eq!(checks.load(Ordering::SeqCst), 4);
    }
}
