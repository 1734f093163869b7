// Type declarations of the wasm-dtls Node package.
import { EventEmitter } from 'node:events';

/** Bytes: a string (UTF-8), a Buffer or a Uint8Array. */
export type Bytes = string | Uint8Array;

/**
 * A suite by short name, IANA name or WIT name. The `rsa-*` (ECDHE_RSA) suites are for
 * clients of servers with RSA certificates; a server here never picks them.
 */
export type SuiteName =
  | 'psk-ccm8' | 'psk-gcm' | 'psk-chacha20' | 'psk-aes256-gcm' | 'ecdhe-psk-chacha20'
  | 'ecdsa-ccm8' | 'ecdsa-gcm' | 'ecdsa-chacha20' | 'ecdsa-aes256-gcm'
  | 'rsa-gcm' | 'rsa-chacha20' | 'rsa-aes256-gcm'
  | 'TLS_PSK_WITH_AES_128_CCM_8' | 'TLS_PSK_WITH_AES_128_GCM_SHA256'
  | 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_PSK_WITH_AES_256_GCM_SHA384' | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | (string & {});

/** An ECDHE group by name: x25519, or secp256r1 (also P-256, prime256v1). */
export type GroupName = 'x25519' | 'secp256r1' | 'P-256' | 'prime256v1' | (string & {});

/** A pre-shared key (NetX psk_add). */
export interface Psk {
  /** The identity the client names. */
  identity: Bytes;
  /** The key. */
  key: Bytes;
  /** The identity hint a server sends (optional). */
  hint?: Bytes;
}

/** Options both clients and servers take. */
export interface CommonOptions {
  /** Pre-shared keys, as many as needed (a key per device, say). */
  psk?: Psk[];
  /** Our certificate chain, PEM or DER (own certificate first). */
  cert?: Bytes;
  /** The private key of `cert` (PKCS#8 or SEC1, PEM or DER). */
  key?: Bytes;
  /** Trusted CA certificates, PEM or DER; every certificate of a PEM bundle is trusted. */
  ca?: Bytes | Bytes[];
  /** Suites to offer or accept, most preferred first (default: all six). */
  suites?: SuiteName[];
  /**
   * ECDHE groups, most preferred first (default: x25519, then secp256r1). A server
   * serves the ECDSA suites only to clients that list secp256r1, its certificate's
   * curve (RFC 4492 §4).
   */
  groups?: GroupName[];
  /** The largest datagram to send, 128 to 65507 bytes (default 1200). */
  mtu?: number;
  /** The first retransmission timeout in ms (RFC 6347: 1000). */
  retransmitInitialMs?: number;
  /** The cap of the doubling retransmission timeout in ms (RFC 6347: 60000). */
  retransmitMaxMs?: number;
  /** Sends of a flight before the handshake fails (default 11). */
  maxTransmissions?: number;
  /** End sessions silent this long, in ms (default: never). */
  idleTimeoutMs?: number;
  /** Refuse peers without the extended master secret (RFC 7627). */
  requireExtendedMasterSecret?: boolean;
  /** Certificate validity time, seconds since 1970 (default: now). */
  unixTime?: number;
  /** Receives NSS key log lines (for Wireshark). */
  keylog?: (line: string) => void;
  /** Receives one readable line per record, message, retransmission and timer. */
  trace?: (line: string, atMs: number) => void;
}

/** Options of `connect`. */
export interface ConnectOptions extends CommonOptions {
  /**
   * The server's host (default '127.0.0.1'): an address, or a name whose addresses are
   * tried in turn while each refuses (ICMP port unreachable) or stays silent for the
   * first retransmission timeout.
   */
  host?: string;
  /** Resolves `host`, as dns.lookup (the default) and net.connect's option. */
  lookup?: typeof import('node:dns').lookup;
  /** The server's UDP port. */
  port: number;
  /** The name sent as server_name and checked against the certificate (default: host). */
  serverName?: string;
  /** Milliseconds to wait for the handshake (default 10000). */
  timeout?: number;
  /**
   * A session saved by `getSession()` of an earlier connection to the same server,
   * offered for resumption (as Node's tls.connect takes it): a server that still holds
   * it answers with the abbreviated handshake (`isSessionReused()`), one that does not
   * with a full handshake. Bytes that are not a saved session: NX_INVALID_PARAMETERS.
   */
  session?: Uint8Array;
}

/** Options of `createServer`. */
export interface ServerOptions extends CommonOptions {
  /** The size of the session pool, 1 to 1 048 576 (default 16). */
  maxSessions?: number;
  /** Require client certificates; a number bounds the chain length (true: 4). */
  verifyClient?: boolean | number;
  /**
   * How many sessions the session cache keeps for resumption, oldest dropped first
   * (default 1024); 0 turns resumption off.
   */
  sessionCacheSize?: number;
  /** Seconds a cached session can be resumed, as Node's tls option (default 7200). */
  sessionTimeout?: number;
}

