// Sessions: the shared receive logic, and the client session with its own socket.
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP, isIPv6 } from 'node:net';
import { promisify } from 'node:util';
import dns from 'node:dns';

import { session as api } from '../generated/wasm_dtls.js';
import { DtlsError, call, catchTrap, fromWit, hostError } from './errors.js';
import { describe } from './ladder.js';
import { Outbox } from './outbox.js';
import { applyCredentials, ianaName, optionalFunction, optionalString, settings } from './options.js';

/** Milliseconds on a monotonic clock since `start`, as the component wants them. */
export class Clock {
  constructor() {
    this.start = performance.now();
  }

  now() {
    return BigInt(Math.floor(performance.now() - this.start));
  }
}

/**
 * Hands the engine's outputs to `handlers` ({ transmit, event, trace, wait }) until it
 * says wait.
 */
export function drain(resource, handlers) {
  for (;;) {
    const out = resource.pollOutput();
    const handle = handlers[out.tag];
    handle?.(out.val);
    if (out.tag === 'wait' || !handle) return;
  }
}

/** Calls `expired(now)` at the engine's deadline; setting a new deadline replaces it. */
export class DeadlineTimer {
  constructor(clock, expired) {
    this._clock = clock;
    this._expired = expired;
    this._timer = undefined;
  }

  /** Fires at `deadline` (engine milliseconds), or never when it is undefined. */
  set(deadline) {
    this.stop();
    if (deadline === undefined) return;
    const delay = Math.max(0, Number(deadline - this._clock.now()));
    this._timer = setTimeout(() => this._expired(this._clock.now()), delay);
  }

  stop() {
    clearTimeout(this._timer);
    this._timer = undefined;
  }
}

/**
 * `value` if Node's timers can wait that many milliseconds (0 to 2^31 - 1: beyond,
 * setTimeout fires after 1 ms instead); else a DtlsError 0x4D.
 */
function milliseconds(value, what) {
  if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) return value;
  throw hostError('nx-invalid-parameters', `${what} must be a number of milliseconds (0 to 2147483647)`);
}

/** The `timeout` of `receive(options)`, whose options must be an object if given. */
function receiveTimeout(options) {
  if (options === null || typeof options !== 'object') {
    throw hostError('nx-invalid-parameters', 'receive() takes a number of milliseconds or { timeout }');
  }
  return options.timeout ?? 10_000;
}

/** What `send(data)` sends: a string as UTF-8, bytes as they are; nothing else. */
export function recordBytes(data) {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof Uint8Array) return data;
  throw hostError('nx-invalid-parameters', 'send() takes a string, a Buffer or a Uint8Array');
}

/**
 * Messages that may wait for `receive()` on one session when nobody listens for them;
 * beyond, messages are dropped and counted in `dropped` (a peer must not grow memory
 * without limit by sending faster than the application reads).
 */
export const MAX_WAITING_MESSAGES = 1024;

/**
 * What client and server sessions share: 'message' events, or `receive()` when nobody
 * listens for them; 'close' and 'error' (emitted only when someone listens).
 */
export class SessionBase extends EventEmitter {
  constructor() {
    super();
    this._queue = [];
    this._waiters = [];
    this._ended = null;
    /** The negotiated suite's IANA name, once connected. */
    this.cipherSuite = undefined;
    this.namedGroup = undefined;
    /** The peer's certificate chain (DER buffers), once connected. */
    this.peerCertificates = [];
    this._resumed = false;
    /** Messages dropped because MAX_WAITING_MESSAGES were waiting for `receive()`. */
    this.dropped = 0;
  }

  /**
   * Whether the handshake resumed a saved session (the abbreviated handshake: no key
   * exchange, no certificates), as Node's TLSSocket says it.
   */
  isSessionReused() {
    return this._resumed;
  }

  /** Messages waiting for `receive()`: at most MAX_WAITING_MESSAGES. */
  get waiting() {
    return this._queue.length;
  }

  _deliver(data) {
    if (this.listenerCount('message') > 0) {
      this.emit('message', data);
    } else if (this._waiters.length > 0) {
      this._waiters.shift().resolve(data);
    } else if (this._queue.length < MAX_WAITING_MESSAGES) {
      this._queue.push(data);
    } else {
      this.dropped += 1;
    }
  }

  _finish(error) {
    if (this._ended) return;
    this._ended = error ?? new DtlsError('NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED', 0x127, 'the session is closed');
    for (const w of this._waiters.splice(0)) w.reject(this._ended);
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close', error);
  }

