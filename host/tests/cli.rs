//! The `wasm-dtls` CLI over loopback UDP: CLI server and client with all six suites,
//! interop with OpenSSL both ways, and failures with their NetX codes. Every wait is
//! bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/common/process.rs"]
#[allow(dead_code)]
mod process;

use std::time::Duration;

use process::{Process, free_port, openssl};

const LIMIT: Duration = Duration::from_secs(30);
const PSK: &str = "client-1:30313233343536373839616263646566";
const PSK_HEX: &str = "30313233343536373839616263646566";

fn fixture(name: &str) -> String {
    format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn cli(args: &[&str]) -> Process {
    Process::spawn(env!("CARGO_BIN_EXE_wasm-dtls"), args)
}

/// A CLI server on 127.0.0.1 with these extra arguments; returns it and its address.
fn server(extra: &[&str]) -> (Process, String) {
    server_on("127.0.0.1:0", extra)
}

/// A CLI server listening on `listen` with these extra arguments; returns it and the
/// address it reports.
fn server_on(listen: &str, extra: &[&str]) -> (Process, String) {
    let mut args = vec!["server", "--listen", listen];
    args.extend_from_slice(extra);
    let server = cli(&args);
    assert!(
        server.wait_for("listening on ", LIMIT),
        "the server did not start:\n{}",
        server.output()
    );
    let output = server.output();
    let addr = output
        .lines()
        .find_map(|l| l.strip_prefix("listening on "))
        .unwrap()
        .trim()
        .to_string();
    (server, addr)
}

/// Runs a CLI client to completion; its exit code and output.
fn client(args: &[&str]) -> (i32, String) {
    let mut all = vec!["client"];
    all.extend_from_slice(args);
    let mut client = cli(&all);
    let code = client.wait_exit(LIMIT).expect("the client did not exit");
    (code, client.output())
}

fn server_credentials() -> Vec<String> {
    vec![
        "--psk".into(),
        PSK.into(),
        "--cert".into(),
        fixture("server.crt.pem"),
        "--key".into(),
        fixture("server.key.pem"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn cli_server_and_cli_client_with_each_suite() {
    let mut args = server_credentials();
    args.push("--echo".into());
    let (server, addr) = server(&strs(&args));
    let ca = fixture("ca.crt.pem");
    for suite in [
        "psk-ccm8",
        "psk-gcm",
        "psk-chacha20",
        "ecdsa-ccm8",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ecdsa-chacha20",
    ] {
        let text = format!("hello over {suite}");
        let (code, output) = client(&[
            &addr, "--psk", PSK, "--ca", &ca, "--suites", suite, "--send", &text,
        ]);
        assert_eq!(code, 0, "{suite}: {output}");
        assert!(output.lines().any(|l| l == text), "{suite}: {output}");
        // The connected line names the ECDHE group (X25519 by default), none for PSK.
        let ecdhe = !suite.contains("psk");
        assert_eq!(output.contains(" on x25519"), ecdhe, "{suite}: {output}");
    }
    // --groups narrows the key exchange; the server's line names the group too.
    let (code, output) = client(&[
        &addr,
        "--ca",
        &ca,
        "--suites",
        "ecdsa-gcm",
        "--groups",
        "P-256",
        "--send",
        "over P-256",
    ]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on secp256r1"),
        "{output}"
    );
    assert!(
        server.wait_for(
            "established with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 on secp256r1",
            LIMIT
        ),
        "{}",
        server.output()
    );
}

#[test]
fn cli_client_with_a_client_certificate_and_a_trace() {
    let mut args = server_credentials();
    args.extend(["--echo", "--verify-client", "--ca"].map(String::from));
    args.push(fixture("ca.crt.pem"));
    let (server, addr) = server(&strs(&args));
    let (code, output) = client(&[
        &addr,
        "--ca",
        &fixture("ca.crt.pem"),
        "--cert",
        &fixture("client.crt.pem"),
        "--key",
        &fixture("client.key.pem"),
        "--send",
        "with my certificate",
        "--trace",
    ]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("with my certificate"));
    // The ladder names the messages, with timestamps.
    for message in [
        "ClientHello",
        "HelloVerifyRequest",
        "CertificateRequest",
        "CertificateVerify",
        "Finished",
    ] {
        assert!(
            output.contains(message),
            "no {message} in the trace:\n{output}"
        );
    }
    assert!(output.contains(" ms] client"), "{output}");
    assert!(server.wait_for("established with TLS_ECDHE_ECDSA", LIMIT));
}

#[test]
fn cli_client_talks_to_openssl_s_server() {
    let cases: [(&str, Vec<String>, Vec<String>); 3] = [
        (
            "PSK-AES128-CCM8:@SECLEVEL=0",
            ["-nocert", "-psk", PSK_HEX, "-psk_identity", "client-1"]
                .map(String::from)
                .to_vec(),
            ["--psk", PSK, "--suites", "psk-ccm8"]
                .map(String::from)
                .to_vec(),
        ),
        (
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            vec![
                "-cert".into(),
                fixture("server.crt.pem"),
                "-key".into(),
                fixture("server.key.pem"),
            ],
            vec![
                "--ca".into(),
                fixture("ca.crt.pem"),
                "--suites".into(),
                "ecdsa-gcm".into(),
            ],
        ),
        // An RSA server certificate: the component verifies it (ECDHE_RSA).
        (
            "ECDHE-RSA-CHACHA20-POLY1305",
            vec![
                "-cert".into(),
                fixture("rsa-server.crt.pem"),
                "-key".into(),
                fixture("rsa-server.key.pem"),
            ],
            vec![
                "--ca".into(),
                fixture("rsa-ca.crt.pem"),
                "--suites".into(),
                "rsa-chacha20".into(),
            ],
        ),
    ];
    for (cipher, server_args, client_args) in cases {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let mut args = vec![
            "s_server", "-dtls1_2", "-accept", &accept, "-cipher", cipher, "-naccept", "1",
        ];
        args.extend(strs(&server_args));
        let mut s_server = openssl(&args);
        let mut all = vec!["client", accept.as_str(), "--send", "hello from the cli"];
        all.extend(strs(&client_args));
        let mut client = cli(&all);
        assert!(
            s_server.wait_for("hello from the cli", LIMIT),
            "{cipher}: s_server got nothing:\n{}\nclient:\n{}",
            s_server.output(),
            client.output()
        );
        s_server.type_line("hello from openssl");
        let code = client.wait_exit(LIMIT);
        assert_eq!(code, Some(0), "{cipher}: {}", client.output());
        assert!(
            client.output().contains("hello from openssl"),
            "{}",
            client.output()
        );
    }
}

#[test]
fn openssl_s_client_talks_to_the_cli_server() {
    let mut args = server_credentials();
    args.push("--echo".into());
    let (_server, addr) = server(&strs(&args));
    let ca = fixture("ca.crt.pem");
    let cases: [(&str, Vec<&str>); 2] = [
        (
            "PSK-AES128-GCM-SHA256",
            vec!["-psk", PSK_HEX, "-psk_identity", "client-1"],
        ),
        (
            "ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0",
            vec![
                "-CAfile",
                &ca,
                "-verify_return_error",
                "-verify_hostname",
                "localhost",
            ],
        ),
    ];
    for (cipher, extra) in cases {
        let mut args = vec!["s_client", "-dtls1_2", "-connect", &addr, "-cipher", cipher];
        args.extend(extra);
        let mut s_client = openssl(&args);
        assert!(
            s_client.wait_for("Extended master secret: yes", LIMIT),
            "{cipher}: {}",
            s_client.output()
        );
        s_client.type_line("ping from openssl");
        // s_client prints what the echo sends back.
        assert!(
            s_client.wait_for("ping from openssl", LIMIT),
            "{cipher}: {}",
            s_client.output()
        );
    }
}

/// GnuTLS's client sends its close_notify right behind its data when its input ends:
/// the session is gone before the echo can answer. That is the session's end, not the
/// server's: it says so and serves the next client.
#[test]
fn a_client_that_closes_right_after_its_data_leaves_the_cli_server_serving() {
    let mut args = server_credentials();
    args.push("--echo".into());
    let (server, addr) = server(&strs(&args));
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut gnutls = Process::spawn(
        "gnutls-cli",
        &[
            "--udp",
            "--port",
            port,
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK",
            "--pskusername",
            "client-1",
            "--pskkey",
            PSK_HEX,
            host,
        ],
    );
    assert!(
        gnutls.wait_for("Handshake was completed", LIMIT),
        "{}",
        gnutls.output()
    );
    gnutls.type_line("ping and bye");
    gnutls.close_input();
    assert!(gnutls.wait_exit(LIMIT).is_some(), "{}", gnutls.output());
    assert!(
        server.wait_for("disconnected: NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED", LIMIT),
        "{}",
        server.output()
    );

    let (code, output) = client(&["--psk", PSK, "--send", "still there?", &addr]);
    assert_eq!(code, 0, "{output}\nserver:\n{}", server.output());
    assert!(output.contains("still there?"), "{output}");
}

/// SIGTERM, as service managers send it, stops the CLI server politely: its client,
/// waiting for input that never comes, hears close_notify, says so and exits at once
/// (it used to stay until its next line of input). Ctrl-C (SIGINT) on an interactive
/// client sends close_notify too, which the server reports.
#[test]
fn signals_end_sessions_with_close_notify_on_both_sides() {
    let (mut stopped, addr) = server(&["--psk", PSK]);
    let mut client = cli(&["client", &addr, "--psk", PSK]);
    assert!(
        client.wait_for("connected to", LIMIT),
        "{}",
        client.output()
    );
    stopped.signal("TERM");
    client.finishes_saying("the server closed the session", LIMIT);
    assert_eq!(stopped.wait_exit(LIMIT), Some(0), "{}", stopped.output());

    let (serving, addr) = server(&["--psk", PSK]);
    let mut client = cli(&["client", &addr, "--psk", PSK]);
    assert!(
        client.wait_for("connected to", LIMIT),
        "{}",
        client.output()
    );
    client.signal("INT");
    assert_eq!(client.wait_exit(LIMIT), Some(0), "{}", client.output());
    assert!(
        serving.wait_for("NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED", LIMIT),
        "{}",
        serving.output()
    );
}

#[test]
fn a_wrong_psk_fails_with_the_alert_code() {
    let (_server, addr) = server(&["--psk", PSK]);
    let (code, output) = client(&[
        &addr,
        "--psk",
        "client-1:00112233445566778899aabbccddeeff",
        "--send",
        "x",
    ]);
    assert_ne!(code, 0);
    assert!(
        output.contains("NX_SECURE_TLS_ALERT_RECEIVED (0x114)"),
        "{output}"
    );
    // What the alert most likely means, not only its RFC name.
    assert!(
        output.contains("bad_record_mac (20); it could not authenticate our records"),
        "{output}"
    );
}

#[test]
fn an_untrusted_server_certificate_fails_with_0x11b() {
    let (_server, addr) = server(&strs(&server_credentials()));
    let (code, output) = client(&[&addr, "--ca", &fixture("other-ca.crt.pem"), "--send", "x"]);
    assert_ne!(code, 0);
    assert!(
        output.contains("NX_SECURE_TLS_ISSUER_CERTIFICATE_NOT_FOUND (0x11B)"),
        "{output}"
    );
}

/// Client and server take a host name, resolved as `openssl s_client -connect` does,
/// and the client checks the server's certificate against that name unless told
/// otherwise.
#[test]
fn client_and_server_take_a_host_name_and_the_certificate_is_checked_against_it() {
    let mut args = server_credentials();
    args.push("--echo".into());
    let (_server, addr) = server_on("localhost:0", &strs(&args));
    let port = addr.rsplit_once(':').unwrap().1;
    let ca = fixture("ca.crt.pem");
    let host = format!("localhost:{port}");
    let ecdsa_to = |extra: &[&str]| {
        let fixed = [host.as_str(), "--ca", &ca, "--suites", "ecdsa-gcm"];
        client(&[fixed.as_slice(), extra].concat())
    };
    let (code, output) = ecdsa_to(&["--send", "by name"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.lines().any(|l| l == "by name"), "{output}");
    // The certificate names localhost, not this name: refused with 0x10C.
    let (code, output) = ecdsa_to(&["--server-name", "elsewhere.example", "--send", "x"]);
    assert_ne!(code, 0);
    assert!(output.contains("(0x10C)"), "{output}");
    // It says which names the certificate holds, so the fix is plain.
    assert!(
        output.contains("\"elsewhere.example\" is not among its names (\"localhost\", 127.0.0.1)"),
        "{output}"
    );
    let (code, output) = client(&["localhost", "--psk", PSK, "--send", "x"]);
    assert_ne!(code, 0);
    assert!(
        output.contains("NX_INVALID_PARAMETERS (0x4D)") && output.contains("HOST:PORT"),
        "{output}"
    );
}

#[test]
fn a_server_that_is_not_there_times_out_with_a_clear_error() {
    let addr = format!("127.0.0.1:{}", free_port());
    let (code, output) = client(&[&addr, "--psk", PSK, "--send", "x", "--timeout", "2"]);
    assert_ne!(code, 0);
    assert!(
        output.contains("WASM_DTLS_HANDSHAKE_TIMEOUT (0x8001)"),
        "{output}"
    );
}

#[test]
fn bad_arguments_are_refused_with_0x4d() {
    let (code, output) = client(&["127.0.0.1:9", "--psk", "no-key-here", "--send", "x"]);
    assert_ne!(code, 0);
    assert!(output.contains("NX_INVALID_PARAMETERS (0x4D)"), "{output}");
    let (code, output) = client(&["127.0.0.1:9", "--psk", PSK, "--suites", "rc4"]);
    assert_ne!(code, 0);
    assert!(output.contains("unknown suite"), "{output}");
    let (code, output) = client(&["127.0.0.1:9", "--psk", PSK, "--groups", "x448"]);
    assert_ne!(code, 0);
    assert!(output.contains("NX_INVALID_PARAMETERS (0x4D)"), "{output}");
    assert!(output.contains("unknown group \"x448\""), "{output}");
    for seconds in ["0", "-1", "NaN", "1e30"] {
        let flag = format!("--idle-timeout={seconds}");
        let (code, output) = client(&["127.0.0.1:9", "--psk", PSK, &flag]);
        assert_ne!(code, 0);
        assert!(
            output.contains("--idle-timeout must be a positive number of seconds"),
            "{output}"
        );
    }
}

/// `--idle-timeout` frees the slot of a client that went silent: the server reports
/// the session ended with WASM_DTLS_IDLE_TIMEOUT.
#[test]
fn the_server_ends_sessions_that_stay_silent_past_the_idle_timeout() {
    let (server, addr) = server(&["--psk", PSK, "--idle-timeout", "0.5"]);
    let client = cli(&["client", &addr, "--psk", PSK]);
    assert!(
        client.wait_for("connected to", LIMIT),
        "{}",
        client.output()
    );
    assert!(
        server.wait_for("WASM_DTLS_IDLE_TIMEOUT (0x8002)", LIMIT),
        "{}",
        server.output()
    );
}

#[test]
fn the_demo_runs_every_suite() {
    let mut demo = cli(&["demo"]);
    assert_eq!(demo.wait_exit(LIMIT), Some(0), "{}", demo.output());
    let output = demo.output();
    for suite in [
        "TLS_PSK_WITH_AES_128_CCM_8",
        "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ] {
        let row = output
            .lines()
            .find(|l| l.starts_with(suite) && l.contains(" ms "));
        assert!(
            row.is_some_and(|r| r.contains("echo: hello")),
            "{suite}:\n{output}"
        );
        // The group column: X25519 for the certificate suites, none for PSK.
        let group = if suite.contains("ECDHE") {
            " x25519 "
        } else {
            " - "
        };
        assert!(row.is_some_and(|r| r.contains(group)), "{suite}:\n{output}");
    }
    // The last suite once more, resumed: an abbreviated handshake, still on X25519 (the
    // group of the key exchange it resumes), with its echo.
    let resumed = output
        .lines()
        .find(|l| l.contains(" resumed ") && l.contains(" ms "));
    assert!(
        resumed.is_some_and(
            |r| r.starts_with("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
                && r.contains(" x25519 ")
                && r.contains("echo: hello")
        ),
        "{output}"
    );
    assert!(output.contains("resuming the session"), "{output}");
}

#[test]
fn the_cli_client_resumes_its_session_with_reconnect_and_across_runs() {
    let mut args = server_credentials();
    args.push("--echo".into());
    let (server, addr) = server(&strs(&args));
    // --reconnect: a full handshake, then a resumed one in the same run.
    let (code, output) = client(&[&addr, "--psk", PSK, "--reconnect", "--send", "twice"]);
    assert_eq!(code, 0, "{output}");
    let connected: Vec<&str> = output
        .lines()
        .filter(|l| l.starts_with("connected to "))
        .collect();
    assert_eq!(connected.len(), 2, "{output}");
    assert!(!connected[0].contains("resumed"), "{output}");
    assert!(connected[1].ends_with(", resumed session"), "{output}");
    assert!(
        server.wait_for(
            "established with TLS_PSK_WITH_AES_128_CCM_8, resumed session",
            LIMIT
        ),
        "{}",
        server.output()
    );

    // --sess-out in one run, --sess-in in the next (with certificates this time).
    let file = std::env::temp_dir().join(format!("wasm-dtls-cli-{}.session", std::process::id()));
    let file = file.to_string_lossy().into_owned();
    let ca = fixture("ca.crt.pem");
    let common = [
        "--ca",
        ca.as_str(),
        "--server-name",
        "localhost",
        "--send",
        "hi",
    ];
    let mut first = vec![addr.as_str(), "--sess-out", &file];
    first.extend(common);
    let (code, output) = client(&first);
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("resumed"), "{output}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the file holds a master secret");
    }
    let mut second = vec![addr.as_str(), "--sess-in", &file];
    second.extend(common);
    let (code, output) = client(&second);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(", resumed session"), "{output}");

    // A file that is not a saved session: 0x4D, naming the file.
    std::fs::write(&file, b"garbage").unwrap();
    let (code, output) = client(&second);
    assert_ne!(code, 0);
    assert!(
        output.contains("0x4D") || output.contains("0x4d"),
        "{output}"
    );
    assert!(output.contains(&file), "{output}");
    let _ = std::fs::remove_file(&file);
}
