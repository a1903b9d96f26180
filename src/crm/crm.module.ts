import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AccountsService } from './accounts/accounts.service.js';
import { ActivitiesRepository } from './activities/activities.repository.js';
import { ActivitiesService } from './activities/activities.service.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { ContactsRepository } from './contacts/contacts.repository.js';
import { ContactsService } from './contacts/contacts.service.js';
import { ImportController } from './import/import.controller.js';
import { ImportRepository } from './import/import.repository.js';
import { ImportService } from './import/import.service.js';
import { OpportunitiesController } from './opportunities/opportunities.controller.js';
import { OpportunitiesRepository } from './opportunities/opportunities.repository.js';
import { OpportunitiesService } from './opportunities/opportunities.service.js';
import { CrmEventPublisher } from './opportunities/opportunity-changes.js';
import { CrmTools } from './crm.tools.js';
import { StageHistoryRepository } from './opportunities/stage-history.repository.js';

/**
 * Accounts, contacts, opportunities, activities and bulk import. Other modules use the exported
 * services (the MCP tools and the RPC route call the same methods as the controllers) or listen
 * to the events of crm.events.ts.
 */
@Module({
  imports: [IdempotencyModule],
  controllers: [AccountsController, ContactsController, OpportunitiesController, ImportController],
  providers: [
    AccountsRepository,
    AccountsService,
    ContactsRepository,
    ContactsService,
    OpportunitiesRepository,
    OpportunitiesService,
    StageHistoryRepository,
    CrmEventPublisher,
    ActivitiesRepository,
    ActivitiesService,
    ImportRepository,
    ImportService,
    // The MCP tools (and their RPC twins) over the same services; the MCP module discovers them.
    CrmTools,
  ],
  exports: [AccountsService, ContactsService, OpportunitiesService, ActivitiesService, ImportService],
})
export class CrmModule {}
