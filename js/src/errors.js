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

/** The DtlsError for a WIT error-code name ('nx-secure-tls-alert-received'). */
export function fromWit(witCode, message) {
  return new DtlsError(types.statusName(witCode), types.statusNumber(witCode), message);
}

/** Runs a component call; a WIT `error` result becomes a thrown DtlsError. */
export function call(fn) {
  try {
    return fn();
  } catch (e) {
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
