// Allowed: scsi may use the media interface.
import { leaf } from '../media/leaf.js';
export const fromScsi = leaf;
