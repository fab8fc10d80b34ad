import { join } from 'node:path';
import type { ViewRow } from '@continuum/fhir';
import {
  buildManifest,
  COMMUNITY_ORGANISATIONS,
  commissionerOfPractice,
  communityOrganisationReference,
  controlDisclosure,
  countBy,
  DEFAULT_GENERALISATION,
  type DisclosurePolicy,
  type ExtractCell,
  type ExtractManifest,
  type ExtractRequest,
  type GeneralisationOptions,
  GovernanceError,
  governRows,
  JOIN_VIEWS,
  type KeyRingDocument,
  type ManifestFile,
  NHS_SECONDARY_CARE_RULE,
  type OrganisationCodeCheck,
  PACK_VIEWS,
  packColumns,
  packLayout,
  type PackColumn,
  type PackName,
  Pseudonymiser,
  pseudonymKeyFor,
  releasedColumns,
  serialiseManifest,
  type SourceRow,
  SUPPRESSED,
} from '@continuum/governance';
import type { ConsentQueries, PersonQueries, ResourceStore } from '@continuum/store';
import { writeCsvFile, writeTextFile } from './extract-files';
import { loadOptOutRegister, personKeysOf } from './opt-out.register';
import { readViewRows, type SourcedViewRow } from './pack-rows.reader';

/** What one extract is asked for: the pack, the month, the governed request and where the files go. */
export interface ExtractRun {
  readonly pack: PackName;
  /** `YYYY-MM`: the activity month. */
  readonly period: string;
  readonly request: ExtractRequest;
  readonly outDirectory: string;
  /** The key ring (from a key file outside the database), for pseudonymised extracts. */
  readonly keyRing?: KeyRingDocument;
  readonly generalisation?: GeneralisationOptions;
  readonly disclosurePolicy?: DisclosurePolicy;
  /** The snapshot: nothing updated after it is read. Default now. */
  readonly transactionTime?: Date;
}

export interface ExtractProgress {
  readonly stage: 'activity' | 'patients' | 'procedures' | 'opt-outs' | 'governance' | 'files';
  readonly resources?: number;
  readonly rows?: number;
}

