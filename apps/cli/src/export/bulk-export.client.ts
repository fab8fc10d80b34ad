import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface ManifestEntry {
  type: string;
  url: string;
  count: number;
}

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: ManifestEntry[];
  deleted?: ManifestEntry[];
  error: ManifestEntry[];
}

/** What the client reports while it works (the CLI draws a progress bar from it). */
export interface ExportProgress {
  phase: 'waiting' | 'downloading';
  /** The server's X-Progress, while waiting. */
  status?: string;
  filesDone?: number;
  filesTotal?: number;
}

/** A downloaded file and whether its lines match the manifest's count. */
export interface DownloadedFile extends ManifestEntry {
  path: string;
  lines: number;
}

/**
 * A FHIR Bulk Data client: kick-off, polling as Retry-After says (and backing off on 429), downloads that resume
 * where a partial file stops (HTTP Range), and a count check of every file against the manifest.
 */
export class BulkExportClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly onProgress: (progress: ExportProgress) => void = () => undefined,
  ) {}

  /** Kicks off and answers the status URL. */
  async kickOff(path: string, params: [string, string][]): Promise<string> {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${this.base}/${path}${query ? `?${query}` : ''}`, {
      headers: this.headers({ accept: 'application/fhir+json', prefer: 'respond-async' }),
    });
    const location = response.headers.get('content-location');
    if (response.status !== 202 || !location)
      throw new Error(`Kick-off refused (${response.status}): ${await response.text()}`);
    return location;
  }

  /** Polls until the manifest (or a failure), waiting as long as the server asks. */
  async manifest(statusUrl: string, timeoutMs = 24 * 3600_000): Promise<Manifest> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const response = await fetch(statusUrl, { headers: this.headers({ accept: 'application/json' }) });
      if (response.status === 200) return (await response.json()) as Manifest;
      if (response.status !== 202 && response.status !== 429)
        throw new Error(`Export failed (${response.status}): ${await response.text()}`);
      await response.arrayBuffer();
      if (response.status === 202)
        this.onProgress({ phase: 'waiting', status: response.headers.get('x-progress') ?? undefined });
      const wait = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait) * 1000));
    }
    throw new Error(`No manifest from ${statusUrl} in time`);
  }

  /** Downloads every file of the manifest into `directory` (resuming partial ones) and counts their lines. */
  async download(manifest: Manifest, directory: string): Promise<DownloadedFile[]> {
    await mkdir(directory, { recursive: true });
    const entries = [...manifest.output, ...(manifest.deleted ?? []), ...manifest.error];
    const done: DownloadedFile[] = [];
    for (const entry of entries) {
      const path = join(directory, entry.url.split('/').pop() as string);
      await this.downloadFile(entry.url, path);
      done.push({ ...entry, path, lines: await countLines(path) });
      this.onProgress({ phase: 'downloading', filesDone: done.length, filesTotal: entries.length });
    }
    return done;
  }

  /** One file; when part of it is already on disk, only the rest is asked for (Range: bytes=<size>-). */
  async downloadFile(url: string, path: string): Promise<void> {
    const have = await stat(path).then((info) => info.size, () => 0);
    const response = await fetch(url, {
      headers: this.headers({ accept: 'application/fhir+ndjson', ...(have ? { range: `bytes=${have}-` } : {}) }),
    });
    if (response.status === 416) {
      await response.arrayBuffer(); // already complete
      return;
    }
    if (response.status !== 200 && response.status !== 206)
      throw new Error(`Download of ${url} failed (${response.status}): ${await response.text()}`);
    const append = response.status === 206;
    if (!response.body) return;
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      createWriteStream(path, append ? { flags: 'a' } : { flags: 'w' }),
    );
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }
}

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of (await import('node:fs')).createReadStream(path))
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  return lines;
}

/** Files whose line count differs from the manifest's. */
export function countMismatches(files: DownloadedFile[]): DownloadedFile[] {
  return files.filter((file) => file.lines !== file.count);
}
