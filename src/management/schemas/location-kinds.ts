// Where a cartridge is, in operator words: `robot` is the transport element, `shelf` the offline vault. Plain values
// without zod, so that the console can use them and stay free of it.
export const LOCATION_KINDS = ['slot', 'mailslot', 'drive', 'robot', 'shelf'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];
