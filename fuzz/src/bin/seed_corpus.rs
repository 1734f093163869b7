//! Writes seed corpora from real handshakes (every suite, both directions) and the
//! certificate fixtures into fuzz/corpus/<target>/.

use std::fs;
use std::path::Path;
use std::time::Duration;

use wasm_dtls::CipherSuite;
use wasm_dtls::sim::{LinkConditions, Pair};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let _ = fs::create_dir_all(&dir);
    let _ = fs::write(dir.join(name), bytes);
}

/// A datagram as one length-prefixed chunk of fuzz input.
fn framed(datagrams: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in datagrams {
        out.extend_from_slice(&(d.len() as u16).to_be_bytes());
        out.extend_from_slice(d);
    }
    out
}

/// The bytes of a session saved by a full handshake with `suite`.
fn saved_session(suite: CipherSuite) -> Option<Vec<u8>> {
    let (client, server) = wasm_dtls_fuzz::configs(suite);
    let mut pair = Pair::seeded(client, server, LinkConditions::PERFECT, 1);
    pair.server.set_session_ids(true);
    pair.start().ok()?;
    pair.handshake(Duration::from_secs(60));
    Some(pair.client.saved_session()?.to_bytes().to_vec())
}

fn main() {
    for (s, suite) in CipherSuite::ALL.into_iter().enumerate() {
        let recorded = wasm_dtls_fuzz::recorded_handshake(suite);
        for (i, (to_server, bytes)) in recorded.iter().enumerate() {
            let name = format!("{}-{i}", suite.short_name());
            write("record_layer", &name, bytes);
            for record in wasm_dtls::record::parse_datagram(bytes).flatten() {
                write(
                    "handshake_messages",
                    &format!("{name}-{}", record.header.sequence),
                    record.fragment,
                );
            }
            let selector = [s as u8];
            if *to_server {
                write(
                    "server_endpoint",
                    &name,
                    &[&selector[..], &framed(&[bytes])].concat(),
                );
            } else {
                write(
                    "client_session",
                    &name,
                    &[&[s as u8, i as u8][..], &framed(&[bytes])].concat(),
                );
            }
            write("handshake_mutation", &name, &[s as u8, i as u8, 0]);
        }
        // The abbreviated handshake's datagrams to the client, selector 128 + suite.
        let resumed = wasm_dtls_fuzz::recorded_resumption(suite);
        for (i, (to_server, bytes)) in resumed.iter().enumerate() {
            if !*to_server {
                let name = format!("{}-resumed-{i}", suite.short_name());
                let selector = [128 + s as u8, i as u8];
                write(
                    "client_session",
                    &name,
                    &[&selector[..], &framed(&[bytes])].concat(),
                );
            }
        }
        if let Some(saved) = saved_session(suite) {
            write("saved_session", suite.short_name(), &saved);
        }
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    for entry in fs::read_dir(fixtures).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "pem" || e == "der") {
            if let (Ok(bytes), Some(name)) = (fs::read(&path), path.file_name()) {
                write("x509", &name.to_string_lossy(), &bytes);
            }
        }
    }
}
