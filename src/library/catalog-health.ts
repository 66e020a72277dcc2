// Whether the catalog can write, and the two log lines an operator needs: one when writes start failing, one when
// they succeed again. A full disk refuses every state change until space returns; logging each refusal would only
// fill the disk faster.
import type { Logger } from '../log.js';
import type { CatalogWriteError, CatalogWriteProblem } from './catalog-write-error.js';

export type CatalogWriteState =
  | { readonly writable: true }
  | { readonly writable: false; readonly problem: CatalogWriteProblem; readonly code: string; readonly since: string; readonly refused: number };

export class CatalogHealth {
  private failing: { problem: CatalogWriteProblem; code: string; since: Date; refused: number } | undefined;

  constructor(
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  state(): CatalogWriteState {
    const f = this.failing;
    return f ? { writable: false, problem: f.problem, code: f.code, since: f.since.toISOString(), refused: f.refused } : { writable: true };
  }

  /** A write failed: logged only when it is the first failure since writes last succeeded (or a new problem). */
  failed(error: CatalogWriteError): void {
    if (this.failing && this.failing.problem === error.problem) {
      this.failing.refused++;
      return;
    }
    this.failing = { problem: error.problem, code: error.code, since: this.now(), refused: 1 };
    this.log.error({ err: error.cause, problem: error.problem, code: error.code },
      error.problem === 'no-space'
        ? 'catalog cannot write: no space left on its disk; moves and other library changes are refused until space returns'
        : error.code.startsWith('SQLITE_')
          ? 'catalog cannot write: I/O error on its disk; moves and other library changes are refused until writes succeed'
          : 'catalog cannot write: its PostgreSQL server does not answer; moves and other library changes are refused until it does');
  }

  /** A write committed: logged once after a run of failures. */
  succeeded(): void {
    const f = this.failing;
    if (!f) return;
    this.failing = undefined;
    this.log.info({ problem: f.problem, since: f.since.toISOString(), refused: f.refused }, 'catalog writes succeed again');
  }
}
