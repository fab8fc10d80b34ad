import { unauthorized } from '@continuum/fhir';
import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PortalRequest } from './portal-request';
import { PortalSessions, SESSION_COOKIE } from './portal-session';

const PUBLIC = 'portal:public';
/** A page anyone may open (the launch, the landing page, health, the SMART configuration). */
export const PublicPage = () => SetMetadata(PUBLIC, true);

function cookie(request: PortalRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Every page but the public ones needs a signed session (made by a verified launch): no session is a 401 page. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly sessions: PortalSessions,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PortalRequest>();
    request.session = await this.sessions.open(cookie(request, SESSION_COOKIE));
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    if (!request.session) throw unauthorized('Your portal session has ended or was never started');
    return true;
  }
}
