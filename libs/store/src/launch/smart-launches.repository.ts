import type { DataSource } from 'typeorm';

/** What an EHR registers for a launch: who opens which patient, in which portal role and organisation. */
export interface SmartLaunchContext {
  /** The system client that registered it. */
  registeredBy: string;
  subject: string;
  userName?: string;
  fhirUser?: string;
  portalRole: string;
  organisation: string;
  patientId: string;
}

/** An authorization code as issued: bound to its launch, client, redirect URI and PKCE challenge. */
export interface SmartCodeGrant {
  codeHash: string;
  launchId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  expiresAt: Date;
}

/** Why a launch or code could not be redeemed. */
export type RedeemRefusal = 'unknown' | 'used' | 'expired';

export type Redeemed<T> = { ok: true; value: T } | { ok: false; refusal: RedeemRefusal };

/** A redeemed code with the launch context it carries. */
export interface RedeemedCode extends SmartCodeGrant {
  context: SmartLaunchContext;
}

interface LaunchRow {
  registered_by: string;
  subject: string;
  user_name: string | null;
  fhir_user: string | null;
  portal_role: string;
  organisation: string;
  patient_id: string;
}

const contextOf = (row: LaunchRow): SmartLaunchContext => ({
  registeredBy: row.registered_by,
  subject: row.subject,
  ...(row.user_name ? { userName: row.user_name } : {}),
  ...(row.fhir_user ? { fhirUser: row.fhir_user } : {}),
  portalRole: row.portal_role,
  organisation: row.organisation,
  patientId: row.patient_id,
});

/**
 * The SMART authorization server's state: launch contexts and authorization codes. Each is redeemed by one
 * conditional UPDATE (`used_at IS NULL AND expires_at > now`), so two servers racing for the same launch or code
 * cannot both succeed; a refused redemption is then explained (unknown, used before, expired) by a second look.
 */
export class SmartLaunches {
  constructor(private readonly dataSource: DataSource) {}

  async register(
    launchId: string,
    context: SmartLaunchContext,
    expiresAt: Date,
    now = new Date(),
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO smart_launch (launch_id, registered_by, subject, user_name, fhir_user, portal_role, organisation,
                                 patient_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        launchId,
        context.registeredBy,
        context.subject,
        context.userName ?? null,
        context.fhirUser ?? null,
        context.portalRole,
        context.organisation,
        context.patientId,
        now,
        expiresAt,
      ],
    );
  }

  /** Marks the launch used and returns its context; a launch is authorised once. */
  async redeemLaunch(launchId: string, now = new Date()): Promise<Redeemed<SmartLaunchContext>> {
    const [rows] = (await this.dataSource.query(
      `UPDATE smart_launch SET used_at = $2
       WHERE launch_id = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING registered_by, subject, user_name, fhir_user, portal_role, organisation, patient_id`,
      [launchId, now],
    )) as [LaunchRow[], number];
    if (rows.length) return { ok: true, value: contextOf(rows[0]) };
    return { ok: false, refusal: await this.whyNot('smart_launch', 'launch_id', launchId) };
  }

  async issueCode(grant: SmartCodeGrant, now = new Date()): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO smart_authorization_code (code_hash, launch_id, client_id, redirect_uri, code_challenge, scope,
                                             created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        grant.codeHash,
        grant.launchId,
        grant.clientId,
        grant.redirectUri,
        grant.codeChallenge,
        grant.scope,
        now,
        grant.expiresAt,
      ],
    );
  }

  /**
   * Marks the code used and returns it with its launch context. Used means used: a code presented with a wrong
   * verifier is spent too, so a stolen code cannot be tried against guesses.
   */
  async redeemCode(codeHash: string, now = new Date()): Promise<Redeemed<RedeemedCode>> {
    const [rows] = (await this.dataSource.query(
      `UPDATE smart_authorization_code code SET used_at = $2
       FROM smart_launch launch
       WHERE code.code_hash = $1 AND code.used_at IS NULL AND code.expires_at > $2
         AND launch.launch_id = code.launch_id
       RETURNING code.code_hash, code.launch_id, code.client_id, code.redirect_uri, code.code_challenge, code.scope,
                 code.expires_at, launch.registered_by, launch.subject, launch.user_name, launch.fhir_user,
                 launch.portal_role, launch.organisation, launch.patient_id`,
      [codeHash, now],
    )) as [(LaunchRow & Record<string, unknown>)[], number];
    if (!rows.length)
      return { ok: false, refusal: await this.whyNot('smart_authorization_code', 'code_hash', codeHash) };
    const row = rows[0];
    return {
      ok: true,
      value: {
        codeHash: row.code_hash as string,
        launchId: row.launch_id as string,
        clientId: row.client_id as string,
        redirectUri: row.redirect_uri as string,
        codeChallenge: row.code_challenge as string,
        scope: row.scope as string,
        expiresAt: row.expires_at as Date,
        context: contextOf(row),
      },
    };
  }

  /**
   * Deletes codes that expired before `before`, and launches that did too unless a code issued from them is still
   * live (a code may outlive its launch by its own lifetime; deleting the launch would cascade to it).
   */
  async forgetExpired(before: Date): Promise<number> {
    const [, codes] = (await this.dataSource.query(
      `DELETE FROM smart_authorization_code WHERE expires_at < $1`,
      [before],
    )) as [unknown, number];
    const [, launches] = (await this.dataSource.query(
      `DELETE FROM smart_launch launch
       WHERE launch.expires_at < $1
         AND NOT EXISTS (SELECT 1 FROM smart_authorization_code code
                         WHERE code.launch_id = launch.launch_id AND code.expires_at >= $1)`,
      [before],
    )) as [unknown, number];
    return codes + launches;
  }

  private async whyNot(table: string, key: string, value: string): Promise<RedeemRefusal> {
    const rows = (await this.dataSource.query(`SELECT used_at FROM ${table} WHERE ${key} = $1`, [value])) as {
      used_at: Date | null;
    }[];
    if (!rows.length) return 'unknown';
    return rows[0].used_at ? 'used' : 'expired';
  }
}
