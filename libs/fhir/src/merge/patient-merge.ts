import type { Patient, PatientLink, Resource } from 'fhir/r4';
import { FhirError, operationOutcome, type Problem } from '../operation-outcome';
import { parseReference } from '../search/reference';

/**
 * The pure part of merging one source Patient (M, merged away) into another (S, the survivor), and of undoing it:
 * which references move, what each Patient becomes, and whether a merge may happen at all. The store applies the
 * plan in one transaction (libs/store/src/merge).
 */

/** Resource types never re-pointed: a Provenance records what happened to M, a Patient's own links are the merge's. */
export const NOT_REPOINTED: ReadonlySet<string> = new Set(['Provenance', 'Patient', 'AuditEvent']);

/** What re-pointing one resource changed: the new content and the JSON Pointers of the references moved. */
export interface Repointed<T extends Resource = Resource> {
  resource: T;
  paths: string[];
}

/**
 * Every literal reference in the resource to `Patient/<fromId>` (relative, absolute on our base, or versioned)
 * re-pointed to `Patient/<toId>` in the same form (a version is dropped: the survivor's versions are its own).
 * Contained resources are walked as well. Paths are JSON Pointers, so an unmerge restores exactly these.
 */
export function repointReferences<T extends Resource>(
  resource: T,
  fromId: string,
  toId: string,
  baseUrl?: string,
): Repointed<T> {
  const paths: string[] = [];
  const copy = structuredClone(resource);
  walk(copy, '', (holder, key, pointer) => {
    const value = holder[key];
    if (typeof value !== 'string' || !pointsTo(value, fromId, baseUrl)) return;
    holder[key] = rewrite(value, fromId, toId);
    paths.push(pointer);
  });
  return { resource: copy, paths };
}

/**
 * Undoes `repointReferences` at the recorded paths only: a path that still points to `Patient/<survivorId>` points
 * to `Patient/<mergedId>` again; one changed since (by its source) is left as it is now.
 */
export function restoreReferences<T extends Resource>(
  resource: T,
  paths: readonly string[],
  mergedId: string,
  survivorId: string,
  baseUrl?: string,
): Repointed<T> {
  const copy = structuredClone(resource);
  const restored: string[] = [];
  for (const path of paths) {
    const located = locate(copy, path);
    if (!located) continue;
    const value = located.holder[located.key];
    if (typeof value !== 'string' || !pointsTo(value, survivorId, baseUrl)) continue;
    located.holder[located.key] = rewrite(value, survivorId, mergedId);
    restored.push(path);
  }
  return { resource: copy, paths: restored };
}

