// Must be reported: a runtime cycle with cycle-b.ts.
import { b } from './cycle-b.js';
export const a = (): unknown => b;
