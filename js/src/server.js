// The NetX server: one UDP port, a pool of sessions, connect / session / error events.
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';

import { server as api } from '../generated/wasm_dtls.js';
import { call, catchTrap, fromWit, hostError } from './errors.js';
import { describe } from './ladder.js';
import { nodeAddress, witAddress } from './address.js';
import { Outbox } from './outbox.js';
import { applyCredentials, ianaName, optionalInt, settings } from './options.js';
import { Clock, DeadlineTimer, SessionBase, drain, recordBytes } from './session.js';

const key = (id) => `${id.slot}.${id.generation}`;

/** One client's session on a server. */
export class ServerSession extends SessionBase {
  constructor(server, id, peer) {
    super();
    this._server = server;
    /** The pool handle { slot, generation }. */
    this.id = id;
    this._peer = peer;
  }

  /** The client's address (NetX session_client_info_get). */
  clientInfo() {
    return { ...this._peer };
  }

  /** Sends application data (NetX session_send). */
  send(data) {
    if (this._ended) throw this._ended;
    const bytes = recordBytes(data);
    const trap = this._server._guard(() => {
      call(() => this._server._resource.sessionSend(this.id, bytes));
      this._server._pump();
    });
    if (trap) throw trap;
  }

  /** Sends close_notify and frees the slot (NetX session_end). */
  end() {
    if (this._ended) return;
    this._server._guard(() => {
      call(() => this._server._resource.sessionEnd(this.id));
      this._server._forget(this);
      this._finish();
      this._server._pump();
    });
  }

  /** Frees the slot without a word to the client (NetX session_reset). */
  reset() {
    if (this._ended) return;
    call(() => this._server._resource.sessionReset(this.id));
    this._server._forget(this);
    this._finish(hostError('nx-secure-tls-session-uninitialized', 'the session was reset'));
  }
}

/**
 * The longest client chain `verifyClient` asks for: true means 4; false, 0 or nothing
 * means no client certificates; anything but a whole number is refused.
 */
function clientChainLimit(verifyClient) {
  if (verifyClient === undefined || verifyClient === false || verifyClient === 0) return undefined;
  if (verifyClient === true) return 4;
  if (typeof verifyClient !== 'number') {
    throw hostError('nx-invalid-parameters', 'verifyClient must be true, false or a number of certificates');
  }
  return optionalInt(verifyClient, 'verifyClient', 'certificates');
}

/**
 * A DTLS server (NetX server_create). Events: 'connect' (session, address) when a
 * client passes the cookie check, 'session' (session) when its handshake completes,
 * 'error' (error, session?) when something fails (emitted only when listened to),
 * 'close' after `close()`.
 */
export class DtlsServer extends EventEmitter {
  constructor(options = {}) {
    super();
    this._options = options;
    const pool = optionalInt(options.maxSessions, 'maxSessions', 'sessions') ?? 16;
    this._resource = call(() => api.DtlsServer.create(settings(options), pool));
    applyCredentials(this._resource, options);
    const depth = clientChainLimit(options.verifyClient);
    if (depth !== undefined) call(() => this._resource.x509ClientVerifyConfigure(depth));
    const cacheSize = optionalInt(options.sessionCacheSize, 'sessionCacheSize', 'sessions');
    const lifetime = optionalInt(options.sessionTimeout, 'sessionTimeout', 'seconds');
    if (cacheSize !== undefined || lifetime !== undefined) {
      call(() => this._resource.setSessionCache(cacheSize ?? 1024, lifetime ?? 7200));
    }
    this._sessions = new Map();
    this._socket = undefined;
    this._outbox = undefined;
    this._clock = new Clock();
    this._deadline = new DeadlineTimer(this._clock, (now) => this._guard(() => {
      this._resource.handleTimeout(now);
      this._pump();
    }));
  }

  /**
   * Runs `fn` (engine work). A trapped component cannot be called again, so a trap in
   * it ends every session, is emitted as 'error' (when listened to), closes the server
   * and is returned.
   */
  _guard(fn) {
    return catchTrap(fn, (trap) => this._shutdown(trap));
  }

