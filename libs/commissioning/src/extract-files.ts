import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ViewRowWriter, type ViewRow } from '@continuum/fhir';
import type { ManifestFile } from '@continuum/governance';

/**
 * Writes one CSV file of an extract (RFC 4180, UTF-8, CRLF, header first: the writer $run uses) and describes it
 * for the manifest: rows, bytes and SHA-256 of exactly the bytes written.
 */
export async function writeCsvFile(
  directory: string,
  name: string,
  columns: string[],
  rows: readonly ViewRow[],
): Promise<ManifestFile> {
  const writer = new ViewRowWriter('csv', columns, true);
  const text = writer.start() + writer.rows([...rows]) + writer.end();
  const bytes = Buffer.from(text, 'utf8');
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, name), bytes);
  return {
    name,
    rows: rows.length,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The manifest beside the files. */
export async function writeTextFile(directory: string, name: string, text: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, name), text, 'utf8');
}