/** An address as node:dgram gives it. */
export interface AddressInfo {
  address: string;
  port: number;
}

/**
 * A DTLS failure: `code` is the NetX name, `status` its number. A trap inside the
 * component (a bug, or its stack or memory exhausted) is NX_NOT_SUCCESSFUL (0x43) with
 * the WebAssembly.RuntimeError as `cause`. The component cannot be called again in this
 * process: each session and server ends with that error when a datagram, a timer or a
 * `send` next reaches it (rather than the process, with an exception from a socket
 * handler); `send` also throws it, and `end` and `close` still tidy up.
 */
export class DtlsError extends Error {
  /** The NetX status name, e.g. 'NX_SECURE_TLS_ALERT_RECEIVED'. */
  readonly code: string;
  /** The NetX status number, e.g. 0x114. */
  readonly status: number;
  /** The explanation without the code. */
  readonly detail: string;
}

/** What client and server sessions share. */
declare class SessionBase extends EventEmitter {
  /** The negotiated suite's IANA name. */
  cipherSuite: string | undefined;
  /** The ECDHE group the key exchange used: 'x25519' or 'secp256r1'; undefined with PSK. */
  namedGroup: 'x25519' | 'secp256r1' | undefined;
  /**
   * The peer's certificate chain (DER), empty with PSK; in a resumed session, the
   * chain of the full handshake it resumes.
   */
  peerCertificates: Buffer[];
  /** Whether the handshake resumed a saved session (the abbreviated handshake). */
  isSessionReused(): boolean;
  /** Messages waiting for `receive()`: at most MAX_WAITING_MESSAGES. */
  readonly waiting: number;
  /** Messages dropped because MAX_WAITING_MESSAGES were waiting for `receive()`. */
  readonly dropped: number;
  /** Sends application data as one record (NetX session_send). */
  send(data: Bytes): void;
  /**
   * The next message (NetX session_receive); rejects with NX_NO_PACKET after
   * `timeout` ms (a number, as NetX's wait option, or `{ timeout }`; default 10000),
   * or with why the session ended. Messages go to 'message' listeners instead when
   * there are any.
   */
  receive(options?: number | { timeout?: number }): Promise<Buffer>;
  /** Sends close_notify (NetX session_end). */
  end(): void;
  /** Ends without close_notify (NetX session_reset). */
  reset(): void;
  /** The peer's address (NetX session_client_info_get). */
  clientInfo(): AddressInfo;
  on(event: 'message', listener: (data: Buffer) => void): this;
  on(event: 'close', listener: (error?: DtlsError) => void): this;
  on(event: 'error', listener: (error: DtlsError) => void): this;
}

/** A client session, from `connect`. */
export class DtlsSession extends SessionBase {
  /** Our UDP socket's address; undefined once the session has closed. */
  address(): (AddressInfo & { family: string }) | undefined;
  /**
   * The session a later `connect({ session })` to the same server can resume, once
   * connected, when the server gave it an ID and the extended master secret was used;
   * undefined after the session failed. It holds the session's master secret.
   */
  getSession(): Buffer | undefined;
}

/** A client's session on a server. */
export class ServerSession extends SessionBase {
  /** The pool handle. */
  readonly id: { slot: number; generation: number };
}

/** A DTLS server (NetX server_create). */
export class DtlsServer extends EventEmitter {
  /**
   * Binds and serves (NetX server_start): port 0 (any free port) to 65535.
   * NX_PORT_UNAVAILABLE / NX_ALREADY_BOUND; NX_INVALID_PARAMETERS for another port or
   * a host that does not resolve.
   */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** The bound address while listening. */
  address(): AddressInfo | undefined;
  /** close_notify to every session, then closes the port (NetX server_stop). */
  close(): void;
  on(event: 'connect', listener: (session: ServerSession, address: AddressInfo) => void): this;
  on(event: 'session', listener: (session: ServerSession) => void): this;
  /** Emitted only when listened to, so an unhandled client failure never throws. */
  on(event: 'error', listener: (error: DtlsError, session?: ServerSession) => void): this;
  on(event: 'close', listener: () => void): this;
}

/**
 * Messages that may wait for `receive()` on one session when nobody listens for
 * 'message'; beyond, they are dropped and counted in `dropped`.
 */
export const MAX_WAITING_MESSAGES: number;

/** Connects and resolves once the handshake completes (NetX client_session_start). */
export function connect(options: ConnectOptions): Promise<DtlsSession>;

/** A server; call `listen()` to start it. */
export function createServer(options?: ServerOptions): DtlsServer;
