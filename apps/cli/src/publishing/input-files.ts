import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';

/** Every file under the given paths (files as given, directories walked), sorted for a stable order. */
export async function* inputFiles(paths: string[], extensions: string[]): AsyncGenerator<string> {
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new Error(`No such file or directory: ${path}`);
    if (info.isFile()) {
      yield path;
      continue;
    }
    const entries = (await readdir(path, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && extensions.includes(extname(entry.name).toLowerCase()))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    yield* entries;
  }
}

/** The lines of a text file, streamed, with their 1-based numbers; blank lines are skipped. */
export async function* fileLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of reader) {
    number += 1;
    if (line.trim()) yield { line, number };
  }
}