  /**
   * The next message (NetX session_receive): rejects with NX_NO_PACKET after
   * `timeout` ms (`receive({ timeout })` or, as NetX's wait option, `receive(ms)`;
   * default 10000), or with the reason the session ended.
   */
  receive(options = {}) {
    let timeout;
    try {
      timeout = milliseconds(typeof options === 'number' ? options : receiveTimeout(options), 'timeout');
    } catch (e) {
      return Promise.reject(e);
    }
    if (this._queue.length > 0) return Promise.resolve(this._queue.shift());
    if (this._ended) return Promise.reject(this._ended);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const timer = setTimeout(() => {
        this._waiters.splice(this._waiters.indexOf(waiter), 1);
        reject(hostError('nx-no-packet', `nothing arrived within ${timeout} ms`));
      }, timeout);
      waiter.resolve = (v) => { clearTimeout(timer); resolve(v); };
      waiter.reject = (e) => { clearTimeout(timer); reject(e); };
      this._waiters.push(waiter);
    });
  }
}

/** A client session over its own connected UDP socket. */
export class DtlsSession extends SessionBase {
  constructor(resource, socket, options, peer) {
    super();
    this._resource = resource;
    this._socket = socket;
    this._outbox = new Outbox(socket);
    this._options = options;
    this._peer = peer;
    this._clock = new Clock();
    this._deadline = new DeadlineTimer(this._clock, (now) => this._guard(() => {
      this._resource.handleTimeout(now);
      this._pump();
    }));
  }

  /**
   * Runs `fn` (engine work); a trap in it ends the session, as a trapped component
   * cannot be called again, and is returned.
   */
  _guard(fn) {
    return catchTrap(fn, (trap) => {
      this._finish(trap);
      this._shutdown();
    });
  }

  /**
   * The session a later connection to the same server can resume (pass it as
   * `connect({ session })`), as Node's TLSSocket.getSession() gives it: a Buffer once
   * connected, when the server gave the session an ID and the extended master secret
   * was used; undefined otherwise, and after the session failed (RFC 5246 §7.2.2). It
   * holds the session's master secret: keep it as you would a key.
   */
  getSession() {
    if (this._saved === undefined || (this._ended && this._ended.status !== 0x127)) return undefined;
    return Buffer.from(this._saved);
  }

  /** The server's address (NetX session_client_info_get). */
  clientInfo() {
    return { ...this._peer };
  }

  /** Our UDP socket's address, as node:dgram gives it; undefined once closed. */
  address() {
    try {
      return this._socket.address();
    } catch {
      return undefined;
    }
  }

  /** Sends application data as one record (NetX session_send). */
  send(data) {
    if (this._ended) throw this._ended;
    const bytes = recordBytes(data);
    const trap = this._guard(() => {
      call(() => this._resource.send(bytes));
      this._pump();
    });
    if (trap) throw trap;
  }

  /** Sends close_notify and closes the socket (NetX session_end). */
  end() {
    if (this._ended) return;
    this._guard(() => {
      this._resource.end();
      this._pump();
    });
    // A trapped component has ended the session already, with its error.
    if (this._ended) return;
    this._finish();
    this._shutdown();
  }

  /** Closes without a close_notify (NetX session_reset). */
  reset() {
    if (this._ended) return;
    this._finish(hostError('nx-secure-tls-session-uninitialized', 'the session was reset'));
    this._shutdown();
  }

  _shutdown() {
    this._deadline.stop();
    // After what was sent has left: a close_notify just sent, say.
    this._outbox.close();
  }

  _pump() {
    drain(this._resource, {
      transmit: (datagram) => this._outbox.send(datagram),
      event: (event) => this._event(event),
      trace: (trace) => this._options.trace?.(describe(trace), Number(this._clock.now())),
      wait: (deadline) => this._schedule(deadline),
    });
  }

  _schedule(deadline) {
    this._deadline.set(this._ended ? undefined : deadline);
  }

  _event(event) {
    switch (event.tag) {
      case 'connected':
        this.cipherSuite = ianaName(event.val);
        this.namedGroup = this._resource.namedGroup();
        this.peerCertificates = this._resource.peerCertificates().map((c) => Buffer.from(c));
        this._resumed = this._resource.resumed();
        this._saved = this._resource.savedSession();
        this.emit('_connected');
        break;
      case 'data':
        this._deliver(Buffer.from(event.val));
        break;
      case 'closed':
        this._finish();
        this._shutdown();
        break;
      case 'error':
        this._finish(fromWit(event.val.code, event.val.message));
        this._shutdown();
        break;
      case 'key-log':
        this._options.keylog?.(event.val);
        break;
      default:
    }
  }
}

/** The bytes of `connect({ session })`: what getSession() gave, nothing else. */
function savedSessionBytes(session) {
  if (session instanceof Uint8Array) return session;
  throw hostError('nx-invalid-parameters', 'session must be a Buffer from getSession() of an earlier connection');
}

/** What a refused datagram (ICMP port unreachable) tells of the server. */
function notListening(address, port) {
  return `${address} answered that nothing receives on its UDP port ${port} (ICMP port unreachable): is the server running?`;
}

