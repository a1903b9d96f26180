import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, type Page, toPage } from '../../common/pagination/pagination.js';
import { TenantDb } from '../../database/tenant-db.js';
import { CrmError } from '../crm.errors.js';
import type { UpdateOptions, WriteOptions } from '../shared/write-options.js';
import { isUniqueViolation, iso } from '../shared/sql.js';
import { expectedVersion, updateVersioned } from '../shared/versioning.js';
import { AccountsRepository, type AccountRow } from './accounts.repository.js';
import type { Account, AccountListQuery, CreateAccountInput, UpdateAccountInput } from './accounts.schemas.js';

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    domain: row.domain,
    industry: row.industry,
    segment: row.segment,
    region: row.region,
    owner: row.owner,
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** Accounts use cases, shared by REST, MCP (`crm_search_accounts`, `crm_get_account`) and the RPC route. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly accounts: AccountsRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  search(principal: Principal, query: AccountListQuery): Promise<Page<Account>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor);
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      const rows = await this.accounts.list(manager, principal.tenantId, { ...query, after, limit });
      return toPage(rows, limit, toAccount);
    });
  }

  get(principal: Principal, id: string): Promise<Account> {
    return this.tenantDb.run(principal.tenantId, async (manager) => {
      const row = await this.accounts.findById(manager, principal.tenantId, id);
      if (!row) throw CrmError.notFound('Account');
      return toAccount(row);
    });
  }

  create(principal: Principal, input: CreateAccountInput, options: WriteOptions = {}): Promise<Account> {
    const request = { key: options.idempotencyKey, operation: 'crm.accounts.create', request: input };
    return this.idempotency.run(principal, request, async (manager) => {
      try {
        return toAccount(await this.accounts.insert(manager, principal.tenantId, input));
      } catch (error) {
        if (isUniqueViolation(error)) throw CrmError.duplicate('externalId');
        throw error;
      }
    });
  }

  update(principal: Principal, id: string, input: UpdateAccountInput, options: UpdateOptions = {}): Promise<Account> {
    const { version, ...values } = input;
    const expected = expectedVersion(version, options.ifMatch);
    const tenantId = principal.tenantId;
    return this.tenantDb.write(tenantId, (manager) =>
      updateVersioned({
        expected,
        currentVersion: (lock) => this.accounts.currentVersion(manager, tenantId, id, lock),
        write: async (current) => {
          try {
            const row = await this.accounts.update(manager, tenantId, id, values, current);
            return row && toAccount(row);
          } catch (error) {
            if (isUniqueViolation(error)) throw CrmError.duplicate('externalId');
            throw error;
          }
        },
        notFound: () => CrmError.notFound('Account'),
      }),
    );
  }
}
