import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { TokenRequest } from '@continuum/security';
import { testTokens } from '@continuum/security/testing/test-tokens';
import { testEnv } from '@continuum/testing';
import { ExporterModule } from '../../../apps/exporter/src/exporter.module';
import { type RunningApi, startApi } from './api-app';

export interface ExportStack {
  api: RunningApi;
  /** Where the exporter writes and the API reads the files. */
  directory: string;
  issue(request: TokenRequest): Promise<string>;
  close(): Promise<void>;
}

/**
 * The API and the exporter app in-process, as production wires them: sharing an export directory, with a
 * Retry-After (and worker lease) of one second and the rate limit out of the way.
 */
export async function startExportStack(): Promise<ExportStack> {
  const tokens = testTokens();
  const directory = mkdtempSync(join(tmpdir(), 'continuum-export-e2e-'));
  const env = {
    ...tokens.env,
    EXPORT_DIRECTORY: directory,
    EXPORT_RETRY_AFTER_SECONDS: '1',
    RATE_LIMIT_SYSTEM_PER_MINUTE: '1000000',
    RATE_LIMIT_SYSTEM_BURST: '100000',
  };
  const api = await startApi(env);
  const exporter: INestApplicationContext = await NestFactory.createApplicationContext(
    ExporterModule.forRoot({
      ...process.env,
      ...testEnv,
      ...env,
      FHIR_BASE_URL: api.base,
      EXPORTER_METRICS_PORT: '0',
    }),
    { logger: false },
  );
  await exporter.init();
  return {
    api,
    directory,
    issue: tokens.issue,
    close: async () => {
      await exporter.close();
      await api.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
