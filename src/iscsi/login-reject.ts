// A login that ends with a non-zero status class (RFC 7143 11.13.5): thrown by the login code, turned into
// a Login Response with that status, then the connection is closed.
import type { LoginStatus } from './pdu.js';
import type { TextPair } from './text-data.js';

export class LoginReject extends Error {
  /** `quiet`: logged at debug level only (refusals during a CHAP lockout, which is logged once when it begins). */
  /** `pairs`: keys the response carries (TargetAddress with a redirection, RFC 7143 11.13.5 status class 1). */
  constructor(readonly status: LoginStatus, message: string, readonly quiet = false, readonly pairs: readonly TextPair[] = []) {
    super(message);
    this.name = 'LoginReject';
  }
}
