import type { DataSource } from 'typeorm';
import { UsedLaunchTokenEntity } from './used-launch-token.entity';

/** The portal's ledger of accepted launch tokens: each `jti` is accepted once, across every portal replica. */
export class UsedLaunchTokens {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the token as used; false when it was used before (a replay). One INSERT … ON CONFLICT DO NOTHING, so
   * two replicas receiving the same token at once cannot both accept it.
   */
  async claim(token: { jti: string; subject: string; expiresAt: Date }, now = new Date()): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(UsedLaunchTokenEntity)
      .values({ jti: token.jti, subject: token.subject, usedAt: now, expiresAt: token.expiresAt })
      .orIgnore()
      .returning(['jti'])
      .execute();
    return (result.raw as unknown[]).length === 1;
  }

  /**
   * Forgets tokens that expired before `before`. Pass a cutoff earlier than now by at least the verifier's clock
   * skew: until then the token itself is still accepted and only this row refuses its replay.
   */
  async forgetExpired(before: Date): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(UsedLaunchTokenEntity)
      .where('expires_at < :before', { before })
      .execute();
    return result.affected ?? 0;
  }
}
