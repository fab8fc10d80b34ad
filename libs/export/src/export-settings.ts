/** How exports run (from ExportConfig at boot; tests pass their own). */
export interface ExportSettings {
  /** The FHIR base URL the manifest's file URLs start with. */
  baseUrl: string;
  /** A file is split before it would grow past this. */
  maxFileBytes: number;
  /** Rows per scan page. */
  pageSize: number;
  /** What clients are told to wait between polls; a worker's lease is as long, so a lost job is claimed again within twice it. */
  retryAfterSeconds: number;
  /** How long a finished job and its files are kept. */
  expiresAfterSeconds: number;
  /** How often a running job saves its position. */
  checkpointEveryMs: number;
  /** An export estimated at more rows than this is sliced, a slice per this many rows... */
  sliceRows: number;
  /** ...into at most this many slices (1: never). */
  maxSlices: number;
  /** How many times a job is claimed (its worker lost each time) before it fails. */
  maxAttempts: number;
}

export const leaseMsOf = (settings: ExportSettings) => settings.retryAfterSeconds * 1000;
