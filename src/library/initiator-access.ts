// What an initiator may do to a library's media. The question the SCSI layer will ask before every command that
// changes a medium (WRITE, WRITE FILEMARKS, ERASE, FORMAT MEDIUM, SET CAPACITY...): refused with DATA PROTECT for a
// read-only initiator. iSCSI names compare case-insensitively (RFC 3722 stringprep folds case).
import type { LibraryConfig } from '../config/schema.js';

export function isReadOnlyInitiator(library: Pick<LibraryConfig, 'access'>, initiatorName: string): boolean {
  const name = initiatorName.toLowerCase();
  return library.access.readOnlyInitiators.some((iqn) => iqn.toLowerCase() === name);
}
