import { readFile } from 'node:fs/promises';
import { inputFiles } from './input-files';
import type { Publishable } from './publishable';

/**
 * HL7 v2 files as `hl7v2.inbound` messages. A file may hold several messages; each starts with an MSH segment.
 * Line endings are normalised to the standard segment separator (CR), since files arrive with CR, LF or CRLF.
 * The message id is MSH-10 (message control id), as the contract says; the key is the PID-3 identifier list's
 * first NHS number when present, so one patient's messages stay in order.
 */
export async function* hl7v2Messages(
  paths: string[],
  topic: string,
  sourceSystem: string,
): AsyncGenerator<Publishable> {
  for await (const file of inputFiles(paths, ['.hl7', '.er7', '.txt'])) {
    const text = await readFile(file, 'utf8');
    const messages = splitMessages(text);
    if (messages.length === 0) {
      yield { kind: 'problem', where: file, reason: 'no MSH segment found: not an HL7 v2 message' };
      continue;
    }
    for (const [index, message] of messages.entries()) {
      const where = messages.length > 1 ? `${file}#${index + 1}` : file;
      const controlId = field(message, 'MSH', 10);
      if (!controlId) {
        yield { kind: 'problem', where, reason: 'MSH-10 (message control id) is empty' };
        continue;
      }
      yield {
        kind: 'message',
        topic,
        message: {
          key: nhsNumberOf(message) ?? controlId,
          value: message,
          headers: {
            'source-system': sourceSystem,
            'message-id': controlId,
            'content-type': 'x-application/hl7-v2+er7',
          },
        },
      };
    }
  }
}

export function splitMessages(text: string): string[] {
  const segments = text
    .replace(/\r\n|\n|\r/g, '\r')
    .split('\r')
    .filter((segment) => segment.trim().length > 0);
  const messages: string[][] = [];
  for (const segment of segments) {
    if (segment.startsWith('MSH')) messages.push([segment]);
    else messages.at(-1)?.push(segment);
  }
  return messages.map((message) => message.join('\r'));
}

/** A field of the first segment with this name (MSH counts its field separator as MSH-1). */
function field(message: string, segmentName: string, index: number): string | undefined {
  const segment = message.split('\r').find((candidate) => candidate.startsWith(`${segmentName}|`));
  if (!segment) return undefined;
  const fields = segment.split('|');
  const position = segmentName === 'MSH' ? index - 1 : index;
  return fields[position]?.trim() || undefined;
}

function nhsNumberOf(message: string): string | undefined {
  const identifiers = field(message, 'PID', 3)?.split('~') ?? [];
  for (const identifier of identifiers) {
    const [id, , , authority] = identifier.split('^');
    if (/^NHS/i.test(authority ?? '') && /^\d{10}$/.test(id)) return id;
  }
  return undefined;
}