/** M after the merge: inactive, `replaced-by` the survivor (its own data kept). */
export function mergedPatient(patient: Patient, survivorId: string): Patient {
  return {
    ...patient,
    active: false,
    link: withLink(patient.link, { other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' }),
  };
}

/** S after the merge: it `replaces` M. */
export function survivingPatient(patient: Patient, mergedId: string): Patient {
  return {
    ...patient,
    link: withLink(patient.link, { other: { reference: `Patient/${mergedId}` }, type: 'replaces' }),
  };
}

/** M after an unmerge: active again, no longer replaced by the survivor. */
export function unmergedPatient(patient: Patient, survivorId: string, baseUrl?: string): Patient {
  const { link: _link, ...rest } = patient;
  const link = withoutLink(patient.link, 'replaced-by', survivorId, baseUrl);
  return { ...rest, active: true, ...(link.length ? { link } : {}) };
}

/** S after an unmerge: it no longer replaces M. */
export function unmergedSurvivor(patient: Patient, mergedId: string, baseUrl?: string): Patient {
  const { link: _link, ...rest } = patient;
  const link = withoutLink(patient.link, 'replaces', mergedId, baseUrl);
  return { ...rest, ...(link.length ? { link } : {}) };
}

/** The patient this one was merged into (its `replaced-by` link), if any. */
export function replacedBy(patient: Patient | undefined, baseUrl?: string): string | undefined {
  const link = patient?.link?.find((each) => each.type === 'replaced-by');
  const parsed = link?.other?.reference ? parseReference(link.other.reference, baseUrl) : undefined;
  return parsed && !parsed.external && parsed.type === 'Patient' ? parsed.id : undefined;
}

/** Why merge refusals happen, as the dead-letter code and OperationOutcome say it. */
export type MergeRefusalCode = 'merge-into-itself' | 'merge-target-merged' | 'merged-elsewhere';

export interface MergeRefusal {
  code: MergeRefusalCode;
  problem: Problem;
}

/**
 * A merge that must not happen: a patient into itself, into a patient that was itself merged away (the chain would
 * hide records), or of a patient already merged into another one. Undefined when the merge may go ahead.
 */
export function mergeRefusal(
  merged: { id: string; patient?: Patient },
  survivor: { id: string; patient: Patient },
  baseUrl?: string,
): MergeRefusal | undefined {
  if (merged.id === survivor.id)
    return refusal('merge-into-itself', `Patient/${merged.id} cannot be merged into itself`);
  const survivorGone = replacedBy(survivor.patient, baseUrl);
  if (survivorGone)
    return refusal(
      'merge-target-merged',
      `Patient/${survivor.id} was itself merged into Patient/${survivorGone}: merge into that patient instead`,
    );
  const mergedInto = replacedBy(merged.patient, baseUrl);
  if (mergedInto && mergedInto !== survivor.id)
    return refusal(
      'merged-elsewhere',
      `Patient/${merged.id} was already merged into Patient/${mergedInto}; unmerge it first`,
    );
  return undefined;
}

/**
 * A merge or unmerge that cannot apply, for a reason the caller can act on: 422 with a business-rule
 * OperationOutcome over HTTP, and its `code` as the dead-letter code of an HL7 message.
 */
export class MergeRefusedError extends FhirError {
  constructor(
    readonly code: MergeRefusalCode | 'not-merged' | 'unlink-of-merge',
    diagnostics: string,
  ) {
    super(422, operationOutcome([{ code: 'business-rule', diagnostics }]));
    this.name = 'MergeRefusedError';
  }
}

function refusal(code: MergeRefusalCode, diagnostics: string): MergeRefusal {
  return { code, problem: { code: 'business-rule', diagnostics } };
}

function withLink(links: PatientLink[] | undefined, link: PatientLink): PatientLink[] {
  const existing = links ?? [];
  const same = existing.some(
    (each) => each.type === link.type && each.other?.reference === link.other.reference,
  );
  return same ? existing : [...existing, link];
}

function withoutLink(
  links: PatientLink[] | undefined,
  type: PatientLink['type'],
  patientId: string,
  baseUrl: string | undefined,
): PatientLink[] {
  return (links ?? []).filter(
    (link) =>
      !(link.type === type && link.other?.reference && pointsTo(link.other.reference, patientId, baseUrl)),
  );
}

function pointsTo(reference: string, patientId: string, baseUrl: string | undefined): boolean {
  const parsed = parseReference(reference, baseUrl);
  return !!parsed && !parsed.external && parsed.type === 'Patient' && parsed.id === patientId;
}

/** Replaces the id segment after `Patient/`, keeping the reference's form (relative or on our base). */
function rewrite(reference: string, fromId: string, toId: string): string {
  const at = reference.lastIndexOf(`Patient/${fromId}`);
  return `${reference.slice(0, at)}Patient/${toId}`;
}

type Holder = Record<string, unknown> | unknown[];

/** Calls `visit` for every `reference` property in the tree, with its JSON Pointer. */
function walk(
  node: unknown,
  pointer: string,
  visit: (holder: Record<string, unknown>, key: string, pointer: string) => void,
): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, `${pointer}/${index}`, visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = `${pointer}/${escape(key)}`;
    if (key === 'reference') visit(record, key, child);
    else walk(record[key], child, visit);
  }
}

function locate(
  root: unknown,
  pointer: string,
): { holder: Record<string, unknown>; key: string } | undefined {
  const parts = pointer.split('/').slice(1).map(unescape);
  let node: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Holder as Record<string, unknown>)[part];
  }
  const key = parts[parts.length - 1];
  if (node === null || typeof node !== 'object' || key === undefined) return undefined;
  return { holder: node as Record<string, unknown>, key };
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');
