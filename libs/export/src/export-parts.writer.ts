import type { ExportFile, ExportFileKind } from '@continuum/store';
import type { ExportFileSink, ExportFileStore } from './export-file.store';

interface OpenPart {
  file: ExportFile;
  sink: ExportFileSink;
}

/** The name of a part in the job's storage; a slice's parts are numbered within it (`Patient.2-1.ndjson`). */
export function partName(kind: ExportFileKind, resourceType: string, part: number, slice?: number): string {
  const number = slice === undefined ? `${part}` : `${slice}-${part}`;
  if (kind === 'error') return `errors.${number}.ndjson`;
  return kind === 'deleted' ? `deleted.${number}.ndjson` : `${resourceType}.${number}.ndjson`;
}

/**
 * The job's files as it writes them: one open part per type (and one for deletions), a new part when the next
 * lines would pass the size limit, and, for a checkpoint, the files changed since the last one. A resumed job
 * reopens its unfinished parts cut back to their checkpointed size, so lines written after the last checkpoint
 * are written once, not twice.
 */
export class ExportPartsWriter {
  private readonly open = new Map<string, OpenPart>();
  private readonly known = new Map<string, ExportFile>();
  private readonly touched = new Set<ExportFile>();

  constructor(
    private readonly store: ExportFileStore,
    /** Where the files are kept: the job's (a slice's are kept with its export's, under their own names). */
    private readonly jobId: string,
    private readonly maxFileBytes: number,
    checkpointed: ExportFile[] = [],
    private readonly slice?: number,
  ) {
    for (const file of checkpointed) {
      const key = keyOf(file.kind, file.resourceType);
      const latest = this.known.get(key);
      if (!latest || latest.part < file.part) this.known.set(key, { ...file });
    }
  }

  /**
   * Appends lines (each one JSON document, as text or as its UTF-8 bytes) to the type's current part, splitting at
   * the size limit. Each part's lines are written as one buffer.
   */
  async write(kind: ExportFileKind, resourceType: string, lines: (string | Buffer)[]): Promise<void> {
    let part = await this.current(kind, resourceType);
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = typeof line === 'string' ? Buffer.from(line) : line;
      if (part.file.bytes + chunkBytes > 0 && part.file.bytes + chunkBytes + bytes.length + 1 > this.maxFileBytes) {
        await this.append(part, chunk, chunkBytes);
        chunk = [];
        chunkBytes = 0;
        part = await this.next(part);
      }
      chunk.push(bytes, NEWLINE);
      chunkBytes += bytes.length + 1;
    }
    if (chunk.length) await this.append(part, chunk, chunkBytes);
  }

  /** Every byte written so far is in the store; answers the files changed since the previous call. */
  async flush(): Promise<ExportFile[]> {
    await Promise.all([...this.open.values()].map((part) => part.sink.flush()));
    const changed = [...this.touched].map((file) => ({ ...file }));
    this.touched.clear();
    return changed;
  }

  /** Closes every part: the job is done. Answers the files changed since the last flush. */
  async finish(): Promise<ExportFile[]> {
    for (const part of this.open.values()) {
      await part.sink.close();
      part.file.complete = true;
      this.touched.add(part.file);
    }
    this.open.clear();
    return this.flush();
  }

  /** Closes the files without marking anything (the job stops here; another worker may resume it). */
  async abandon(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map((part) => part.sink.close()));
    this.open.clear();
  }

  /** `chunk`: lines, each followed by NEWLINE. */
  private async append(part: OpenPart, chunk: Buffer[], bytes: number): Promise<void> {
    await part.sink.write(Buffer.concat(chunk, bytes));
    part.file.bytes += bytes;
    part.file.count += chunk.length / 2;
    this.touched.add(part.file);
  }

  private async current(kind: ExportFileKind, resourceType: string): Promise<OpenPart> {
    const key = keyOf(kind, resourceType);
    const open = this.open.get(key);
    if (open) return open;
    const latest = this.known.get(key);
    if (latest && !latest.complete) return this.openPart(latest, latest.bytes);
    return this.openPart(newFile(kind, resourceType, (latest?.part ?? 0) + 1, this.slice), 0);
  }

  private async next(part: OpenPart): Promise<OpenPart> {
    await part.sink.close();
    part.file.complete = true;
    this.touched.add(part.file);
    return this.openPart(newFile(part.file.kind, part.file.resourceType, part.file.part + 1, this.slice), 0);
  }

  private async openPart(file: ExportFile, keepBytes: number): Promise<OpenPart> {
    const part = { file, sink: await this.store.append(this.jobId, file.name, keepBytes) };
    const key = keyOf(file.kind, file.resourceType);
    this.open.set(key, part);
    this.known.set(key, file);
    return part;
  }
}

const NEWLINE = Buffer.from('\n');

function keyOf(kind: ExportFileKind, resourceType: string): string {
  return `${kind}:${resourceType}`;
}

function newFile(kind: ExportFileKind, resourceType: string, part: number, slice?: number): ExportFile {
  const name = partName(kind, resourceType, part, slice);
  return { name, kind, resourceType, part, count: 0, bytes: 0, complete: false };
}