  /**
   * Binds the UDP port and starts serving (NetX server_start). Resolves with the
   * bound address; rejects with NX_ALREADY_BOUND or NX_PORT_UNAVAILABLE.
   */
  listen(port = 0, host = '0.0.0.0') {
    if (this._socket) {
      return Promise.reject(hostError('nx-already-bound', 'the server is already listening'));
    }
    // Checked here: dgram would bind 70000 as 4464, -1 as 65535 and 'abc' as any port.
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return Promise.reject(hostError('nx-invalid-parameters',
        `the port must be a whole number from 0 (any free port) to 65535, not ${JSON.stringify(port)}`));
    }
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', (e) => {
        socket.close();
        const code = e.code === 'EADDRINUSE' ? 'nx-port-unavailable'
          : e.code === 'ENOTFOUND' ? 'nx-invalid-parameters' : 'nx-not-successful';
        reject(hostError(code, `cannot bind ${host}:${port}: ${e.message}`));
      });
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        // Until it closes, a socket of a stopped server still hears datagrams.
        socket.on('message', (msg, rinfo) => this._socket === socket && this._guard(() => {
          this._resource.handleDatagram(this._clock.now(), witAddress(rinfo.address, rinfo.port), msg);
          this._pump();
        }));
        this._socket = socket;
        this._outbox = new Outbox(socket);
        resolve(socket.address());
      });
    });
  }

  /** The bound address, while listening. */
  address() {
    return this._socket?.address();
  }

  /** Ends every session with close_notify and closes the port (NetX server_stop). */
  close() {
    if (!this._socket) return;
    this._guard(() => {
      this._resource.stop();
      this._pump();
    });
    // A trapped component has closed the server already, with its error.
    if (this._socket) this._shutdown();
  }

  /**
   * Ends every session (with `error`, if any, which is then also emitted as 'error'
   * when listened to), stops the timer, closes the port and emits 'close'.
   */
  _shutdown(error) {
    for (const s of this._sessions.values()) s._finish(error);
    this._sessions.clear();
    this._deadline.stop();
    // After what was sent has left: the sessions' close_notify alerts.
    this._outbox?.close();
    this._socket = undefined;
    this._outbox = undefined;
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close');
  }

  _forget(session) {
    this._sessions.delete(key(session.id));
  }

  _pump() {
    drain(this._resource, {
      transmit: ({ to, datagram }) => {
        const { address, port } = nodeAddress(to);
        this._outbox?.send(datagram, port, address);
      },
      event: (event) => this._event(event),
      trace: ({ peer, trace }) => {
        const { address, port } = nodeAddress(peer);
        this._options.trace?.(`[${address}:${port}] ${describe(trace)}`, Number(this._clock.now()));
      },
      wait: (deadline) => this._schedule(deadline),
    });
  }

  _schedule(deadline) {
    this._deadline.set(this._socket ? deadline : undefined);
  }

  _event(event) {
    const v = event.val;
    switch (event.tag) {
      case 'connect': {
        const session = new ServerSession(this, v.session, nodeAddress(v.peer));
        this._sessions.set(key(v.session), session);
        this.emit('connect', session, session.clientInfo());
        break;
      }
      case 'established': {
        const session = this._sessions.get(key(v.session));
        if (!session) break;
        session.cipherSuite = ianaName(v.suite);
        session.namedGroup = this._resource.sessionNamedGroup(v.session);
        session.peerCertificates = this._resource.sessionPeerCertificates(v.session)
          .map((c) => Buffer.from(c));
        session._resumed = this._resource.sessionResumed(v.session);
        this.emit('session', session);
        break;
      }
      case 'receive':
        this._sessions.get(key(v.session))?._deliver(Buffer.from(v.data));
        break;
      case 'disconnect': {
        const session = this._sessions.get(key(v.session));
        this._sessions.delete(key(v.session));
        const reason = fromWit(v.reason.code, v.reason.message);
        session?._finish(reason.status === 0x127 ? undefined : reason);
        break;
      }
      case 'error': {
        const error = fromWit(v.error.code, v.error.message);
        const session = v.session ? this._sessions.get(key(v.session)) : undefined;
        if (session) {
          this._sessions.delete(key(v.session));
          session._finish(error);
        }
        if (this.listenerCount('error') > 0) this.emit('error', error, session);
        break;
      }
      case 'key-log':
        this._options.keylog?.(v);
        break;
      default:
    }
  }
}

/** A server with these options (NetX server_create); call `listen()` to start. */
export function createServer(options) {
  return new DtlsServer(options);
}
