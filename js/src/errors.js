// DtlsError: a failure with its NetX name (`code`) and number (`status`).
import { types } from '../generated/wasm_dtls.js';

/** A DTLS failure, with the NetX status name in `code` and its number in `status`. */
export class DtlsError extends Error {
  /**
   * @param {string} code the NetX name, e.g. 'NX_SECURE_TLS_ALERT_RECEIVED'
   * @param {number} status the NetX number, e.g. 0x114
   * @param {string} message what went wrong
   */
  constructor(code, status, message) {
    super(`${code} (0x${status.toString(16).toUpperCase()}): ${message}`);
    this.name = 'DtlsError';
    this.code = code;
    this.status = status;
    this.detail = message;
  }
}

/** The NetX name and number of each WIT error code met so far, asked of the component once. */
const statuses = new Map();

function status(witCode) {
  let known = statuses.get(witCode);
  if (!known) {
    known = { name: types.statusName(witCode), number: types.statusNumber(witCode) };
    statuses.set(witCode, known);
  }
  return known;
}

/**
 * The codes the package raises itself, looked up when it loads: after a trap the
 * component cannot be called, and a receive that times out, a reset or a trap must
 * still be reported with its NetX name and number. A test checks every code the
 * package's sources name is here.
 */
export const OWN_CODES = Object.freeze(['nx-no-packet', 'nx-invalid-parameters',
  'nx-not-connected', 'nx-not-successful', 'nx-already-bound', 'nx-port-unavailable',
  'nx-secure-tls-session-uninitialized', 'wasm-dtls-handshake-timeout']);
for (const code of OWN_CODES) status(code);

/** The DtlsError for a WIT error-code name ('nx-secure-tls-alert-received'). */
export function fromWit(witCode, message) {
  const { name, number } = status(witCode);
  return new DtlsError(name, number, message);
}

/**
 * The DtlsError for a trap inside the component — a bug, or its stack or memory
 * exhausted: NX_NOT_SUCCESSFUL, as the wasmtime host reports one. A trapped instance
 * cannot be called again, and every session in the process shares it.
 */
function trapError(e) {
  const error = fromWit('nx-not-successful', `the component trapped: ${e.message}`);
  error.cause = e;
  return error;
}

/**
 * The DtlsError for `e` if it is a trap, raw or already made one by `call`; undefined
 * for anything else (an application's listener that threw, say).
 */
function asTrap(e) {
  if (e instanceof WebAssembly.RuntimeError) return trapError(e);
  if (e instanceof DtlsError && e.cause instanceof WebAssembly.RuntimeError) return e;
  return undefined;
}

/**
 * Runs `fn`, engine work, and hands a trap in it to `onTrap` as a DtlsError, which is
 * then returned, so that the session or server can end before anything else happens
 * (from a socket handler or a timer a trap would otherwise be an uncaught exception
 * that ends the process). Anything else is rethrown.
 */
export function catchTrap(fn, onTrap) {
  try {
    fn();
    return undefined;
  } catch (e) {
    const trap = asTrap(e);
    if (!trap) throw e;
    onTrap(trap);
    return trap;
  }
}

/**
 * Runs a component call; a WIT `error` result, or a trap, becomes a thrown DtlsError.
 */
export function call(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw trapError(e);
    // jco throws a result's error as a ComponentError with the payload, or as the
    // payload itself.
    const payload = e?.payload ?? e;
    if (payload && typeof payload.code === 'string' && typeof payload.message === 'string'
      && !(payload instanceof DtlsError)) {
      throw fromWit(payload.code, payload.message);
    }
    throw e;
  }
}

/** A DtlsError made by the package itself (sockets, timeouts, arguments). */
export function hostError(witCode, message) {
  return fromWit(witCode, message);
}
