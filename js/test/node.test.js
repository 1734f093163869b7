// Node client ↔ Node server: all six suites, several clients at once, and failures
// with their NetX codes, none of which hangs.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

import { DtlsError, MAX_WAITING_MESSAGES, connect, createServer } from '../src/index.js';
import { OWN_CODES, call } from '../src/errors.js';
import { session as sessionApi, types } from '../generated/wasm_dtls.js';
import { settings } from '../src/options.js';
import { PSK, SUITES, fixture, freePort, lossyRelay, within } from './helpers.js';

function echoServer(options = {}) {
  const server = createServer({ psk: PSK, cert: fixture('server.crt.pem'), key: fixture('server.key.pem'), ...options });
  server.on('session', (s) => s.on('message', (m) => s.send(m)));
  return server;
}

const clientOptions = (port, extra = {}) => ({
  port, psk: PSK, ca: fixture('ca.crt.pem'), serverName: 'localhost', ...extra,
});

test('a node client and a node server talk with each suite', async () => {
  const server = echoServer();
  const connected = [];
  server.on('connect', (session, address) => connected.push(address));
  const { port } = await server.listen(0, '127.0.0.1');
  const expected = ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256',
    'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', 'TLS_PSK_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'];
  for (const [i, suite] of SUITES.entries()) {
    const session = await connect(clientOptions(port, { suites: [suite] }));
    assert.equal(session.cipherSuite, expected[i]);
    assert.equal(session.peerCertificates.length, suite.startsWith('ecdsa') ? 1 : 0);
    // Plain PSK agrees no ECDHE group; ECDHE_PSK and ECDHE_ECDSA agree X25519.
    assert.equal(session.namedGroup, suite.startsWith('psk') ? undefined : 'x25519', suite);
    session.send(`hello over ${suite}`);
    assert.equal((await session.receive({ timeout: 5000 })).toString(), `hello over ${suite}`);
    await assert.rejects(session.receive({ timeout: 100 }), { code: 'NX_NO_PACKET', status: 0x01 });
    session.end();
  }
  assert.equal(connected.length, SUITES.length);
  assert.equal(connected[0].address, '127.0.0.1');
  server.close();
});

test('the ECDHE group is x25519 unless a side enables only secp256r1; unknown groups are refused', async () => {
  const server = echoServer();
  const established = [];
  server.on('session', (s) => established.push(s));
  const { port } = await server.listen(0, '127.0.0.1');
  for (const [groups, expected] of [[undefined, 'x25519'], [['P-256'], 'secp256r1'],
    [['secp256r1', 'x25519'], 'secp256r1'], [['x25519', 'prime256v1'], 'x25519']]) {
    const session = await connect(clientOptions(port, { suites: ['ecdsa-gcm'], groups }));
    assert.equal(session.namedGroup, expected, String(groups));
    assert.equal(established.at(-1).namedGroup, expected);
    session.end();
  }
  const psk = await connect(clientOptions(port, { suites: ['psk-gcm'] }));
  assert.equal(psk.namedGroup, undefined);
  psk.end();
  await assert.rejects(connect(clientOptions(port, { groups: ['x448'] })),
    (e) => e.status === 0x4D && /unknown group "x448"/.test(e.message));
  server.close();
});

test('a client resumes its saved session; both sides say so; the cache can be turned off', async () => {
  const server = echoServer();
  const established = [];
  server.on('session', (s) => established.push(s));
  const { port } = await server.listen(0, '127.0.0.1');
  for (const suite of ['psk-chacha20', 'ecdsa-gcm']) {
    const first = await connect(clientOptions(port, { suites: [suite] }));
    assert.equal(first.isSessionReused(), false);
    const saved = first.getSession();
    assert.ok(saved instanceof Buffer && saved.length > 48, suite);
    first.end();
    const second = await connect(clientOptions(port, { suites: [suite], session: saved }));
    assert.equal(second.isSessionReused(), true, suite);
    assert.equal(second.cipherSuite, first.cipherSuite);
    assert.deepEqual(second.peerCertificates, first.peerCertificates);
    second.send('resumed');
    assert.equal((await second.receive({ timeout: 5000 })).toString(), 'resumed');
    await within(new Promise((resolve) => {
      if (established.length >= 2 && established.at(-1).isSessionReused()) resolve();
      else server.once('session', resolve);
    }), 5000, 'the resumed session on the server');
    assert.equal(established.at(-1).isSessionReused(), true);
    assert.equal(established.at(-2).isSessionReused(), false);
    second.end();
  }
  await assert.rejects(connect(clientOptions(port, { session: 'not bytes' })),
    (e) => e.status === 0x4D && /getSession/.test(e.message));
  await assert.rejects(connect(clientOptions(port, { session: Buffer.from('not a session') })),
    (e) => e.status === 0x4D && /not a saved session/.test(e.message));
  server.close();

  const uncached = echoServer({ sessionCacheSize: 0 });
  const bound = await uncached.listen(0, '127.0.0.1');
  const session = await connect(clientOptions(bound.port));
  assert.equal(session.getSession(), undefined);
  session.end();
  uncached.close();
  assert.throws(() => createServer({ psk: PSK, sessionTimeout: 0 }), { status: 0x4D });
});