/**
 * The addresses of `host`, in the order the resolver gives them (`lookup` as
 * dns.lookup takes its arguments, as net.connect's option); an IP address is its own.
 * Failing that, a DtlsError that says so.
 */
async function addressesOf(host, lookup = dns.lookup) {
  if (isIP(host)) return [host];
  try {
    const found = await promisify(lookup)(host, { all: true });
    if (found.length === 0) throw new Error('no address');
    return found.map((a) => a.address);
  } catch (e) {
    throw hostError('nx-invalid-parameters', `cannot resolve ${JSON.stringify(host)}: ${e.code ?? e.message}`);
  }
}

/**
 * Connects to a DTLS server and resolves with the session once the handshake is done
 * (NetX client_session_start). A host with several addresses (`localhost`: ::1, then
 * 127.0.0.1) is tried address by address while each refuses (ICMP port unreachable:
 * nothing listens there) or stays silent for the first retransmission timeout. Rejects with a DtlsError: the handshake's failure, or
 * WASM_DTLS_HANDSHAKE_TIMEOUT after `options.timeout` ms (default 10000).
 */
export async function connect(options) {
  const { port } = options;
  const host = optionalString(options.host, 'options.host') ?? '127.0.0.1';
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw hostError('nx-invalid-parameters', 'options.port must be a UDP port number');
  }
  // Checked before a socket is opened: a throw after would leave it open.
  const timeout = milliseconds(options.timeout ?? 10_000, 'options.timeout');
  const addresses = await addressesOf(host, optionalFunction(options.lookup, 'options.lookup'));
  const started = Date.now();
  const tried = [];
  for (const [i, address] of addresses.entries()) {
    const last = i === addresses.length - 1;
    const left = Math.max(0, timeout - (Date.now() - started));
    const outcome = await attempt(options, { host, address, port, timeout, left, tried, fallBack: !last });
    if (typeof outcome !== 'string') return outcome;
    tried.push(`${address} (${outcome})`);
  }
  throw hostError('nx-not-connected', 'no address to connect to');
}

/**
 * One handshake with `address`: the session once connected. With `fallBack` (another
 * address follows), 'refused' or 'no answer' when the address refused or stayed
 * silent for the first retransmission timeout (RFC 8305's idea, the flight's own
 * timer as the delay), and the next is tried. Else a rejection with the reason, after
 * `left` ms at most.
 */
async function attempt(options, { host, address, port, timeout, left, tried, fallBack }) {
  // After the spread: `serverName: undefined` must not turn the host name check off.
  const resource = call(() => api.DtlsSession.client(settings({
    ...options,
    serverName: options.serverName ?? host,
  })));
  applyCredentials(resource, options);
  if (options.session !== undefined && options.session !== null) {
    call(() => resource.setSavedSession(savedSessionBytes(options.session)));
  }
  const socket = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  const session = new DtlsSession(resource, socket, options, { address, port });
  // A server that is not there yet makes the system answer "connection refused" (ICMP
  // port unreachable): the next address is tried, or, at the last, retransmission
  // copes, and a handshake that times out says so.
  let refused = false;
  let answered = false;
  let settle;
  socket.on('error', (e) => {
    if (e.code !== 'ECONNREFUSED') return;
    refused = true;
    if (fallBack && !answered) settle('refused');
  });
  socket.on('message', (msg) => session._ended || session._guard(() => {
    refused = false;
    answered = true;
    resource.handleDatagram(session._clock.now(), msg);
    session._pump();
  }));
  const explained = (error) => {
    if (error.code !== 'WASM_DTLS_HANDSHAKE_TIMEOUT') return error;
    const notes = [];
    if (refused) notes.push(notListening(address, port));
    if (tried.length > 0) notes.push(`tried before: ${tried.join(', ')}`);
    if (notes.length === 0) return error;
    return new DtlsError(error.code, error.status, [error.detail, ...notes].join('; '));
  };
  await new Promise((resolve) => socket.connect(port, address, resolve));
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => settle(explained(hostError('wasm-dtls-handshake-timeout',
      `no handshake with ${address}:${port} within ${timeout} ms`))), left);
    const patience = fallBack
      ? setTimeout(() => { if (!answered) settle('no answer'); }, options.retransmitInitialMs ?? 1000)
      : undefined;
    // Settles once: a session that is reset (timed out, or left for the next
    // address) closes, and that 'close' must not be the reason given.
    settle = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(patience);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
      if (outcome !== session) session.reset();
    };
    session.once('_connected', () => settle(session));
    session.once('close', (error) => settle(explained(error
      ?? hostError('nx-not-connected', 'the session closed during the handshake'))));
    try {
      call(() => resource.start(session._clock.now()));
      session._pump();
    } catch (e) {
      settle(e);
    }
  });
}
