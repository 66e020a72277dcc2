// The API's request and answer types, for its clients (the CLI's api-client.ts users and the web console): each is
// the z.infer (answers) or z.input (requests) of the schema the server validates with and documents. Types only: the
// console imports from here and its bundle carries no zod.
export type {
  CartridgeQueryText,
  CartridgeView,
  CopyEventView,
  CreateCartridgesBody,
  DrivePosition,
  DriveView,
  ElementView,
  EventView,
  LibraryView,
  LocationView,
  ServerStatus,
  SessionView,
  UnloadAnswer,
  UnloadBody,
  ShelveBody,
  UnshelveBody,
  ProtectBody,
} from './inventory-schemas.js';
export type { AuditEntryView, AuditVerdictView, CreateTokenBody, NewTokenView, Principal, RetentionView, SetRetentionBody, TokenView } from './security-schemas.js';
export type { CopyBody, CopyJobView, ImportBody, PhysicalLibraryDetailView, PhysicalLibraryView } from './staging-schemas.js';
export type { CartridgeDedupView, DedupFigures, DedupPassView, DedupStatusView, DedupStoreView, DedupSummaryView } from './dedup-schemas.js';
export type { ErrorBody } from './error-schema.js';
export type { LocationKind } from './location-kinds.js';
