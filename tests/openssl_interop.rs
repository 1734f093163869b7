//! Interoperability with OpenSSL 3 over loopback UDP, both directions, both PSK suites,
//! application data checked both ways. Bounded by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::udp::{OpenSsl, UdpDriver, free_port};
use common::{IDENTITY, KEY, psk_config};
use wasm_dtls::{CipherSuite, Event, Session};

const LIMIT: Duration = Duration::from_secs(20);

fn openssl_cipher(suite: CipherSuite) -> &'static str {
    match suite {
        // OpenSSL 3 files CCM8 under security level 0 (TOOLCHAIN.md).
        CipherSuite::PskAes128Ccm8 => "PSK-AES128-CCM8:@SECLEVEL=0",
        CipherSuite::PskAes128GcmSha256 => "PSK-AES128-GCM-SHA256",
        other => panic!("not a PSK suite: {other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Waits (while driving the session) until OpenSSL printed `needle`.
fn wait_for_output(driver: &mut UdpDriver, openssl: &OpenSsl, needle: &str) -> bool {
    driver.run_until(LIMIT, |_| openssl.output().contains(needle))
}

#[test]
fn our_client_talks_to_openssl_s_server() {
    for suite in [CipherSuite::PskAes128Ccm8, CipherSuite::PskAes128GcmSha256] {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let psk = hex(KEY);
        let identity = String::from_utf8_lossy(IDENTITY).into_owned();
        let mut server = OpenSsl::spawn(&[
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-nocert",
            "-psk",
            &psk,
            "-psk_identity",
            &identity,
            "-psk_hint",
            "hint",
            "-cipher",
            openssl_cipher(suite),
            "-naccept",
            "1",
        ]);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer: SocketAddr = accept.parse().unwrap();
        let session = Session::client(Arc::new(psk_config(suite, KEY)));
        let mut client = UdpDriver::new(session, socket, peer);
        // OpenSSL may not be listening yet: our ClientHello retransmission covers that.
        let now = client.now();
        client.session.start(now).unwrap();
        assert!(
            client.run_until(LIMIT, UdpDriver::connected),
            "{suite:?}: no handshake; events {:?}; openssl said:\n{}",
            client.events,
            server.output()
        );
        assert!(client.events.contains(&Event::Connected { suite }));

        client.session.send(b"hello from wasm-dtls\n").unwrap();
        assert!(
            wait_for_output(&mut client, &server, "hello from wasm-dtls"),
            "{suite:?}: s_server did not print our data:\n{}",
            server.output()
        );
        server.type_line("hello from openssl");
        assert!(
            client.run_until(LIMIT, |c| c.received() == b"hello from openssl\n"),
            "{suite:?}: got {:?}",
            String::from_utf8_lossy(&client.received())
        );
        client.session.close();
        client.flush();
        assert_eq!(client.session.stats().dropped_bad_mac, 0);
    }
}

#[test]
fn openssl_s_client_talks_to_our_server() {
    for suite in [CipherSuite::PskAes128Ccm8, CipherSuite::PskAes128GcmSha256] {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let connect = format!("127.0.0.1:{port}");
        let psk = hex(KEY);
        let identity = String::from_utf8_lossy(IDENTITY).into_owned();
        let mut client = OpenSsl::spawn(&[
            "s_client",
            "-dtls1_2",
            "-connect",
            &connect,
            "-psk",
            &psk,
            "-psk_identity",
            &identity,
            "-cipher",
            openssl_cipher(suite),
        ]);
        // The server session is made for the first peer that writes to us.
        socket.set_read_timeout(Some(LIMIT)).unwrap();
        let mut buf = vec![0u8; 65_536];
        let (n, peer) = socket.recv_from(&mut buf).expect("s_client sent nothing");
        let mut config = psk_config(suite, KEY);
        config.set_key_log(true);
        let session = Session::server(Arc::new(config), peer.to_string().as_bytes());
        let mut server = UdpDriver::new(session, socket, peer);
        let now = server.now();
        server.session.handle_datagram(now, &buf[..n]);
        assert!(
            server.run_until(LIMIT, UdpDriver::connected),
            "{suite:?}: no handshake; events {:?}; openssl said:\n{}",
            server.events,
            client.output()
        );
        assert!(server.events.contains(&Event::Connected { suite }));
        // s_client reports what was negotiated once the handshake is done.
        assert!(wait_for_output(
            &mut server,
            &client,
            "Extended master secret: yes"
        ));

        client.type_line("hello from openssl");
        assert!(
            server.run_until(LIMIT, |s| s.received() == b"hello from openssl\n"),
            "{suite:?}: got {:?}; openssl said:\n{}",
            String::from_utf8_lossy(&server.received()),
            client.output()
        );
        server.session.send(b"hello from wasm-dtls\n").unwrap();
        assert!(
            wait_for_output(&mut server, &client, "hello from wasm-dtls"),
            "{suite:?}: s_client did not print our data:\n{}",
            client.output()
        );
        // Our close_notify makes s_client end the connection.
        server.session.close();
        server.flush();
        let deadline = Instant::now() + LIMIT;
        while !client.output().contains("closed") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            client.output().to_lowercase().contains("closed"),
            "{}",
            client.output()
        );
    }
}
