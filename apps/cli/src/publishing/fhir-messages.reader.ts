import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Resource } from 'fhir/r4';
import { patientRoutingKey } from '@continuum/fhir';
import { fileLines, inputFiles } from './input-files';
import type { Publishable } from './publishable';

/**
 * FHIR files as `fhir.inbound` messages: a .json file is one message (a resource or a Bundle), an .ndjson file is
 * one message per line. The message id is a hash of the content, so publishing the same data twice is a replay
 * that ingestion recognises, not new data.
 */
export async function* fhirMessages(
  paths: string[],
  topic: string,
  sourceSystem: string,
): AsyncGenerator<Publishable> {
  for await (const file of inputFiles(paths, ['.json', '.ndjson'])) {
    if (extname(file).toLowerCase() === '.ndjson') {
      for await (const { line, number } of fileLines(file))
        yield toMessage(line, `${file}:${number}`, topic, sourceSystem);
    } else {
      yield toMessage(await readFile(file, 'utf8'), file, topic, sourceSystem);
    }
  }
}

function toMessage(text: string, where: string, topic: string, sourceSystem: string): Publishable {
  let resource: Resource;
  try {
    resource = JSON.parse(text) as Resource;
  } catch (error) {
    return { kind: 'problem', where, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string') {
    return { kind: 'problem', where, reason: 'not a FHIR resource: no resourceType' };
  }
  const value = JSON.stringify(resource);
  return {
    kind: 'message',
    topic,
    message: {
      key: patientRoutingKey(resource),
      value,
      headers: {
        'source-system': sourceSystem,
        'message-id': createHash('sha256').update(value).digest('hex').slice(0, 32),
        'content-type': 'application/fhir+json',
      },
    },
  };
}
