// Allowed: media may use storage and the shared leaves.
import { bytes } from '../storage/bytes.js';
import { logged } from '../log.js';
export const leaf = bytes + logged;
