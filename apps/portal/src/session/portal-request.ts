import type { Request } from 'express';
import type { PortalSession } from './portal-session';

/** A request once the session guard has read its cookie. */
export interface PortalRequest extends Request {
  session?: PortalSession;
}
