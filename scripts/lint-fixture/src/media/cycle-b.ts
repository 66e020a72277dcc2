// Must be reported: a runtime cycle with cycle-a.ts.
import { a } from './cycle-a.js';
export const b = (): unknown => a;
