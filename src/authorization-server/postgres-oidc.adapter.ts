import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { DataSource } from 'typeorm';

// Expired rows are swept now and then by whichever instance writes, so no timer is needed.
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/**
 * oidc-provider's storage interface on the `oauth_state` table: one row per model instance
 * (Client, Grant, AuthorizationCode, RefreshToken, Session, Interaction, …), its payload as jsonb,
 * with the secondary keys the provider looks things up by (grant, session uid, user code).
 * Expired rows are invisible at once and deleted later. Any instance of the app can serve any step
 * of a flow, and a restart loses nothing.
 */
export class PostgresOidcAdapter implements Adapter {
  private static lastSweep = 0;

  constructor(
    private readonly model: string,
    private readonly dataSource: DataSource,
  ) {}

  static factory(dataSource: DataSource): AdapterFactory {
    return (model: string) => new PostgresOidcAdapter(model, dataSource);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO oauth_state (model, id, payload, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      [
        this.model,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        typeof expiresIn === 'number' ? Math.ceil(expiresIn) : null,
      ],
    );
    this.sweepNowAndThen();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findOne('id = $2', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findOne('uid = $2', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findOne('user_code = $2', userCode);
  }

  /** Marks a code or refresh token as used; the provider treats a second use as a replay. */
  async consume(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE oauth_state SET payload = jsonb_set(payload, '{consumed}', to_jsonb(floor(extract(epoch FROM now()))::bigint))
       WHERE model = $1 AND id = $2`,
      [this.model, id],
    );
  }

  async destroy(id: string): Promise<void> {
    await this.dataSource.query('DELETE FROM oauth_state WHERE model = $1 AND id = $2', [this.model, id]);
  }

  /** Revokes everything issued under a grant (refresh-token replay, grant revocation), whatever its model. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM oauth_state WHERE grant_id = $1', [grantId]);
  }

  private async findOne(condition: string, value: string): Promise<AdapterPayload | undefined> {
    const rows: { payload: AdapterPayload }[] = await this.dataSource.query(
      `SELECT payload FROM oauth_state
       WHERE model = $1 AND ${condition} AND (expires_at IS NULL OR expires_at > now())
       LIMIT 1`,
      [this.model, value],
    );
    return rows[0]?.payload;
  }

  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now - PostgresOidcAdapter.lastSweep < SWEEP_EVERY_MS) return;
    PostgresOidcAdapter.lastSweep = now;
    this.dataSource.query(`DELETE FROM oauth_state WHERE expires_at < now() - interval '1 hour'`).catch(() => {
      // A missed sweep only leaves invisible rows until the next one.
    });
  }
}
