//! The quick-start demo: a DTLS 1.2 PSK handshake between a wasm-dtls client and server
//! in one process, over a simulated network that loses, duplicates and reorders
//! datagrams. Every datagram is printed as it crosses the link, so lost flights and
//! their retransmissions can be seen; then data goes both ways and the client closes.
//!
//! `cargo run --example demo [loss-percent] [seed]` (defaults: 25 % loss, seed 7).

use core::time::Duration;
use std::sync::Arc;

use wasm_dtls::sim::{Fate, LinkConditions, Pair, Side, describe_datagram_line};
use wasm_dtls::{CipherSuite, Config, Event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let loss: f64 = args.next().map_or(Ok(25.0), |a| a.parse())? / 100.0;
    let seed: u64 = args.next().map_or(Ok(7), |a| a.parse())?;

    let mut config = Config::new();
    config.psk_add(b"demo-secret-1234", b"demo-client", b"demo")?;
    config.set_cipher_suites(&[CipherSuite::PskAes128Ccm8])?;
    let config = Arc::new(config);
    let link = LinkConditions::lossy(loss);
    let mut pair = Pair::seeded(config.clone(), config, link, seed);
    pair.to_server.record_transfers(true);
    pair.to_client.record_transfers(true);

    println!(
        "wasm-dtls demo: PSK handshake over a link with {:.0} % loss, 10 % duplication, 10 % reordering (seed {seed})\n",
        loss * 100.0
    );
    pair.start()?;
    let connected = pair.handshake(Duration::from_secs(120));
    print_ladder(&pair);
    if !connected {
        println!(
            "\nthe handshake did not complete: {:?}",
            pair.events(Side::Client)
        );
        return Err("handshake failed".into());
    }
    println!(
        "\nconnected at t={} ms with {}; client stats: {:?}",
        pair.now().as_millis(),
        pair.client.cipher_suite().map_or("?", |s| s.iana_name()),
        pair.client.stats()
    );

    // Data both ways on a perfect link (DTLS does not retransmit application data).
    pair.to_server.set_conditions(LinkConditions::PERFECT);
    pair.to_client.set_conditions(LinkConditions::PERFECT);
    pair.send(Side::Client, b"GET /temperature")?;
    pair.run_until(Duration::from_secs(1), |p| {
        !p.received(Side::Server).is_empty()
    });
    pair.send(Side::Server, b"21.5 C")?;
    pair.run_until(Duration::from_secs(1), |p| {
        !p.received(Side::Client).is_empty()
    });
    for (side, name) in [(Side::Server, "server"), (Side::Client, "client")] {
        for data in pair.received(side) {
            println!("{name} received: {:?}", String::from_utf8_lossy(&data));
        }
    }
    pair.close(Side::Client);
    pair.run_until(Duration::from_secs(1), |p| {
        p.events(Side::Server)
            .iter()
            .any(|(_, e)| *e == Event::Closed)
    });
    println!("client closed; server state: {:?}", pair.server.state());
    Ok(())
}

/// Prints every datagram of both links in time order.
fn print_ladder(pair: &Pair) {
    let mut rows: Vec<_> = pair
        .to_server
        .transfers()
        .iter()
        .map(|t| (t, "client ──▶ server"))
        .chain(
            pair.to_client
                .transfers()
                .iter()
                .map(|t| (t, "client ◀── server")),
        )
        .collect();
    rows.sort_by_key(|(t, _)| (t.sent_at, t.index));
    for (t, direction) in rows {
        let fate = match t.fate {
            Fate::Delivered => "",
            Fate::Dropped => "  ✗ LOST",
            Fate::Duplicated => "  ⧉ duplicated",
            Fate::Reordered => "  ↯ delayed (reordered)",
        };
        println!(
            "t={:>6} ms  {direction}  {:>4} B  {}{fate}",
            t.sent_at.as_millis(),
            t.bytes.len(),
            describe_datagram_line(&t.bytes)
        );
    }
}
