import type { ImportEntity, ImportMapping } from './import.schemas.js';

// Column names as the vendors' standard exports print them, with API names as fallbacks.
const HUBSPOT: ImportMapping = {
  columns: {
    externalId: ['Record ID', 'Deal ID', 'hs_object_id'],
    name: ['Deal Name', 'dealname'],
    amount: ['Amount', 'amount'],
    currency: ['Currency', 'deal_currency_code'],
    stage: ['Deal Stage', 'dealstage'],
    forecastCategory: ['Forecast category', 'hs_manual_forecast_category'],
    closeDate: ['Close Date', 'closedate'],
    owner: ['Deal owner', 'Deal Owner', 'hubspot_owner_id'],
    accountName: ['Associated Company', 'Associated Company (Primary)', 'Company name'],
    createdAt: ['Create Date', 'createdate'],
  },
  values: {
    // HubSpot's default sales pipeline, by label and by internal value.
    stage: {
      'Appointment Scheduled': 'prospecting', appointmentscheduled: 'prospecting',
      'Qualified To Buy': 'qualification', qualifiedtobuy: 'qualification',
      'Presentation Scheduled': 'proposal', presentationscheduled: 'proposal',
      'Decision Maker Bought-In': 'proposal', decisionmakerboughtin: 'proposal',
      'Contract Sent': 'negotiation', contractsent: 'negotiation',
      'Closed Won': 'closed_won', closedwon: 'closed_won',
      'Closed Lost': 'closed_lost', closedlost: 'closed_lost',
    },
    forecastCategory: {
      Pipeline: 'pipeline', 'Best case': 'best_case', Commit: 'commit', 'Closed won': 'closed', Omit: 'omitted', 'Not forecasted': 'omitted',
    },
  },
};

const SALESFORCE: ImportMapping = {
  columns: {
    externalId: ['Opportunity ID', 'Opportunity Id', 'Id'],
    name: ['Opportunity Name', 'Name'],
    amount: ['Amount'],
    currency: ['Opportunity Currency', 'CurrencyIsoCode'],
    stage: ['Stage', 'StageName'],
    probability: ['Probability (%)', 'Probability'],
    forecastCategory: ['Forecast Category', 'ForecastCategoryName'],
    closeDate: ['Close Date', 'CloseDate'],
    owner: ['Opportunity Owner', 'Owner Name', 'OwnerId'],
    accountExternalId: ['Account ID', 'AccountId'],
    accountName: ['Account Name'],
    product: ['Product Name', 'Primary Product'],
    createdAt: ['Created Date', 'CreatedDate'],
  },
  values: {
    // Salesforce's default opportunity stages.
    stage: {
      Prospecting: 'prospecting', Qualification: 'qualification', 'Needs Analysis': 'qualification',
      'Value Proposition': 'proposal', 'Id. Decision Makers': 'proposal', 'Perception Analysis': 'proposal',
      'Proposal/Price Quote': 'proposal', 'Negotiation/Review': 'negotiation', 'Closed Won': 'closed_won', 'Closed Lost': 'closed_lost',
    },
    forecastCategory: { Pipeline: 'pipeline', 'Best Case': 'best_case', Commit: 'commit', Closed: 'closed', Omitted: 'omitted' },
  },
  // US-locale report exports print 3/31/2024.
  dateFormat: 'MDY',
};

const PIPEDRIVE: ImportMapping = {
  columns: {
    externalId: ['Deal - ID', 'ID'],
    name: ['Deal - Title', 'Title'],
    amount: ['Deal - Value', 'Value'],
    currency: ['Deal - Currency', 'Currency'],
    stage: ['Deal - Stage', 'Stage'],
    status: ['Deal - Status', 'Status'],
    probability: ['Deal - Probability', 'Probability'],
    closeDate: ['Deal - Expected close date', 'Expected close date'],
    owner: ['Deal - Owner', 'Owner'],
    accountName: ['Deal - Organization', 'Organization'],
    createdAt: ['Deal - Deal created', 'Deal created'],
    closedAt: ['Deal - Deal closed on', 'Deal closed on'],
  },
  values: {
    // Pipedrive's default pipeline; won/lost live in the status, not the stage.
    stage: {
      'Lead In': 'prospecting', Qualified: 'qualification', 'Contact Made': 'qualification', 'Needs Defined': 'qualification',
      'Demo Scheduled': 'proposal', 'Proposal Made': 'proposal', 'Negotiations Started': 'negotiation',
    },
    status: { Won: 'closed_won', Lost: 'closed_lost', Open: 'open' },
  },
};

// Maven Analytics "CRM Sales Opportunities" (sales_pipeline.csv, accounts.csv).
const MAVEN: ImportMapping = {
  columns: {
    externalId: 'opportunity_id',
    owner: 'sales_agent',
    product: 'product',
    accountName: 'account',
    stage: 'deal_stage',
    createdAt: 'engage_date',
    closeDate: 'close_date',
    amount: 'close_value',
  },
  values: { stage: { Won: 'closed_won', Lost: 'closed_lost', Engaging: 'qualification', Prospecting: 'prospecting' } },
};

const MAVEN_ACCOUNTS: ImportMapping = {
  columns: { externalId: 'account', name: 'account', industry: 'sector' },
  values: {},
};

export const PRESETS: Record<string, Partial<Record<ImportEntity, ImportMapping>>> = {
  hubspot: { opportunities: HUBSPOT },
  salesforce: { opportunities: SALESFORCE },
  pipedrive: { opportunities: PIPEDRIVE },
  maven: { opportunities: MAVEN, accounts: MAVEN_ACCOUNTS },
};
