// CoAP over DTLS (coaps://, RFC 7252 §9) with PSK, as an IoT program uses the package:
// our client GETs a resource from libcoap's coap-server, and libcoap's coap-client GETs
// one from our server — libcoap 4.3 from Debian's libcoap3-bin, built once on OpenSSL
// and once on GnuTLS (scripts/test.sh installs it).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';

import { connect, createServer } from '../src/index.js';
import { PSK, freePort, run } from './helpers.js';

const KEY = PSK[0].key.toString();
const IDENTITY = PSK[0].identity;
const BACKENDS = ['openssl', 'gnutls'];

const CON = 0;
const ACK = 2;
const GET = 0x01;
const CONTENT = 0x45; // 2.05
const URI_PATH = 11;

/** A CoAP message (RFC 7252 §3): header, token, options in ascending order, payload. */
function encodeCoap({ type, code, id, token = Buffer.alloc(0), options = [], payload }) {
  const parts = [Buffer.from([0x40 | (type << 4) | token.length, code, id >> 8, id & 0xff]), token];
  let last = 0;
  for (const [number, value] of options) {
    // Deltas and lengths below 13 fit the nibbles, enough for these tests.
    assert.ok(number - last < 13 && value.length < 13);
    parts.push(Buffer.from([((number - last) << 4) | value.length]), value);
    last = number;
  }
  if (payload) parts.push(Buffer.from([0xff]), payload);
  return Buffer.concat(parts);
}

/** Reads a CoAP message: its type, code, message id, token and payload. */
function decodeCoap(bytes) {
  assert.equal(bytes[0] >> 6, 1, 'CoAP version 1');
  const tokenLength = bytes[0] & 0x0f;
  let at = 4 + tokenLength;
  // Skip the options: a nibble of 13 or 14 means one or two more bytes of delta or length.
  const extended = (nibble) => {
    if (nibble < 13) return nibble;
    const value = nibble === 13 ? bytes[at] + 13 : bytes.readUInt16BE(at) + 269;
    at += nibble === 13 ? 1 : 2;
    return value;
  };
  while (at < bytes.length && bytes[at] !== 0xff) {
    const head = bytes[at++];
    extended(head >> 4);
    at += extended(head & 0x0f);
  }
  return {
    type: (bytes[0] >> 4) & 3,
    code: bytes[1],
    id: bytes.readUInt16BE(2),
    token: bytes.subarray(4, 4 + tokenLength),
    payload: at < bytes.length ? bytes.subarray(at + 1) : Buffer.alloc(0),
  };
}

/** Whether nobody listens on UDP `port` of loopback. */
async function isFree(port) {
  const socket = dgram.createSocket('udp4');
  const bound = await new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });
  await new Promise((resolve) => socket.close(resolve));
  return bound;
}

/** A free port whose predecessor is free too (coap-server takes both). */
async function freePortAfterFreePort() {
  for (let tries = 0; tries < 20; tries++) {
    const port = await freePort();
    if (await isFree(port - 1)) return port;
  }
  throw new Error('no two adjacent free UDP ports on loopback');
}

test('our client GETs a resource from libcoap coap-server over DTLS', async () => {
  for (const backend of BACKENDS) {
    // coap-server listens for DTLS on the port after the plain CoAP one.
    const port = await freePortAfterFreePort();
    const server = run(`coap-server-${backend}`, ['-A', '127.0.0.1', '-p', String(port - 1), '-k', KEY]);
    try {
      // The server may not listen yet: the ClientHello retransmission covers that.
      const session = await connect({ port, psk: PSK, timeout: 15_000 });
      const token = Buffer.from([0xc0, 0xa9]);
      session.send(encodeCoap({ type: CON, code: GET, id: 0x1234, token }));
      const response = decodeCoap(await session.receive({ timeout: 5000 }));
      assert.deepEqual(
        { type: response.type, code: response.code, id: response.id, token: response.token },
        { type: ACK, code: CONTENT, id: 0x1234, token },
        backend,
      );
      assert.match(response.payload.toString(), /This is a test server made with libcoap/, backend);
      session.end();
    } finally {
      server.kill();
    }
  }
});

test('libcoap coap-client GETs a resource from our server over DTLS', async () => {
  const server = createServer({ psk: PSK });
  const requests = [];
  server.on('session', (session) => session.on('message', (bytes) => {
    const request = decodeCoap(bytes);
    requests.push(request);
    const found = request.code === GET;
    session.send(encodeCoap({
      type: ACK,
      code: found ? CONTENT : 0x85, // 4.05 Method Not Allowed
      id: request.id,
      token: request.token,
      payload: Buffer.from('hello from wasm-dtls'),
    }));
  }));
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    for (const backend of BACKENDS) {
      const client = run(`coap-client-${backend}`,
        ['-m', 'get', '-k', KEY, '-u', IDENTITY, `coaps://127.0.0.1:${port}/hello`]);
      assert.equal(await client.exit(), 0, `${backend}: ${client.output}`);
      assert.equal(client.stdout.trim(), 'hello from wasm-dtls', backend);
    }
    // Each asked for /hello with a confirmable GET.
    assert.equal(requests.length, BACKENDS.length);
    for (const request of requests) {
      assert.deepEqual([request.type, request.code], [CON, GET]);
    }
  } finally {
    server.close();
  }
});

test('the CoAP codec of these tests round-trips a message with a Uri-Path', () => {
  const message = { type: CON, code: GET, id: 7, token: Buffer.from([1]), payload: Buffer.from('x') };
  const bytes = encodeCoap({ ...message, options: [[URI_PATH, Buffer.from('hello')]] });
  assert.equal(bytes.toString('hex'), '4101000701b568656c6c6fff78');
  assert.deepEqual(decodeCoap(bytes), message);
});
