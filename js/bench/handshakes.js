#!/usr/bin/env node
// Handshakes per second through the jco-transpiled component in Node: a client
// `DtlsSession` against a `DtlsServer`, datagrams handed over in memory, one thread,
// the same credentials as the Rust benchmarks (tests/fixtures). Prints one JSON line
// per suite: {"suite":"psk-ccm8","perSecond":1234.5}. Used by `wasm-dtls bench --node
// js` and `cargo bench`; needs `npm run build` first.
//
//   node bench/handshakes.js [milliseconds per suite]
import { readFileSync } from 'node:fs';

import { server as serverApi, session as sessionApi } from '../generated/wasm_dtls.js';
import { call } from '../src/errors.js';
import { applyCredentials, settings, witAddress } from '../src/options.js';

const budgetMs = Number(process.argv[2] ?? 1000);
const fixture = (name) => readFileSync(new URL(`../../tests/fixtures/${name}`, import.meta.url));
// 2027-01-01: inside the fixtures' validity, as in host/src/bench/fixtures.rs.
const UNIX_TIME = 1_798_761_600;
const PSK = [{ identity: 'bench-client', key: Buffer.from('0123456789abcdef') }];
const FROM = witAddress('127.0.0.1', 5684);

function credentials(suite) {
  if (suite.startsWith('psk')) return { client: { psk: PSK }, server: { psk: PSK } };
  return {
    client: { ca: fixture('ca.crt.pem'), serverName: 'localhost' },
    server: { cert: fixture('server.crt.pem'), key: fixture('server.key.pem') },
  };
}

/** One suite's client options and a server that lives across handshakes. */
function setup(suite) {
  const { client, server } = credentials(suite);
  const clientOptions = { ...client, suites: [suite], unixTime: UNIX_TIME, mtu: 1400 };
  const serverOptions = { ...server, suites: [suite], unixTime: UNIX_TIME, mtu: 1400 };
  const srv = call(() => serverApi.DtlsServer.create(settings(serverOptions), 1));
  applyCredentials(srv, serverOptions);
  return { clientOptions, srv };
}

function handshake({ clientOptions, srv }) {
  const client = call(() => sessionApi.DtlsSession.client(settings(clientOptions)));
  applyCredentials(client, clientOptions);
  call(() => client.start(0n));
  let connected = false;
  for (let round = 0; round < 16 && !connected; round++) {
    for (let out = client.pollOutput(); out.tag !== 'wait'; out = client.pollOutput()) {
      if (out.tag === 'transmit') srv.handleDatagram(0n, FROM, out.val);
      if (out.tag === 'event' && out.val.tag === 'connected') connected = true;
      if (out.tag === 'event' && out.val.tag === 'error') throw new Error(out.val.val.message);
    }
    for (let out = srv.pollOutput(); out.tag !== 'wait'; out = srv.pollOutput()) {
      if (out.tag === 'transmit') client.handleDatagram(0n, out.val.datagram);
      if (out.tag === 'event' && out.val.tag === 'established') srv.sessionReset(out.val.val.session);
      if (out.tag === 'event' && out.val.tag === 'error') throw new Error(out.val.val.error.message);
    }
  }
  // Free the guest's session now rather than when the GC gets to it.
  client[Symbol.dispose]?.();
  if (!connected) throw new Error('the handshake did not complete');
}

// As in host/src/bench/timing.rs: the budget is cut into slices and the fastest slice
// counts (a slow slice on a shared machine means another job had the CPU).
const SLICES = 5;

for (const suite of ['psk-ccm8', 'psk-gcm', 'ecdsa-ccm8', 'ecdsa-gcm']) {
  const bench = setup(suite);
  handshake(bench);
  let perSecond = 0;
  for (let slice = 0; slice < SLICES; slice++) {
    const start = performance.now();
    let runs = 0;
    while (runs < 1 || performance.now() - start < budgetMs / SLICES) {
      handshake(bench);
      runs += 1;
    }
    perSecond = Math.max(perSecond, runs / ((performance.now() - start) / 1000));
  }
  console.log(JSON.stringify({ suite, perSecond }));
}
