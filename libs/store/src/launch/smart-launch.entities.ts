import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * A SMART EHR launch context: an authenticated EHR registered that this user, in this portal role and organisation,
 * is opening this patient. The opaque `launch_id` travels in the launch URL; it can be redeemed once, before expiry.
 */
@Entity({ name: 'smart_launch' })
@Index('smart_launch_expires_idx', ['expiresAt'])
export class SmartLaunchEntity {
  @PrimaryColumn({ name: 'launch_id', type: 'text', primaryKeyConstraintName: 'smart_launch_pkey' })
  launchId!: string;

  /** The system client (token `client_id`) that registered it. */
  @Column({ name: 'registered_by', type: 'text' })
  registeredBy!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  @Column({ name: 'fhir_user', type: 'text', nullable: true })
  fhirUser!: string | null;

  @Column({ name: 'portal_role', type: 'text' })
  portalRole!: string;

  @Column({ type: 'text' })
  organisation!: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}

/**
 * An authorization code, by the sha-256 of its value (a leaked table gives no usable code), bound to the launch, the
 * client, its redirect URI and the PKCE challenge. Redeemed once, before expiry.
 */
@Entity({ name: 'smart_authorization_code' })
@Index('smart_authorization_code_expires_idx', ['expiresAt'])
export class SmartAuthorizationCodeEntity {
  @PrimaryColumn({
    name: 'code_hash',
    type: 'text',
    primaryKeyConstraintName: 'smart_authorization_code_pkey',
  })
  codeHash!: string;

  @Column({ name: 'launch_id', type: 'text' })
  launchId!: string;

  @ManyToOne(() => SmartLaunchEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'launch_id', foreignKeyConstraintName: 'smart_authorization_code_launch_fk' })
  launch?: SmartLaunchEntity;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri!: string;

  @Column({ name: 'code_challenge', type: 'text' })
  codeChallenge!: string;

  @Column({ type: 'text' })
  scope!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