export interface ExtractResult {
  readonly manifest: ExtractManifest;
  readonly directory: string;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MONTH_COLUMN = 'activity_month';
const COUNT_COLUMN = 'activity_count';

/**
 * The governed commissioning extract, end to end: a pack's rows read through the secured door (the caller's access
 * scope: scopes, audit of every page), joined to the person (NHS number, birth date, postcode, registered practice,
 * commissioner) and the primary procedure; then libs/governance's pipeline in its fixed order (opt-outs per person
 * first, pseudonymisation, generalisation), organisation codes checked against the reference data, for aggregates
 * counts by provider × service × commissioner × month under disclosure control; CSV files in a deterministic order,
 * the manifest, and an AuditEvent of the extract (the caller's audit hook).
 */
export class CommissioningExtracts {
  constructor(
    private readonly store: ResourceStore,
    private readonly persons: PersonQueries,
    private readonly consents: ConsentQueries,
    private readonly audit: (summary: ExtractAuditSummary) => Promise<void>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(
    run: ExtractRun,
    progress: (step: ExtractProgress) => void = () => undefined,
  ): Promise<ExtractResult> {
    const { request, pack } = run;
    if (!PACK_VIEWS[pack]) throw new GovernanceError([`unknown pack '${pack}'`]);
    if (!PERIOD.test(run.period))
      throw new GovernanceError([`period must be a month, YYYY-MM, not '${run.period}'`]);
    const pseudonymiser =
      request.identifiability === 'pseudonymised'
        ? new Pseudonymiser(pseudonymKeyFor(requireKeyRing(run.keyRing), request.recipient, request.project))
        : undefined;
    const generalisation = run.generalisation ?? DEFAULT_GENERALISATION;
    const transactionTime = run.transactionTime ?? this.clock();
    const view = PACK_VIEWS[pack];
    const layout = packLayout(pack);
    const own = packColumns(view);
    const activityDate = own.find((column) => column.activityDate);
    if (!activityDate)
      throw new GovernanceError([`pack '${pack}' has no column tagged period=activity-date`]);

    // 1. The activity of the month, through the secured door (the month selected by the statement).
    let read = 0;
    const activity = await readViewRows(
      this.store,
      view,
      transactionTime,
      { column: activityDate.name, prefix: run.period },
      (rows) => progress({ stage: 'activity', rows: (read += rows) }),
    );
    // 2. The person and the primary procedure, joined by key.
    const patientKey = own.find((column) => column.join === 'patient')?.name;
    const patients = patientKey ? await this.joinRows('patient', transactionTime, progress) : new Map();
    const procedureKey = own.find((column) => column.join === 'procedure')?.name;
    const procedures = procedureKey ? await this.joinRows('procedure', transactionTime, progress) : new Map();

    // 3. Who each row's person is, and their opt-outs (per person, across sources).
    const patientIds = [
      ...new Set(activity.flatMap((row) => (patientKey ? idOf(row.values[patientKey]) : []))),
    ];
    const personOf = await personKeysOf(this.persons, patientIds);
    const register = await loadOptOutRegister(this.consents, patientIds, personOf, transactionTime);
    progress({ stage: 'opt-outs', rows: activity.length });

    const sourceRows = activity
      .map((row): SourceRow & { order: string } => {
        const patient = patientKey ? patients.get(String(row.values[patientKey] ?? '')) : undefined;
        const procedure = procedureKey ? procedures.get(String(row.values[procedureKey] ?? '')) : undefined;
        const values: Record<string, ExtractCell> = {};
        for (const column of layout)
          values[column.name] = cell(
            row.values[column.name] ?? patient?.[column.name] ?? procedure?.[column.name],
          );
        if (patientKey)
          values.commissioner_code =
            commissionerOfPractice(patient?.general_medical_practice_code as string) ?? null;
        const patientId = patientKey ? String(row.values[patientKey] ?? '') : '';
        return {
          personKey: personOf.get(patientId) ?? patientId,
          fromGpRecord: isGpSource(row.sourceSystem),
          values,
          // deterministic whatever order the store holds the records in: activity date, then the record's key
          order: `${String(values[activityDate.name] ?? '')}\u0000${String(row.values[own[0].name] ?? '')}`,
        };
      })
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

    // 4. The governed pipeline, in its fixed order.
    const governed = governRows(request, layout, sourceRows, {
      optOuts: register,
      pseudonymiser,
      generalisation,
    });
    const released: Record<string, ExtractCell>[] = [];
    for await (const row of governed.rows) released.push(row);
    progress({ stage: 'governance', rows: released.length });
    const organisationCodes = checkOrganisationCodes(
      layout,
      releasedColumns(layout, request, generalisation),
      released,
    );

    // 5. Files: person-level rows, or counts under disclosure control.
    const directory = run.outDirectory;
    const base = `${pack}-${run.period}`;
    const files: ManifestFile[] = [];
    let disclosure:
      { policy: DisclosurePolicy; suppressedCells: number; complementaryCells: number } | undefined;
    if (request.identifiability === 'aggregate') {
      const policy = run.disclosurePolicy ?? NHS_SECONDARY_CARE_RULE;
      const dimensions = aggregateDimensions(layout);
      const monthly = released.map((row) => ({
        ...row,
        [MONTH_COLUMN]: String(row[activityDate.name] ?? '').slice(0, 7),
      }));
      const keys = dimensions.map((column) => (column.dimension === 'month' ? MONTH_COLUMN : column.name));
      const table = await countBy(asAsync(monthly), keys);
      const release = controlDisclosure(table, policy);
      const header = [...keys, COUNT_COLUMN];
      const asRow = (key: readonly (string | null)[], value: number | typeof SUPPRESSED): ViewRow =>
        Object.fromEntries([...keys.map((name, i) => [name, key[i] ?? 'Total']), [COUNT_COLUMN, value]]);
      files.push(
        await writeCsvFile(
          directory,
          `${base}-counts.csv`,
          header,
          release.cells.map((item) => asRow(item.key, item.value)),
        ),
      );
      files.push(
        await writeCsvFile(
          directory,
          `${base}-totals.csv`,
          header,
          release.totals.map((item) => asRow(item.key, item.value)),
        ),
      );
      disclosure = {
        policy,
        suppressedCells: release.suppressedCells,
        complementaryCells: release.complementaryCells,
      };
    } else {
      const header = releasedColumns(layout, request, generalisation);
      files.push(await writeCsvFile(directory, `${base}.csv`, header, released));
    }
    progress({ stage: 'files', rows: released.length });

    const manifest = buildManifest({
      request,
      view: { url: view.url as string, version: view.version as string },
      parameters: {
        pack,
        period: run.period,
        joins: [patientKey && JOIN_VIEWS.patient, procedureKey && JOIN_VIEWS.procedure]
          .filter(Boolean)
          .map((joined) => `${(joined as { url: string }).url}|${(joined as { version: string }).version}`)
          .join(' '),
      },
      transactionTime: transactionTime.toISOString(),
      generatedAt: this.clock().toISOString(),
      files,
      tally: governed.tally,
      generalisation,
      pseudonymKeyId: pseudonymiser?.key.keyId,
      disclosure,
      organisationCodes,
    });
    await writeTextFile(directory, `${base}.manifest.json`, serialiseManifest(manifest));
    await this.audit({ pack, period: run.period, manifest });
    return { manifest, directory: join(directory) };
  }

  /** A shared view's rows by their join key; the first row per key wins (the procedure view's primary first). */
  private async joinRows(
    join: 'patient' | 'procedure',
    until: Date,
    progress: (step: ExtractProgress) => void,
  ): Promise<Map<string, ViewRow>> {
    const view = JOIN_VIEWS[join];
    const key = packColumns(view).find((column) => column.join === join)?.name as string;
    let read = 0;
    const rows = await readViewRows(this.store, view, until, undefined, (count) =>
      progress({ stage: join === 'patient' ? 'patients' : 'procedures', rows: (read += count) }),
    );
    const byKey = new Map<string, ViewRow>();
    const ordered = rows.map((row: SourcedViewRow) => row.values);
    if (join === 'procedure')
      ordered.sort((a, b) =>
        String(a.primary_procedure_date ?? '').localeCompare(String(b.primary_procedure_date ?? '')),
      );
    for (const row of ordered) {
      const value = row[key];
      if (typeof value === 'string' && !byKey.has(value)) byKey.set(value, row);
    }
    return byKey;
  }
}

/** What the extract's AuditEvent says (the apps write it through their audit recorder). */
export interface ExtractAuditSummary {
  readonly pack: PackName;
  readonly period: string;
  readonly manifest: ExtractManifest;
}

function requireKeyRing(ring: KeyRingDocument | undefined): KeyRingDocument {
  if (!ring) throw new GovernanceError(['a pseudonymised extract needs the key ring file (--key-file)']);
  return ring;
}

function idOf(value: unknown): string[] {
  return typeof value === 'string' && value ? [value] : [];
}

function cell(value: unknown): ExtractCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

const GP_PRACTICE_CODES = new Set(
  COMMUNITY_ORGANISATIONS.filter((organisation) => organisation.roles.includes('gp-practice')).map(
    (organisation) => organisation.code,
  ),
);

/** GP-sourced: the record came from a GP practice's system (`<practice ODS code>:<product>`). */
function isGpSource(sourceSystem: string | null): boolean {
  if (!sourceSystem) return false;
  return GP_PRACTICE_CODES.has(sourceSystem.split(':')[0].toUpperCase());
}

/** Provider × service × commissioner × month, in that order, as the pack's tags name them. */
function aggregateDimensions(layout: readonly PackColumn[]): PackColumn[] {
  const order = ['provider', 'service', 'commissioner', 'month'];
  return order.flatMap((dimension) => layout.filter((column) => column.dimension === dimension).slice(0, 1));
}

function checkOrganisationCodes(
  layout: readonly PackColumn[],
  released: readonly string[],
  rows: readonly Record<string, ExtractCell>[],
): Record<string, OrganisationCodeCheck> {
  const reference = communityOrganisationReference();
  const checks: Record<string, OrganisationCodeCheck> = {};
  for (const column of layout) {
    if (!column.organisationCode || !released.includes(column.name)) continue;
    let problems = 0;
    const examples: string[] = [];
    for (const row of rows) {
      const problem = reference.problemWith(row[column.name] as string | null, column.organisationCode);
      if (!problem) continue;
      problems++;
      if (examples.length < 3 && !examples.includes(problem)) examples.push(problem);
    }
    checks[column.name] = { checked: rows.length, problems, examples };
  }
  return checks;
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
