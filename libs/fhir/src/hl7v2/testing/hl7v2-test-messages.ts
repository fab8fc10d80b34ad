import * as fs from 'fs';
import * as path from 'path';
import type { FhirResource, Resource } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { findProblems } from '../../validation';
import type { Problem } from '../../operation-outcome';
import { mapHl7v2Message } from '../hl7v2-message.mapper';
import type { Hl7MappingFailure, Hl7MappingInput, Hl7MappingSuccess } from '../hl7v2.types';

/** Test support for the HL7 v2 specs: the samples (test/fixtures/), a message builder and result helpers. */

export const SAMPLES_DIR = fixturePath('hl7v2-samples');
export const INPUT: Hl7MappingInput = { sourceSystem: 'RCB-PAS', receivedAt: '2026-11-22T03:00:00Z' };

export function sample(relativePath: string): string {
  return fs.readFileSync(path.join(SAMPLES_DIR, relativePath), 'utf8');
}

export function allSamples(): string[] {
  return ['nhs-itk-adt', 'nw-genomics-oru', 'other'].flatMap((dir) =>
    fs.readdirSync(path.join(SAMPLES_DIR, dir)).map((file) => `${dir}/${file}`),
  );
}

export function mapOk(text: string, input: Hl7MappingInput = INPUT): Hl7MappingSuccess {
  const result = mapHl7v2Message(text, input);
  if (!result.ok)
    throw new Error(`expected a mapping, got ${result.code}: ${JSON.stringify(result.problems)}`);
  return result;
}

export function mapFailure(text: string, input: Hl7MappingInput = INPUT): Hl7MappingFailure {
  const result = mapHl7v2Message(text, input);
  if (result.ok)
    throw new Error(`expected a failure, got ${result.event} with ${result.resources.length} resources`);
  return result;
}

type OfType<T extends FhirResource['resourceType']> = Extract<FhirResource, { resourceType: T }>;

export function only<T extends FhirResource['resourceType']>(
  result: Hl7MappingSuccess,
  type: T,
): OfType<T>[] {
  return result.resources.filter((resource) => resource.resourceType === type) as OfType<T>[];
}

export function one<T extends FhirResource['resourceType']>(result: Hl7MappingSuccess, type: T): OfType<T> {
  const found = only(result, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** Errors the platform's validator finds in the mapped resources, as readable lines (empty when all are valid). */
export function validationErrors(resources: Resource[]): string[] {
  return resources.flatMap((resource) =>
    findProblems(resource)
      .filter((problem: Problem) => (problem.severity ?? 'error') === 'error' || problem.severity === 'fatal')
      .map(
        (problem) =>
          `${resource.resourceType}/${resource.id}: ${problem.diagnostics} at ${problem.expression?.join(',')}`,
      ),
  );
}

export const VALID_NHS_NUMBER = '9434765919';
export const INVALID_NHS_NUMBER = '9434765918';

export interface AdtOptions {
  event: string;
  controlId?: string;
  pid3?: string;
  pid7?: string;
  pid32?: string;
  pv1?: string | null;
  extra?: string[];
  version?: string;
}

/** A segment from its non-empty fields by number, so tests never count pipes. */
export function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, index) => fields[index + 1] ?? '')].join('|');
}

/** A small NHS-style ADT message; segments joined with CR as on the wire. */
export function adt(options: AdtOptions): string {
  const {
    event,
    controlId = `MSG-${event}`,
    pid3 = `${VALID_NHS_NUMBER}^^^NHS^NH~K123456^^^RCB^MR`,
    pid7 = '19700615',
    pid32 = '',
    pv1 = segment('PV1', {
      1: '1',
      2: 'I',
      3: 'RCB^WARD7^BAY1^RCB55',
      7: 'C1234567^Grey^Meredith^^^Dr^^^GMC',
      19: 'V0001^^^VISITID',
      44: '202403301015',
    }),
    extra = [],
    version = '2.4',
  } = options;
  return [
    `MSH|^~\\&|PAS|RCB|ROUTE|ROUTE|202404011200||ADT^${event}^ADT_A01|${controlId}|P|${version}`,
    `EVN||202404011155||||202404011150`,
    segment('PID', {
      1: '1',
      3: pid3,
      5: 'JONES^SARAH^ANN^^MS^^L',
      7: pid7,
      8: 'F',
      11: '1 HIGH STREET^^YORK^^YO1 7HH^GBR^H',
      13: '01904 123456^PRN^PH',
      16: 'S',
      32: pid32,
    }),
    ...(pv1 === null ? [] : [pv1]),
    ...extra,
  ].join('\r');
}
