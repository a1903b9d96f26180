import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../../common/pagination/pagination.js';
import { TenantDb } from '../../database/tenant-db.js';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { CrmError } from '../crm.errors.js';
import { isUniqueViolation, iso, violatedConstraint } from '../shared/sql.js';
import { expectedVersion, updateVersioned } from '../shared/versioning.js';
import type { UpdateOptions, WriteOptions } from '../shared/write-options.js';
import { ContactsRepository, type ContactRow } from './contacts.repository.js';
import type { Contact, ContactListQuery, CreateContactInput, UpdateContactInput } from './contacts.schemas.js';

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    externalId: row.external_id,
    accountId: row.account_id,
    name: row.name,
    email: row.email,
    title: row.title,
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** Contacts use cases (REST today; the same methods serve MCP and the RPC route). */
@Injectable()
export class ContactsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly contacts: ContactsRepository,
    private readonly accounts: AccountsRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  search(principal: Principal, query: ContactListQuery): Promise<Page<Contact>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor);
    return this.tenantDb.run(principal.tenantId, async (manager) =>
      toPage(await this.contacts.list(manager, principal.tenantId, { ...query, after, limit }), limit, toContact),
    );
  }

  get(principal: Principal, id: string): Promise<Contact> {
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      const row = await this.contacts.findById(manager, principal.tenantId, id);
      if (!row) throw CrmError.notFound('Contact');
      return toContact(row);
    });
  }

  create(principal: Principal, input: CreateContactInput, options: WriteOptions = {}): Promise<Contact> {
    const request = { key: options.idempotencyKey, operation: 'crm.contacts.create', request: input };
    return this.idempotency.run(principal, request, async (manager) => {
      await this.assertAccount(manager, principal.tenantId, input.accountId);
      return toContact(await guardUnique(() => this.contacts.insert(manager, principal.tenantId, input)));
    });
  }

  update(principal: Principal, id: string, input: UpdateContactInput, options: UpdateOptions = {}): Promise<Contact> {
    const { version, ...values } = input;
    const expected = expectedVersion(version, options.ifMatch);
    const tenantId = principal.tenantId;
    return this.tenantDb.write(tenantId, (manager) =>
      updateVersioned({
        expected,
        currentVersion: (lock) => this.contacts.currentVersion(manager, tenantId, id, lock),
        write: async (current) => {
          await this.assertAccount(manager, tenantId, values.accountId);
          const row = await guardUnique(() => this.contacts.update(manager, tenantId, id, values, current));
          return row && toContact(row);
        },
        notFound: () => CrmError.notFound('Contact'),
      }),
    );
  }

  private async assertAccount(manager: EntityManager, tenantId: string, accountId: string | null | undefined): Promise<void> {
    if (accountId && !(await this.accounts.exists(manager, tenantId, accountId))) {
      throw CrmError.unknownReference('accountId', 'an account');
    }
  }
}

async function guardUnique<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // externalId or e-mail: both unique per tenant only (catalog T46), so this reveals nothing of others.
    if (isUniqueViolation(error)) throw CrmError.duplicate(violatedConstraint(error) === 'contacts_email' ? 'email' : 'externalId');
    throw error;
  }
}
