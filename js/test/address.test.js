// Socket addresses between Node and the component: every form `dgram` reports goes to
// the WIT record and back unchanged, so replies reach the peer they answer.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';

import { connect, createServer } from '../src/index.js';
import { nodeAddress, witAddress } from '../src/address.js';
import { PSK } from './helpers.js';

test('addresses go to the WIT record and come back as dgram writes them', () => {
  const cases = [
    ['127.0.0.1', [127, 0, 0, 1]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    // What a socket bound to '::' reports for an IPv4 peer.
    ['::ffff:127.0.0.1', [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ['2001:db8::1:0:0:1', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]],
    ['fe80::a:b', [0xfe80, 0, 0, 0, 0, 0, 0xa, 0xb]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
  ];
  for (const [text, groups] of cases) {
    const wit = witAddress(text, 5684);
    assert.deepEqual(wit.address.val, groups, text);
    assert.deepEqual(nodeAddress(wit), { address: text, port: 5684 });
  }
});

test('a client over IPv6 loopback is served and reported by its address', async () => {
  const server = createServer({ psk: PSK });
  const seen = new Promise((resolve) => server.on('session', (s) => {
    s.on('message', (m) => s.send(m));
    resolve(s.clientInfo());
  }));
  const { port } = await server.listen(0, '::1');
  try {
    const session = await connect({ host: '::1', port, psk: PSK });
    session.send('over ::1');
    assert.equal((await session.receive({ timeout: 5000 })).toString(), 'over ::1');
    assert.deepEqual(await seen, { address: '::1', port: session.address().port });
    session.end();
  } finally {
    server.close();
  }
});

/** An echoing PSK server on 127.0.0.1, and its port. */
async function loopbackEchoServer() {
  const server = createServer({ psk: PSK });
  server.on('session', (s) => s.on('message', (m) => s.send(m)));
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** Connects with `options`, checks that 127.0.0.1 was reached and echoes `text`, ends. */
async function reaches127(options, port, text) {
  const session = await connect({ ...options, port, psk: PSK, timeout: 5000 });
  assert.deepEqual(session.clientInfo(), { address: '127.0.0.1', port });
  session.send(text);
  assert.equal((await session.receive(5000)).toString(), text);
  session.end();
}

test('a host whose first address refuses is reached at the next one, as localhost at 127.0.0.1 after ::1', async () => {
  const { server, port } = await loopbackEchoServer();
  // As a resolver that lists ::1 first (glibc's for localhost on most systems): nothing
  // listens on ::1, which loopback answers with ICMP port unreachable at once.
  const lookup = (host, options, callback) => callback(null,
    [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
  try {
    await reaches127({ host: 'dual-stack.test', lookup }, port, 'second address');
  } finally {
    server.close();
  }
  // When every address refuses, the error names them.
  await assert.rejects(connect({ host: 'dual-stack.test', lookup, port, psk: PSK, timeout: 500 }), {
    code: 'WASM_DTLS_HANDSHAKE_TIMEOUT',
    message: /127\.0\.0\.1 answered that nothing receives on its UDP port \d+ \(ICMP port unreachable\).*; tried before: ::1 \(refused\)/,
  });
});

test('an address that stays silent is left for the next after the first retransmission timeout', async () => {
  const { server, port } = await loopbackEchoServer();
  // 127.0.0.2 is loopback too: a socket there, on the server's port, never answers
  // (as an IPv6 path that drops everything, which Happy Eyeballs exists for).
  const silent = dgram.createSocket('udp4');
  await new Promise((r) => silent.bind(port, '127.0.0.2', r));
  const lookup = (host, options, callback) => callback(null,
    [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]);
  try {
    await reaches127({ host: 'silent-first.test', lookup, retransmitInitialMs: 200 }, port, 'past the silence');
  } finally {
    silent.close();
    server.close();
  }
});
