// A login that ends with a non-zero status class (RFC 7143 11.13.5): thrown by the login code, turned into
// a Login Response with that status, then the connection is closed.
import type { LoginStatus } from './pdu.js';

export class LoginReject extends Error {
  /** `quiet`: logged at debug level only (refusals during a CHAP lockout, which is logged once when it begins). */
  constructor(readonly status: LoginStatus, message: string, readonly quiet = false) {
    super(message);
    this.name = 'LoginReject';
  }
}
