// Must be reported: storage is below media.
import { leaf } from '../media/leaf.js';
export const upward = leaf;
