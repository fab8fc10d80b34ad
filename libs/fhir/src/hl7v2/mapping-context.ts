import type { FhirResource } from 'fhir/r4';
import type { Problem } from '../operation-outcome';
import { sourceScopedId } from '../ingestion/source-scoped-id';
import { parseHl7Timestamp, DEFAULT_HL7_TIME_ZONE, type Hl7Timestamp } from './hl7-datetime';

export interface Hl7MappingInput {
  /** The source system the message came from: scopes every id and local identifier system. */
  sourceSystem: string;
  /** When Continuum received the message (ISO 8601). */
  receivedAt: string;
  /** IANA time zone of timestamps sent without an offset; Europe/London by default. */
  timeZone?: string;
}

/**
 * What one message's segment mappers share: the source, deterministic ids, the resources made so far (one per
 * id, so a practitioner named in three fields is one resource) and the problems found.
 */
export class MappingContext {
  readonly problems: Problem[] = [];
  readonly warnings: Problem[] = [];
  private readonly resources = new Map<string, FhirResource>();

  constructor(readonly input: Hl7MappingInput) {}

  get sourceSystem(): string {
    return this.input.sourceSystem;
  }

  id(resourceType: string, key: string): string {
    return sourceScopedId(this.input.sourceSystem, resourceType, key);
  }

  /** Adds a resource; the first one made under an id wins (later mentions of a practitioner add nothing new). */
  add<T extends FhirResource>(resource: T & { id: string }): string {
    const reference = `${resource.resourceType}/${resource.id}`;
    if (!this.resources.has(reference)) this.resources.set(reference, resource);
    return reference;
  }

  get(reference: string): FhirResource | undefined {
    return this.resources.get(reference);
  }

  all(): FhirResource[] {
    return [...this.resources.values()];
  }

  invalid(expression: string, diagnostics: string, code: Problem['code'] = 'invalid'): void {
    this.problems.push({ code, diagnostics, expression: [expression] });
  }

  warn(expression: string, diagnostics: string): void {
    this.warnings.push({ severity: 'warning', code: 'informational', diagnostics, expression: [expression] });
  }

  /** An HL7 timestamp as FHIR; an impossible date is a problem of the message (the platform stores no invalid dates). */
  timestamp(raw: string, expression: string): Hl7Timestamp | undefined {
    const parsed = parseHl7Timestamp(raw, this.input.timeZone ?? DEFAULT_HL7_TIME_ZONE);
    if (parsed === 'invalid') {
      this.invalid(expression, `${expression} '${raw}' is not a valid HL7 date/time`);
      return undefined;
    }
    return parsed;
  }

  dateTime(raw: string, expression: string): string | undefined {
    return this.timestamp(raw, expression)?.dateTime;
  }
}
