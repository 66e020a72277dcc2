// What the initiator reports when the transport, not the device, failed a command. A command that fails this way
// may or may not have reached the device: the caller decides whether repeating it is safe (a tape WRITE is not).

export class IscsiConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IscsiConnectionError';
  }
}

/** The command got no answer within its time limit; the connection was dropped to end it (ErrorRecoveryLevel 0). */
export class IscsiTimeoutError extends IscsiConnectionError {
  constructor(message: string) {
    super(message);
    this.name = 'IscsiTimeoutError';
  }
}
