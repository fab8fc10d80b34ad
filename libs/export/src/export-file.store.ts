import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** A file being appended to: a write stream whose bytes so far the writer counts itself. */
export interface ExportFileSink {
  write(chunk: string | Uint8Array): Promise<void>;
  /** Waits until everything written so far has reached the store (a checkpoint counts on it). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where export files live. One implementation today (a directory: replicas of the exporter and the API must share
 * it, e.g. a network volume); an object store would be a second.
 */
export abstract class ExportFileStore {
  /** Opens a file for appending after its first `keepBytes` bytes (0: a new file), cutting off anything beyond. */
  abstract append(jobId: string, name: string, keepBytes: number): Promise<ExportFileSink>;
  /** Reads a file, or the byte range `[start, end]` (inclusive) of it. */
  abstract read(jobId: string, name: string, range?: { start: number; end: number }): Readable;
  /** The file's size in bytes, or undefined when it does not exist. */
  abstract size(jobId: string, name: string): Promise<number | undefined>;
  /** Every file of a job. */
  abstract remove(jobId: string): Promise<void>;
}

/** Bytes a file's stream buffers before a write waits for it to drain. */
const SINK_BUFFER_BYTES = 8 * 1024 * 1024;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const UUID = /^[0-9a-f-]{36}$/i;

/** Export files in `<directory>/<job id>/<name>`. */
export class FilesystemExportFileStore extends ExportFileStore {
  constructor(private readonly directory: string) {
    super();
  }

  async append(jobId: string, name: string, keepBytes: number): Promise<ExportFileSink> {
    const path = this.path(jobId, name);
    await mkdir(join(this.directory, jobId), { recursive: true });
    if (keepBytes > 0) await truncate(path, keepBytes);
    // a page's lines for each type are written without waiting for the disk in between; memory stays bounded by it
    const stream = createWriteStream(path, { flags: keepBytes > 0 ? 'r+' : 'w', start: keepBytes, highWaterMark: SINK_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    return new StreamSink(stream);
  }

  read(jobId: string, name: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(jobId, name), range);
  }

  async size(jobId: string, name: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(jobId, name))).size;
    } catch {
      return undefined;
    }
  }

  async remove(jobId: string): Promise<void> {
    if (!UUID.test(jobId)) throw new Error(`Not a job id: ${jobId}`);
    await rm(join(this.directory, jobId), { recursive: true, force: true });
  }

  private path(jobId: string, name: string): string {
    if (!UUID.test(jobId) || !SAFE_NAME.test(name)) throw new Error(`Not an export file: ${jobId}/${name}`);
    return join(this.directory, jobId, name);
  }
}

/** Backpressure: a write waits for the stream to drain once its buffer is full, so memory stays bounded. */
class StreamSink implements ExportFileSink {
  private failure?: Error;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error) => (this.failure = error));
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    // an empty write's callback runs once every earlier write has been handed to the file
    return new Promise((resolve, reject) => this.stream.write('', (error) => (error ? reject(error) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}