test('a server requiring client certificates sees the client chain', async () => {
  const server = echoServer({ ca: fixture('ca.crt.pem'), verifyClient: true });
  const established = new Promise((resolve) => server.on('session', resolve));
  const { port } = await server.listen(0, '127.0.0.1');
  const session = await connect(clientOptions(port, {
    psk: undefined, cert: fixture('client.crt.pem'), key: fixture('client.key.pem'),
  }));
  const serverSide = await established;
  assert.equal(serverSide.peerCertificates.length, 1);
  assert.equal(serverSide.clientInfo().port, session.address().port);
  session.end();
  // A client without a certificate is told that is why it was refused.
  await assert.rejects(connect(clientOptions(port, { psk: undefined, suites: ['ecdsa-gcm'] })),
    (e) => e.status === 0x114 && /it asked for our certificate and none is configured/.test(e.message));
  server.close();
});

test('several clients at once each get their own echo', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  const replies = await Promise.all([0, 1, 2, 3, 4].map(async (i) => {
    const session = await connect(clientOptions(port, { suites: [SUITES[i % SUITES.length]] }));
    session.send(`client ${i}`);
    const reply = (await session.receive({ timeout: 5000 })).toString();
    session.end();
    return reply;
  }));
  assert.deepEqual(replies, [0, 1, 2, 3, 4].map((i) => `client ${i}`));
  server.close();
});

test('a wrong PSK is refused with the alert code on the client and an error on the server', async () => {
  const server = echoServer();
  const serverError = new Promise((resolve) => server.on('error', resolve));
  const { port } = await server.listen(0, '127.0.0.1');
  const wrong = [{ identity: 'client-1', key: Buffer.from('fedcba9876543210') }];
  await assert.rejects(connect(clientOptions(port, { psk: wrong, suites: ['psk-ccm8'] })),
    (e) => e instanceof DtlsError && e.code === 'NX_SECURE_TLS_ALERT_RECEIVED' && e.status === 0x114
      // The alert alone (bad_record_mac) does not tell a user their key is wrong.
      && /bad_record_mac \(20\); .*different keys for this identity/.test(e.message));
  const error = await serverError;
  assert.equal(error.code, 'NX_SECURE_TLS_HASH_MAC_VERIFY_FAILURE');
  server.close();
});

test('an untrusted server certificate is refused with 0x11B', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  await assert.rejects(connect(clientOptions(port, { psk: undefined, ca: fixture('other-ca.crt.pem') })),
    { code: 'NX_SECURE_TLS_ISSUER_CERTIFICATE_NOT_FOUND', status: 0x11b });
  server.close();
});

test('every certificate of a CA bundle is trusted; a bundle cut short is refused', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    // The server's CA second, after text and another CA, as in a CA bundle file.
    const bundle = `# another CA\n${fixture('other-ca.crt.pem')}\n# the test CA\n${fixture('ca.crt.pem')}`;
    const session = await connect(clientOptions(port, { psk: undefined, ca: bundle }));
    session.send('bundle');
    assert.equal((await session.receive({ timeout: 5000 })).toString(), 'bundle');
    session.end();
    await assert.rejects(connect(clientOptions(port, { psk: undefined, ca: bundle.slice(0, -100) })),
      { code: 'NX_SECURE_TLS_INVALID_CERTIFICATE', status: 0x112 });
    // The component itself takes one certificate per id, and says so.
    const client = sessionApi.DtlsSession.client(settings({ psk: PSK }));
    assert.throws(() => call(() => client.trustedCertificateAdd(1, new TextEncoder().encode(bundle))),
      (e) => e.code === 'NX_INVALID_PARAMETERS' && /several certificates/.test(e.message));
  } finally {
    // Closed whatever happened: a server left open would keep the test process waiting.
    server.close();
  }
});

