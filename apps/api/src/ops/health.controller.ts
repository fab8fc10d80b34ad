import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { checkHealth, HEALTH_CHECKS, type HealthCheck } from '@continuum/observability';

/** Liveness (the process answers) and readiness (each dependency reported; for the API, Postgres). */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get()
  async readiness(@Res() response: Response): Promise<void> {
    const report = await checkHealth(this.checks);
    response.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }

  @Get('live')
  liveness(): { status: 'up' } {
    return { status: 'up' };
  }
}
