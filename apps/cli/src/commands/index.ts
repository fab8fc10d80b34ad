import type { Command } from 'commander';
import { registerAuditVerify } from './audit-verify.command';
import { registerConsentRebuild } from './consent-rebuild.command';
import { registerExport } from './export.command';
import { registerExtract } from './extract.command';
import { registerGenerate } from './generate.command';
import { registerGeneratePopulation } from './generate-population.command';
import { registerIdentityPersons } from './identity-persons.command';
import { registerIdentityRebuild } from './identity-rebuild.command';
import { registerIndexVerify } from './index-verify.command';
import { registerKafkaTopics } from './kafka-topics.command';
import { registerLaunchLink } from './launch-link.command';
import { registerPublish } from './publish.command';
import { registerReindex } from './reindex.command';
import { registerSmartLaunch } from './smart-launch.command';
import { registerToken } from './token.command';
import { registerViewRun } from './view-run.command';
import { registerViewsSuite } from './views-suite.command';

/** A CLI command registers itself (name, options, action) on the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command; keep the list sorted.
export const commands: RegisterCommand[] = [
  registerAuditVerify,
  registerConsentRebuild,
  registerExport,
  registerExtract,
  registerGenerate,
  registerGeneratePopulation,
  registerIdentityPersons,
  registerIdentityRebuild,
  registerIndexVerify,
  registerKafkaTopics,
  registerLaunchLink,
  registerPublish,
  registerReindex,
  registerSmartLaunch,
  registerToken,
  registerViewRun,
  registerViewsSuite,
];
