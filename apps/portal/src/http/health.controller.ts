import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { checkHealth, HEALTH_CHECKS, type HealthCheck } from '@continuum/observability';
import { PublicPage } from '../session/session.guard';

/** Liveness and readiness (Postgres). */
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @PublicPage()
  @Get()
  async readiness(@Res() response: Response): Promise<void> {
    const report = await checkHealth(this.checks);
    response.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(report);
  }

  @PublicPage()
  @Get('live')
  liveness(): { status: 'up' } {
    return { status: 'up' };
  }
}