test('the certificate is checked against the host unless serverName names another', async () => {
  const server = createServer({ cert: fixture('wrong-host.crt.pem'), key: fixture('wrong-host.key.pem') });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const options = { port, ca: fixture('ca.crt.pem'), suites: ['ecdsa-gcm'] };
    // An explicit `serverName: undefined` still means: the host.
    for (const unnamed of [{}, { serverName: undefined }]) {
      await assert.rejects(connect({ ...options, ...unnamed }),
        { code: 'NX_SECURE_TLS_INVALID_SERVER_CERT', status: 0x10c });
    }
    const named = await connect({ ...options, serverName: 'elsewhere.example' });
    named.end();
  } finally {
    server.close();
  }
});

test('close() ends every session with a close_notify its client receives, and the server can listen again', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  const sessions = [];
  try {
    for (let i = 0; i < 2; i++) sessions.push(await connect(clientOptions(port, { suites: ['psk-gcm'] })));
    const closed = sessions.map((s) => new Promise((resolve) => s.once('close', resolve)));
    server.close();
    // No error: the peer closed (a lost close_notify would leave the sessions open).
    assert.deepEqual(await within(Promise.all(closed), 5000, 'the clients closing'), [undefined, undefined]);
    for (const s of sessions) {
      await assert.rejects(s.receive(100), { code: 'NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED', status: 0x127 });
    }
    // NetX server_stop, then server_start: the same server serves again.
    const again = await server.listen(0, '127.0.0.1');
    const session = await connect(clientOptions(again.port, { suites: ['psk-ccm8'] }));
    session.send('again');
    assert.equal((await session.receive(5000)).toString(), 'again');
    session.end();
  } finally {
    for (const s of sessions) s.reset();
    server.close();
  }
});

test('a server takes as many pre-shared keys as it is given (a key per device)', async () => {
  // The engine's table holds 8 unless told otherwise; 20 were refused with 0x125.
  const devices = Array.from({ length: 20 }, (_, i) => ({ identity: `device-${i}`, key: `key of device ${i}` }));
  const server = echoServer({ psk: devices });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const session = await connect({ port, psk: [devices[19]], suites: ['psk-ccm8'] });
    session.send('nineteen');
    assert.equal((await session.receive(5000)).toString(), 'nineteen');
    session.end();
  } finally {
    server.close();
  }
  // The WIT setting behind it: a table of 2 refuses a third key.
  const client = sessionApi.DtlsSession.client({ ...settings({}), pskCapacity: 2 });
  const add = (i) => call(() => client.pskAdd(Buffer.from(`key ${i}`), Buffer.from(`id ${i}`), new Uint8Array()));
  add(1);
  add(2);
  assert.throws(() => add(3), { code: 'NX_SECURE_TLS_NO_MORE_PSK_SPACE', status: 0x125 });
});

test('handshakes complete when flights are lost both ways: the timers resend them', async () => {
  for (const suite of ['psk-ccm8', 'ecdsa-gcm']) {
    const server = echoServer({ retransmitInitialMs: 100 });
    const { port } = await server.listen(0, '127.0.0.1');
    // The second ClientHello, the first datagram of the server's flight and the
    // client's final flight, once each.
    const relay = await lossyRelay(port, [[1, 3], [1]]);
    let resent = 0;
    try {
      const session = await connect(clientOptions(relay.port, {
        suites: [suite], retransmitInitialMs: 100,
        trace: (line) => { if (line.includes('flight retransmitted')) resent += 1; },
      }));
      assert.equal(relay.dropped(), 3, suite);
      assert.ok(resent >= 1, suite);
      session.send('after the losses');
      assert.equal((await session.receive(5000)).toString(), 'after the losses');
      session.end();
    } finally {
      relay.close();
      server.close();
    }
  }
});

