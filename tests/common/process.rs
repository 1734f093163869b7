//! Child processes for the interop tests (OpenSSL, GnuTLS, the CLI) and free loopback
//! ports.
//! Shared with the host crate's tests (`#[path]`), so it uses only std.

use std::io::{Read, Write};
use std::net::UdpSocket;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A free UDP port on loopback for a peer program to listen on (bound and released).
///
/// Taken from a span below the kernel's ephemeral range, at a place of this process's:
/// a port the kernel handed out for port 0 could be handed out again — to a client or
/// relay of a test running alongside — before the peer binds it.
pub fn free_port() -> u16 {
    const SPAN: u16 = 8192;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .filter(|&low| low >= 1024 + SPAN);
    if let Some(low) = ephemeral_low {
        // Processes started one after another have neighbouring ids: spread them
        // over the span (Knuth's multiplicative hash) so their ports do not overlap.
        let start = (std::process::id().wrapping_mul(2_654_435_761) >> 19) as u16;
        for _ in 0..SPAN {
            let step = NEXT.fetch_add(1, Ordering::Relaxed);
            let port = low - SPAN + (start.wrapping_add(step) % SPAN);
            if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
    }
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    s.local_addr().expect("local addr").port()
}

/// A child process (OpenSSL, the CLI) whose output is collected in the background and
/// which is killed when dropped.
pub struct Process {
    program: String,
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
}

/// `openssl` with these arguments.
pub fn openssl(args: &[&str]) -> Process {
    Process::spawn("openssl", args)
}

/// `openssl` with these arguments and without the extended master secret (RFC 7627),
/// which it offers and accepts by default: turned off through its configuration file
/// (SSL_CONF `Options = -ExtendedMasterSecret`; OpenSSL 3.0's s_client and s_server
/// have no switch for it).
pub fn openssl_without_ems(args: &[&str]) -> Process {
    let conf = std::env::temp_dir().join(format!("wasm-dtls-no-ems-{}.cnf", std::process::id()));
    std::fs::write(
        &conf,
        "openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = defaults\n\
         [defaults]\nOptions = -ExtendedMasterSecret\n",
    )
    .expect("write an OpenSSL configuration file");
    let conf = conf.to_str().expect("a temporary path in UTF-8");
    Process::spawn_with_env("openssl", args, &[("OPENSSL_CONF", conf)])
}

impl Process {
    pub fn spawn(program: &str, args: &[&str]) -> Process {
        Process::spawn_with_env(program, args, &[])
    }

    /// `program` with `env` added to its environment (per process: tests run in
    /// threads of one process, so they must not set variables of their own).
    pub fn spawn_with_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Process {
        let mut child = Command::new(program)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run {program} (scripts/test.sh installs what the tests need): {e}")
            });
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    output
                        .lock()
                        .expect("output lock")
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let stdin = child.stdin.take();
        Process {
            program: program.to_string(),
            child,
            stdin,
            output,
        }
    }

    /// Everything the process printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().expect("output lock").clone()
    }

    /// Types a line into the process; panics with what it printed if it has gone.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        // One write, so the line and its end arrive together: s_server sends what one
        // read gives it, and once our client has its answer and closes, s_server exits,
        // so a separate newline would find the pipe broken.
        let typed = stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush());
        if let Err(e) = typed {
            panic!(
                "cannot type into {} ({e}); it printed:\n{}",
                self.program,
                self.output()
            );
        }
    }

    /// Closes the process's input (end of file).
    pub fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Sends the process a signal by name (`TERM`, `INT`) through `kill`: std has no
    /// signals, and this code uses only std.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status();
        assert!(
            sent.is_ok_and(|s| s.success()),
            "cannot send SIG{name} to {}",
            self.program
        );
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// Waits up to `limit` until the output contains `needle`.
    pub fn wait_for(&self, needle: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.output().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.output().contains(needle)
    }

    /// Waits up to `limit` for the process to exit successfully after printing `text`.
    pub fn finishes_saying(&mut self, text: &str, limit: Duration) {
        let code = self.wait_exit(limit);
        let output = self.output();
        assert_eq!(code, Some(0), "{output}");
        assert!(output.contains(text), "{output}");
    }

    /// Waits up to `limit` for the process to exit; its exit code, if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader threads take the last output.
                std::thread::sleep(Duration::from_millis(50));
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}
