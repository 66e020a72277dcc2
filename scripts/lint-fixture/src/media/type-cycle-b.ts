// Allowed: a cycle of type-only imports vanishes at run time.
import type { A } from './type-cycle-a.js';
export interface B {
  readonly a?: A;
}
