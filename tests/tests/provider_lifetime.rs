//! The provider's lifetime through real Terraform CLIs: a Terraform killed (SIGKILL, or SIGPIPE)
//! while the provider serves it must not leave the provider running.

use dagster_e2e::{clis, config, Terraform, Workspace};
use std::io::ErrorKind;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
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

/// A workspace whose plan reads the instance data source from `url`, with `timeout_seconds`.
fn reading_workspace(tf: &Terraform, url: &str, timeout_seconds: u32) -> Workspace {
    let ws = Workspace::new(
        tf,
        &config(&format!(
            "provider \"dagster\" {{\n  webserver_url   = \"{url}\"\n  timeout_seconds = {timeout_seconds}\n  retries         = 0\n}}\n\ndata \"dagster_instance_concurrency\" \"live\" {{}}\n"
        )),
    );
    ws.init();
    ws
}

/// Waits until every process of `providers` is gone, then fails naming those left (after
/// killing them, so a failing test leaves nothing behind).
fn expect_gone(tf: &Terraform, providers: &[u32]) {
    let since = Instant::now();
    while providers.iter().any(|pid| alive(*pid)) && since.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<u32> = providers
        .iter()
        .copied()
        .filter(|pid| alive(*pid))
        .collect();
    for pid in &left {
        kill(*pid);
    }
    assert!(
        left.is_empty(),
        "terraform {}: providers {left:?} outlived their Terraform by {DEADLINE:?}",
        tf.version
    );
}

/// A `terraform plan` (output to `output`) whose provider is reading from a server that
/// accepts and never answers, with `timeout_seconds`: the running Terraform, the provider's
/// connection (kept open), and the providers as `(provider, the Terraform that started it)`.
fn plan_waiting_on_a_silent_server(
    tf: &Terraform,
    timeout_seconds: u32,
    output: fn() -> Stdio,
) -> (Child, TcpStream, Vec<(u32, u32)>) {
    let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
    let url = format!("http://{}", silent.local_addr().expect("address"));
    let ws = reading_workspace(tf, &url, timeout_seconds);
    let terraform = ws
        .command(&["plan", "-no-color"])
        .stdin(Stdio::null())
        .stdout(output())
        .stderr(output())
        .spawn()
        .expect("terraform plan starts");
    let connection = accept_silently(&silent);
    let providers = providers_below(terraform.id());
    assert!(
        !providers.is_empty(),
        "terraform {}: no provider process found",
        tf.version
    );
    (terraform, connection, providers)
}

#[test]
fn a_killed_terraform_leaves_no_provider_running() {
    for tf in clis() {
        // A read that would wait an hour.
        let (mut terraform, _connection, providers) =
            plan_waiting_on_a_silent_server(tf, 3600, Stdio::null);
        // SIGKILL to the Terraform that started the provider (a child of ours), then to ours.
        for (_, parent) in &providers {
            kill(*parent);
        }
        terraform.kill().expect("SIGKILL terraform");
        terraform.wait().expect("reap terraform");
        let providers: Vec<u32> = providers.into_iter().map(|(pid, _)| pid).collect();
        expect_gone(tf, &providers);
    }
}

/// `terraform plan | head -1`: the reader goes away after one line, and Terraform dies of
/// SIGPIPE at its next write (here, the error of a read that times out after a second).
#[test]
fn a_terraform_killed_by_a_closed_pipe_leaves_no_provider_running() {
    for tf in clis() {
        let (mut terraform, _connection, providers) =
            plan_waiting_on_a_silent_server(tf, 1, Stdio::piped);
        let mut stdout = BufReader::new(terraform.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("one line");
        drop(stdout);
        drop(terraform.stderr.take());

        // Terraform 1.0.3 runs its work in a child process (panicwrap's) and exits 1 when that
        // child dies of SIGPIPE; newer CLIs die of SIGPIPE themselves.
        let status = terraform.wait().expect("terraform ends");
        assert!(!status.success(), "terraform {}: {status}", tf.version);
        let providers: Vec<u32> = providers.into_iter().map(|(pid, _)| pid).collect();
        expect_gone(tf, &providers);
    }
}