test('messages nobody takes wait up to a bound; the rest are dropped and counted', async () => {
  const server = createServer({ psk: PSK });
  const serverSide = new Promise((resolve) => server.on('session', resolve));
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const session = await connect(clientOptions(port, { suites: ['psk-gcm'] }));
    const peer = await serverSide;
    const total = MAX_WAITING_MESSAGES + 40;
    // In batches, each read before the next: no datagram is lost to a full socket buffer.
    for (let i = 0; i < total; i += 64) {
      for (let j = i; j < Math.min(i + 64, total); j++) peer.send(`to client ${j}`);
      const sent = Math.min(i + 64, total);
      await within((async () => {
        while (session.waiting + session.dropped < sent) await new Promise((r) => setTimeout(r, 5));
      })(), 5000, `batch ending at ${sent}`);
    }
    assert.equal(session.waiting, MAX_WAITING_MESSAGES);
    assert.equal(session.dropped, 40);
    for (let i = 0; i < MAX_WAITING_MESSAGES; i++) {
      assert.equal((await session.receive(1000)).toString(), `to client ${i}`);
    }
    await assert.rejects(session.receive(100), { code: 'NX_NO_PACKET' });
    session.end();
  } finally {
    server.close();
  }
});

test('send() refuses what is not text or bytes, and the session goes on', async () => {
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const session = await connect(clientOptions(port, { suites: ['psk-ccm8'] }));
    for (const wrong of [123, {}, undefined, [1, 2, 3]]) {
      assert.throws(() => session.send(wrong),
        (e) => e instanceof DtlsError && e.status === 0x4d && /takes a string/.test(e.message), String(wrong));
    }
    session.send(new Uint8Array([104, 105]));
    assert.equal((await session.receive({ timeout: 5000 })).toString(), 'hi');
    session.end();
  } finally {
    server.close();
  }
});

test('numbers out of range are refused with 0x4D, and the component lives on', async () => {
  // A pool of -1 (2^32 - 1 once lowered) used to trap the component: every session of
  // the process died with it.
  for (const maxSessions of [-1, 1.5, 2 ** 31]) {
    assert.throws(() => createServer({ psk: PSK, maxSessions }),
      (e) => e instanceof DtlsError && e.status === 0x4d, String(maxSessions));
  }
  assert.throws(() => createServer({ psk: PSK, mtu: 2 ** 40 }), /mtu must be a whole number of bytes/);
  for (const verifyClient of [-1, 1.5, 'yes']) {
    assert.throws(() => createServer({ psk: PSK, verifyClient }), { status: 0x4d }, String(verifyClient));
  }
  await assert.rejects(connect({ port: 5684, psk: PSK, unixTime: -1 }), { status: 0x4d });
  for (const timeout of [-5, 'abc', 2 ** 31, Number.NaN]) {
    await assert.rejects(connect({ port: 5684, psk: PSK, timeout }), { status: 0x4d }, String(timeout));
  }
  const server = echoServer();
  const { port } = await server.listen(0, '127.0.0.1');
  let session;
  try {
    session = await connect(clientOptions(port, { suites: ['psk-gcm'] }));
    await assert.rejects(session.receive({ timeout: -1 }), { status: 0x4d });
    for (const bad of ['100', null, true]) {
      await assert.rejects(async () => session.receive(bad),
        { status: 0x4d, message: /a number of milliseconds or \{ timeout \}/ }, String(bad));
    }
    // A number is the wait option, as NetX's: 100 ms, not the default 10 s.
    const started = Date.now();
    await assert.rejects(session.receive(100), { code: 'NX_NO_PACKET' });
    assert.ok(Date.now() - started < 5000);
  } finally {
    session?.end();
    server.close();
  }
});

test('a host that does not resolve is refused with 0x4D and says so', async () => {
  // .invalid never resolves (RFC 6761 §6.4).
  await assert.rejects(connect({ host: 'no-such-host.invalid', port: 5684, psk: PSK }),
    (e) => e instanceof DtlsError && e.status === 0x4d && /cannot resolve "no-such-host.invalid"/.test(e.message));
});

