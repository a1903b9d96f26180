import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox names the allow-listed local host a message goes to (NULL: a public destination)
 * instead of a flag, so an instance claims local-only work only for hosts on its own
 * NOTIFY_ALLOW_LOCAL_HOSTS and never dead-letters a message another instance could deliver.
 */
export class NotificationOutboxLocalHost1764400000001 implements MigrationInterface {
  name = 'NotificationOutboxLocalHost1764400000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE notification_outbox ADD COLUMN local_host text CHECK (length(local_host) <= 255)`);
    await runner.query(`
      UPDATE notification_outbox o SET local_host = substring(d.url FROM '^[a-z]+://([^/:]+|\\[[^]]+\\])')
        FROM notifications n JOIN notification_destinations d ON d.tenant_id = n.tenant_id AND d.id = n.destination_id
       WHERE o.allow_local AND n.tenant_id = o.tenant_id AND n.id = o.notification_id`);
    await runner.query(`ALTER TABLE notification_outbox DROP COLUMN allow_local`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE notification_outbox ADD COLUMN allow_local boolean NOT NULL DEFAULT false`);
    await runner.query(`UPDATE notification_outbox SET allow_local = local_host IS NOT NULL`);
    await runner.query(`ALTER TABLE notification_outbox ALTER COLUMN allow_local DROP DEFAULT`);
    await runner.query(`ALTER TABLE notification_outbox DROP COLUMN local_host`);
  }
}
