import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { checkHealth, HEALTH_CHECKS, type HealthCheck } from '@continuum/observability';

/**
 * Liveness (the process answers) and readiness (each dependency reported: Postgres, which the API cannot serve
 * without; Elasticsearch, optional, which only patient finding (PDQm) needs: `degraded` when it fails).
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get()
  async readiness(@Res() response: Response): Promise<void> {
    const report = await checkHealth(this.checks);
    // degraded (Elasticsearch, for PDQm, is down) stays ready: everything else is served from Postgres
    response.status(report.status === 'down' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).json(report);
  }

  @Get('live')
  liveness(): { status: 'up' } {
    return { status: 'up' };
  }
}