test('a server that is not there times out without hanging, and the refusal is told', async () => {
  const port = await freePort();
  const started = Date.now();
  // Loopback answers a datagram to a closed port with ICMP port unreachable.
  const refused = /127\.0\.0\.1 answered that nothing receives on its UDP port \d+ \(ICMP port unreachable\)/;
  await assert.rejects(connect({ port, psk: PSK, timeout: 1500 }),
    { code: 'WASM_DTLS_HANDSHAKE_TIMEOUT', status: 0x8001, message: refused });
  assert.ok(Date.now() - started < 5000);
  // The engine gives up first (two sends of the ClientHello): the same sentence.
  await assert.rejects(connect({ port, psk: PSK, retransmitInitialMs: 50, maxTransmissions: 2 }),
    { code: 'WASM_DTLS_HANDSHAKE_TIMEOUT', message: /sending the flight 2 times; .*ICMP port unreachable/ });
  // A server that is there but silent: no such sentence.
  const silent = dgram.createSocket('udp4');
  await new Promise((r) => silent.bind(0, '127.0.0.1', r));
  try {
    const error = await connect({ port: silent.address().port, psk: PSK, timeout: 300 }).catch((e) => e);
    assert.equal(error.code, 'WASM_DTLS_HANDSHAKE_TIMEOUT');
    assert.doesNotMatch(error.message, /unreachable/);
  } finally {
    silent.close();
  }
});

// A trap as the component raises one (its stack or memory exhausted, a bug). The
// package cannot provoke a real one, which would also disable the component for the
// rest of this process, so the trap tests make an entry point of the engine throw it.
const trap = () => { throw new WebAssembly.RuntimeError('unreachable executed'); };
const isTrap = (e) => e instanceof DtlsError && e.code === 'NX_NOT_SUCCESSFUL' && e.status === 0x43
  && e.message.includes('the component trapped: unreachable executed');

test('a trap in the component ends the sessions and the server with NX_NOT_SUCCESSFUL, not the process', async () => {
  // The number the package gives a trap is the component's own for NX_NOT_SUCCESSFUL.
  assert.equal(types.statusNumber('nx-not-successful'), 0x43);

  const server = echoServer();
  const serverSessions = [];
  server.on('session', (s) => serverSessions.push(s));
  const { port } = await server.listen(0, '127.0.0.1');
  const session = await connect(clientOptions(port, { suites: ['psk-ccm8'] }));
  const waiting = session.receive({ timeout: 5000 });
  const closed = new Promise((resolve) => session.once('close', resolve));
  session._resource.handleDatagram = trap;
  // The echo arrives in a datagram, which the client's engine now traps on.
  session.send('ping');
  assert.ok(isTrap(await closed));
  await assert.rejects(waiting, isTrap);
  assert.throws(() => session.send('again'), isTrap);
  session.end();

  // The server's next datagram traps: its sessions end, it reports and closes.
  const serverError = new Promise((resolve) => server.once('error', resolve));
  const serverClosed = new Promise((resolve) => server.once('close', resolve));
  server._resource.handleDatagram = trap;
  const refused = connect(clientOptions(port, { suites: ['psk-ccm8'], timeout: 1500 }));
  assert.ok(isTrap(await serverError));
  await serverClosed;
  assert.equal(server.address(), undefined);
  await assert.rejects(serverSessions[0].receive({ timeout: 100 }), isTrap);
  server.close();

  // A trapped component cannot even name a status code any more; the package's own
  // errors (a timeout here) are still reported, with their NetX codes.
  const { statusName, statusNumber } = types;
  types.statusName = trap;
  types.statusNumber = trap;
  try {
    await assert.rejects(refused, { code: 'WASM_DTLS_HANDSHAKE_TIMEOUT', status: 0x8001 });
  } finally {
    Object.assign(types, { statusName, statusNumber });
  }
});

test('every status code the package raises itself is looked up when it loads', () => {
  // After a trap only the codes looked up at load can be named (see the test above).
  const src = new URL('../src/', import.meta.url);
  const named = new Set();
  for (const file of readdirSync(src).filter((f) => f.endsWith('.js'))) {
    // Code, not comments (which name codes as examples).
    const code = readFileSync(new URL(file, src), 'utf8').split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line)).join('\n');
    for (const [, name] of code.matchAll(/'((?:nx|wasm-dtls)-[a-z0-9-]+)'/g)) named.add(name);
  }
  assert.ok(named.has('nx-no-packet') && named.has('wasm-dtls-handshake-timeout'));
  const missing = [...named].filter((code) => !OWN_CODES.includes(code));
  assert.deepEqual(missing, []);
});

