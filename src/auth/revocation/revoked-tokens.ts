import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantChangeFeed } from '../../database/tenant-changes/tenant-change-feed.js';

/** Re-read at least this often, in case a change notice was missed (the feed was down). */
const RELOAD_MS = 30_000;

/**
 * The `jti`s revoked before their `exp` (catalog T24), held in memory: every request — a cached
 * token included — is checked against a Set, never against Postgres. Reloaded when the change
 * feed reports `revoked_tokens` changed (any instance, any script), and every 30 s regardless.
 * A failed reload keeps the last list (and is logged); the first load happens before the app
 * listens. Only tokens that carry a `jti` can be revoked one by one (the embedded issuer's do);
 * for the rest, suspend the tenant.
 */
@Injectable()
export class RevokedTokens implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RevokedTokens');
  private revoked = new Set<string>();
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private again = false;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() changes?: TenantChangeFeed,
  ) {
    changes?.onAuthChange((table) => {
      if (table === 'revoked_tokens' || table === '*') void this.reload();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  has(jti: string | undefined): boolean {
    return jti !== undefined && this.revoked.has(jti);
  }

  /** One read at a time; a notice during a read triggers one more (it may have missed the change). */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        try {
          const rows: { jti: string }[] = await this.dataSource.query(`SELECT jti FROM revoked_tokens WHERE expires_at > now()`);
          this.revoked = new Set(rows.map((row) => row.jti));
        } catch (error) {
          this.logger.warn({ err: error }, 'could not re-read revoked tokens; the last list stays in force');
        }
      } while (this.again);
    })().finally(() => (this.reloading = undefined));
    return this.reloading;
  }
}
