import { buildAuditEvent, currentAccess } from '@continuum/security';
import type { AuditLog } from '@continuum/store';
import type { AuditEvent } from 'fhir/r4';
import type { ExtractAuditSummary } from './commissioning-extract.service';

/**
 * The AuditEvent of one extract, for the current caller: what was released to whom and why (purpose, legal basis,
 * agreement, view, files with their SHA-256, what each opt-out removed) and, when the opt-outs were skipped, the
 * exemption's basis and reference in the outcome, so an auditor searching for skipped opt-outs finds it.
 */
export function extractAuditEvent(summary: ExtractAuditSummary, observer: string): AuditEvent {
  const { manifest } = summary;
  const exemption = manifest.optOuts.exemption;
  const event = buildAuditEvent({
    interaction: 'operation',
    outcome: 'success',
    outcomeDescription: exemption
      ? `opt-outs skipped under a ${exemption.basis} exemption (${exemption.reference})`
      : undefined,
    access: currentAccess(),
    patientIds: [],
    query: `extract ${summary.pack} --period ${summary.period} --recipient ${manifest.recipient}`,
    observer,
  });
  const detail = (type: string, value: string) => ({ type, valueString: value });
  event.entity = [
    ...(event.entity ?? []),
    {
      what: { display: manifest.view },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
      name: `commissioning extract ${summary.pack} ${summary.period}`,
      detail: [
        detail('requester', manifest.requester),
        detail('recipient', manifest.recipient),
        detail('project', manifest.project),
        detail('purpose', manifest.purpose),
        detail('legal-basis', manifest.legalBasis),
        detail('data-sharing-agreement', manifest.dataSharingAgreement),
        detail('identifiability', manifest.identifiability),
        detail('transaction-time', manifest.transactionTime),
        ...manifest.files.map((file) =>
          detail('file', `${file.name} rows=${file.rows} sha256=${file.sha256}`),
        ),
        detail(
          'national-data-opt-out',
          `rows=${manifest.optOuts.nationalDataOptOut.rowsRemoved} persons=${manifest.optOuts.nationalDataOptOut.personsRemoved}`,
        ),
        detail(
          'gp-type-1-objection',
          `rows=${manifest.optOuts.gpType1Objection.rowsRemoved} persons=${manifest.optOuts.gpType1Objection.personsRemoved}`,
        ),
        ...(exemption ? [detail('opt-out-exemption', `${exemption.basis} ${exemption.reference}`)] : []),
        ...(manifest.pseudonymisation ? [detail('pseudonym-key', manifest.pseudonymisation.keyId)] : []),
      ],
    },
  ];
  return event;
}

/** The audit hook CommissioningExtracts takes: the extract's event, written through the audit log. */
export function auditExtractsTo(log: AuditLog, observer: string) {
  return async (summary: ExtractAuditSummary): Promise<void> => {
    await log.record(extractAuditEvent(summary, observer));
    await log.flush();
  };
}
