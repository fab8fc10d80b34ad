import { SmartAuthorizationCodeEntity, SmartLaunchEntity } from './smart-launch.entities';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A launch token the portal has accepted, by its `jti`: a second use of the same token is a replay and is refused.
 * Rows older than their token's expiry can be deleted (the token would be refused as expired anyway).
 */
@Entity({ name: 'portal_used_launch_token' })
@Index('portal_used_launch_token_expires_idx', ['expiresAt'])
export class UsedLaunchTokenEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'portal_used_launch_token_pkey' })
  jti!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'used_at', type: 'timestamptz' })
  usedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

export const LAUNCH_ENTITIES = [UsedLaunchTokenEntity, SmartLaunchEntity, SmartAuthorizationCodeEntity];
