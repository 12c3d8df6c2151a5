//! The provider's lifetime through real Terraform CLIs: a Terraform killed (SIGKILL) while the
//! provider serves it must not leave the provider running.

use dagster_e2e::{clis, config, Workspace};
use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest wait for something the test waits on. A deadline for liveness, not a timing
/// assertion: the provider checks for its parent every half second.
const DEADLINE: Duration = Duration::from_secs(120);

/// `(pid, comm, ppid)` of every process, from `/proc`.
fn processes() -> Vec<(u32, String, u32)> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid ...`; comm is at most 15 bytes and may hold spaces.
            let (_, rest) = stat.split_once(" (")?;
            let (comm, rest) = rest.rsplit_once(") ")?;
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, comm.to_owned(), ppid))
        })
        .collect()
}

/// The providers started below `root` (Terraform 1.0.3 runs its work in a child process of its
/// own, panicwrap's), each as `(provider, the Terraform process that started it)`.
fn providers_below(root: u32) -> Vec<(u32, u32)> {
    let all = processes();
    let mut tree = vec![root];
    let mut providers = Vec::new();
    while let Some(parent) = tree.pop() {
        for (pid, comm, ppid) in &all {
            if *ppid == parent {
                if comm.starts_with("terraform-provi") {
                    providers.push((*pid, parent));
                } else {
                    tree.push(*pid);
                }
            }
        }
    }
    providers
}

fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// Whether `pid` is still a live process (a zombie waiting to be reaped counts as gone).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let (_, rest) = stat.rsplit_once(") ")?;
            rest.chars().next()
        })
        .is_some_and(|state| state != 'Z' && state != 'X')
}

/// Waits for the first connection to `listener` and keeps it open, never answering.
fn accept_silently(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let started = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => return stream,
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                assert!(started.elapsed() < DEADLINE, "the provider never connected");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => panic!("accept: {error}"),
        }
    }
}

#[test]
fn a_killed_terraform_leaves_no_provider_running() {
    // A webserver that accepts and never answers, and a read that would wait an hour on it.
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let url = format!("http://{}", silent.local_addr().expect("address"));
    for tf in clis() {
        let ws = Workspace::new(
            tf,
            &config(&format!(
                "provider \"dagster\" {{\n  webserver_url   = \"{url}\"\n  timeout_seconds = 3600\n  retries         = 0\n}}\n\ndata \"dagster_instance_concurrency\" \"live\" {{}}\n"
            )),
        );
        ws.init();
        let mut terraform = ws
            .command(&["plan", "-no-color"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("terraform plan starts");
        let connection = accept_silently(&silent);
        let providers = providers_below(terraform.id());
        assert!(
            !providers.is_empty(),
            "terraform {}: no provider process found",
            tf.version
        );

        // SIGKILL to the Terraform that started the provider (a child of ours), then to ours.
        for (_, parent) in &providers {
            kill(*parent);
        }
        terraform.kill().expect("SIGKILL terraform");
        terraform.wait().expect("reap terraform");
        let providers: Vec<u32> = providers.into_iter().map(|(pid, _)| pid).collect();

        let killed = Instant::now();
        while providers.iter().any(|pid| alive(*pid)) && killed.elapsed() < DEADLINE {
            std::thread::sleep(Duration::from_millis(100));
        }
        let left: Vec<u32> = providers.into_iter().filter(|pid| alive(*pid)).collect();
        for pid in &left {
            // Leave nothing behind even when the test fails: killed by its own process id.
            kill(*pid);
        }
        assert!(
            left.is_empty(),
            "terraform {}: providers {left:?} outlived the killed Terraform by {DEADLINE:?}",
            tf.version
        );
        drop(connection);
    }
}
