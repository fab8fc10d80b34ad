import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirectoryOutput, KafkaRecord, OutputFormat, OutputSink, PersonOutput, SerialisedResource } from './output.model';
import { TextFileWriter } from './text-file.writer';

/**
 * Writes the generator's output under one directory:
 *   kafka/<topic>.ndjson        one Kafka record per line ({topic, key, headers, value}), ready for `publish`
 *   ndjson/<ResourceType>.ndjson FHIR bulk-data style, relative references
 *   bundles/directory.json, bundles/<person>.json   transaction Bundles (urn:uuid fullUrls)
 *   truth/persons.ndjson        who each person is in every source (for identity-matching scores)
 * Streams honour backpressure: a person's lines are written in one chunk per file and the next waits for drain.
 */
export class FileOutputSink implements OutputSink {
  private readonly files = new Map<string, TextFileWriter>();
  private readonly made = new Set<string>();
  bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly formats: ReadonlySet<OutputFormat>,
  ) {}

  async writeDirectory(directory: DirectoryOutput): Promise<void> {
    await this.writeParts(directory.resources, directory.messages);
    if (directory.bundle !== undefined) await this.writeWhole('bundles', 'directory.json', directory.bundle);
  }

  async writePerson(person: PersonOutput): Promise<void> {
    await this.writeParts(person.resources, person.messages);
    await this.append(join('truth', 'persons.ndjson'), `${person.truth}\n`);
    if (person.bundle !== undefined) await this.writeWhole('bundles', `${person.key}.json`, person.bundle);
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
  }

  private async writeParts(resources: SerialisedResource[], messages: KafkaRecord[]): Promise<void> {
    if (this.formats.has('ndjson')) {
      const byType = new Map<string, string[]>();
      for (const r of resources) {
        const lines = byType.get(r.resourceType) ?? [];
        lines.push(r.json);
        byType.set(r.resourceType, lines);
      }
      for (const [type, lines] of byType) await this.append(join('ndjson', `${type}.ndjson`), `${lines.join('\n')}\n`);
    }
    if (this.formats.has('kafka') && messages.length > 0) {
      const byTopic = new Map<string, string[]>();
      for (const m of messages) {
        const lines = byTopic.get(m.topic) ?? [];
        lines.push(JSON.stringify({ topic: m.topic, key: m.key, headers: m.headers, value: m.value }));
        byTopic.set(m.topic, lines);
      }
      for (const [topic, lines] of byTopic) await this.append(join('kafka', `${topic}.ndjson`), `${lines.join('\n')}\n`);
    }
  }

  private async writeWhole(folder: string, name: string, text: string): Promise<void> {
    await this.ensureDir(join(this.dir, folder));
    await writeFile(join(this.dir, folder, name), text);
    this.bytes += Buffer.byteLength(text);
  }

  private async append(relative: string, text: string): Promise<void> {
    let file = this.files.get(relative);
    if (!file) {
      file = new TextFileWriter(join(this.dir, relative));
      this.files.set(relative, file);
    }
    this.bytes += Buffer.byteLength(text);
    await file.write(text);
  }

  private async ensureDir(path: string): Promise<void> {
    if (this.made.has(path)) return;
    await mkdir(path, { recursive: true });
    this.made.add(path);
  }
}
