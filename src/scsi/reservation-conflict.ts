// SAM-5 RESERVATION CONFLICT is a status, not sense: a handler that finds the command conflicts (a PERSISTENT
// RESERVE OUT with the wrong key, RESERVE against a persistent reservation) throws this and the dispatcher answers it.
export class ReservationConflictError extends Error {
  constructor(reason: string) {
    super(`reservation conflict: ${reason}`);
    this.name = 'ReservationConflictError';
  }
}