test('a trap in send() is thrown, and has ended the session, or the server, already', async () => {
  const server = echoServer();
  const accepted = new Promise((resolve) => server.once('session', resolve));
  const { port } = await server.listen(0, '127.0.0.1');
  const session = await connect(clientOptions(port, { suites: ['psk-ccm8'] }));
  // Closed in `finally`, so that a failed check cannot leave the test process waiting.
  try {
    let sessionClosed;
    session.once('close', (error) => { sessionClosed = error; });
    session._resource.send = trap;
    assert.throws(() => session.send('ping'), isTrap);
    assert.ok(isTrap(sessionClosed));
    await assert.rejects(session.receive({ timeout: 100 }), isTrap);

    // On the server, every session shares the trapped component: the server closes.
    const serverSession = await accepted;
    let serverClosed = false;
    server.once('close', () => { serverClosed = true; });
    server._resource.sessionSend = trap;
    assert.throws(() => serverSession.send('pong'), isTrap);
    assert.ok(serverClosed);
    assert.equal(server.address(), undefined);
    await assert.rejects(serverSession.receive({ timeout: 100 }), isTrap);
    serverSession.end();
  } finally {
    session.end();
    server.close();
  }
});

test('listen reports a busy port and a second listen', async () => {
  const first = echoServer();
  const { port } = await first.listen(0, '127.0.0.1');
  const second = echoServer();
  await assert.rejects(second.listen(port, '127.0.0.1'), { code: 'NX_PORT_UNAVAILABLE', status: 0x23 });
  await assert.rejects(first.listen(0, '127.0.0.1'), { code: 'NX_ALREADY_BOUND', status: 0x22 });
  first.close();
  // dgram alone would bind 70000 as 4464, -1 as 65535 and 'abc' as any free port.
  for (const bad of [70000, -1, 'abc', 1.5]) {
    const server = echoServer();
    let bound;
    try {
      await assert.rejects(server.listen(bad, '127.0.0.1').then((a) => { bound = a; }),
        { status: 0x4d, message: /the port must be a whole number from 0 \(any free port\) to 65535/ }, String(bad));
    } finally {
      if (bound) server.close();
    }
  }
  const unresolvable = echoServer();
  await assert.rejects(unresolvable.listen(0, 'no-such-host.invalid'), { status: 0x4d, message: /ENOTFOUND/ });
});

test('bad options are refused with NX_INVALID_PARAMETERS', async () => {
  assert.throws(() => createServer({ psk: PSK, suites: ['rc4'] }), { code: 'NX_INVALID_PARAMETERS', status: 0x4d });
  assert.throws(() => createServer({ psk: PSK, maxSessions: 0 }), { code: 'NX_INVALID_PARAMETERS' });
  await assert.rejects(connect({ port: 9 }), { code: 'NX_INVALID_PARAMETERS' });
  // Wrong types are named, not passed on to fail inside jco or dns (or be ignored).
  for (const [bad, message] of [
    [{ host: 123 }, /options\.host must be a non-empty string/],
    [{ host: '' }, /options\.host must be a non-empty string/],
    [{ serverName: 42 }, /serverName must be a non-empty string/],
    [{ trace: 'yes' }, /trace must be a function/],
    [{ keylog: true }, /keylog must be a function/],
    [{ host: 'x.test', lookup: 'no' }, /options\.lookup must be a function/],
  ]) {
    await assert.rejects(connect({ port: 9, psk: PSK, ...bad }), { status: 0x4d, message }, JSON.stringify(bad));
  }
  // A certificate without its key, or a key without its certificate, says which is missing.
  assert.throws(() => createServer({ cert: fixture('server.crt.pem') }),
    { status: 0x4d, message: /options\.cert needs options\.key/ });
  await assert.rejects(connect({ port: 9, psk: PSK, key: fixture('client.key.pem') }),
    { status: 0x4d, message: /options\.key needs options\.cert/ });
});

test('a server without credentials for its suites says so in the error of each client it turns away', async () => {
  const server = createServer({ psk: PSK, suites: ['ecdsa-gcm'] });
  const failed = new Promise((resolve) => server.on('error', resolve));
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    await assert.rejects(connect(clientOptions(port, { suites: ['psk-gcm'] })),
      { code: 'NX_SECURE_TLS_ALERT_RECEIVED', message: /handshake_failure/ });
    const error = await within(failed, 5000, 'the server error');
    assert.equal(error.status, 0x10e);
    assert.match(error.message, /this server has no pre-shared key \(psk_add\) or certificate/);
  } finally {
    server.close();
  }
});
