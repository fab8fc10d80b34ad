import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends text to one file, honouring backpressure: a write that fills the stream's buffer waits for drain, so a
 * fast producer never holds more than one chunk in memory. The folder is made on the first write.
 */
export class TextFileWriter {
  private stream?: WriteStream;
  bytes = 0;

  constructor(readonly path: string) {}

  async write(text: string): Promise<void> {
    if (!this.stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path);
    }
    this.bytes += Buffer.byteLength(text);
    if (this.stream.write(text)) return;
    const s = this.stream;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      s.once('error', onError);
      s.once('drain', () => {
        s.off('error', onError);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    this.stream = undefined;
    await new Promise<void>((resolve, reject) => s.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
