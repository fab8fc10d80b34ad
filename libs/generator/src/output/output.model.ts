/** What the generator hands to a sink: plain strings, already serialised, so sinks only move bytes. */

export type OutputFormat = 'kafka' | 'ndjson' | 'bundles';
export const ALL_FORMATS: OutputFormat[] = ['kafka', 'ndjson', 'bundles'];

/** One Kafka record as `publish` will send it. */
export interface KafkaRecord {
  topic: string;
  key: string;
  headers: { 'source-system': string; 'message-id': string; 'content-type': string };
  /** FHIR JSON (a transaction Bundle) or HL7 v2 ER7 text. */
  value: string;
  /** Not written: orders a person's messages in time. */
  at: number;
}

export interface SerialisedResource {
  resourceType: string;
  id: string;
  json: string;
}

/** One person's output, complete, so a sink can write it and forget it (constant memory). */
export interface PersonOutput {
  key: string;
  resources: SerialisedResource[];
  /** Empty unless the kafka format is asked for. */
  messages: KafkaRecord[];
  /** Transaction Bundle JSON; undefined unless the bundles format is asked for. */
  bundle?: string;
  /** Ground truth for identity matching: who this person is in every source. */
  truth: string;
}

/** Output that belongs to the community rather than to a person (organisations, practitioners, locations). */
export interface DirectoryOutput {
  resources: SerialisedResource[];
  messages: KafkaRecord[];
  bundle?: string;
}

/** Where generated output goes. Implementations own all I/O and backpressure. */
export interface OutputSink {
  writeDirectory(directory: DirectoryOutput): Promise<void>;
  writePerson(person: PersonOutput): Promise<void>;
  close(): Promise<void>;
}
