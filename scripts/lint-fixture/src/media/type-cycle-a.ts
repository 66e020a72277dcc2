// Allowed: a cycle of type-only imports vanishes at run time.
import type { B } from './type-cycle-b.js';
export interface A {
  readonly b?: B;
}
