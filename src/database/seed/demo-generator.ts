import { DEFAULT_FORECAST_CATEGORY, DEFAULT_PROBABILITY } from '../../crm/opportunities/stage-rules.js';
import type { ActivityType, Segment, Stage } from '../../crm/shared/crm.schemas.js';
import { Prng } from './prng.js';
import {
  COMPANY_STEMS, COMPANY_SUFFIXES, FIRST_NAMES, INDUSTRIES, LAST_NAMES, MONTH_SEASONALITY, OWNERS, REGION_WEIGHTS,
  SEGMENT_WEIGHTS, TITLES, type DemoTenantSpec,
} from './demo-tenants.js';

export interface DemoAccount { id: string; externalId: string; name: string; domain: string; industry: string; segment: Segment; region: string; owner: string; createdAt: Date }
export interface DemoContact { id: string; accountId: string; name: string; email: string; title: string; createdAt: Date }
export interface DemoOpportunity {
  id: string; externalId: string; accountId: string; name: string; amount: number; currency: string; stage: Stage; probability: number;
  forecastCategory: string; closeDate: string; owner: string; product: string; createdAt: Date; updatedAt: Date; closedAt: Date | null; version: number;
}
export interface DemoHistory {
  opportunityId: string; changedAt: Date; changedBy: string; fromStage: Stage | null; toStage: Stage; fromAmount: number | null; amount: number;
  fromCloseDate: string | null; closeDate: string; probability: number; forecastCategory: string;
}
export interface DemoActivity { id: string; accountId: string; opportunityId: string; type: ActivityType; subject: string; occurredAt: Date; createdBy: string }
export interface DemoData { accounts: DemoAccount[]; contacts: DemoContact[]; opportunities: DemoOpportunity[]; history: DemoHistory[]; activities: DemoActivity[] }

const DAY = 86_400_000;
const OPEN_PATH: Stage[] = ['prospecting', 'qualification', 'proposal', 'negotiation'];
// When in a deal's cycle each next stage is reached (fractions of created → close).
const STAGE_AT: Record<string, [number, number]> = { qualification: [0.1, 0.25], proposal: [0.3, 0.5], negotiation: [0.55, 0.8] };
const CYCLE_DAYS: Record<Segment, number> = { enterprise: 105, 'mid-market': 58, smb: 26 };
const LOST_AT = [['prospecting', 0.3], ['qualification', 0.3], ['proposal', 0.22], ['negotiation', 0.18]] as const;
const ACTIVITY_SUBJECTS: Record<ActivityType, string[]> = {
  call: ['Discovery call', 'Pricing call', 'Check-in call', 'Champion call'],
  email: ['Sent proposal', 'Follow-up e-mail', 'Shared case study', 'Contract redlines'],
  meeting: ['Product demo', 'Executive briefing', 'Technical deep dive', 'Negotiation meeting'],
  note: ['Budget confirmed', 'Competitor in play', 'Procurement process started', 'Decision postponed'],
};

const utcDay = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/**
 * Three years of believable CRM data for one tenant, up to `today`, from a fixed seed: the same
 * spec and day always give the same rows. Monthly closed-won revenue carries a trend (yearly
 * growth), calendar seasonality with a Q4 peak and noise; win rates sit around 20–35 %; about a
 * third of deals slip their close date; every deal has a full stage history and some activities.
 */
export function generateDemoData(spec: DemoTenantSpec, today: Date): DemoData {
  const rng = new Prng(spec.seed);
  const now = today.getTime();
  const todayStart = utcDay(today);
  const windowStart = Date.UTC(today.getUTCFullYear() - 3, today.getUTCMonth(), 1);
  const data: DemoData = { accounts: makeAccounts(rng, spec, windowStart), contacts: [], opportunities: [], history: [], activities: [] };
  data.contacts = makeContacts(rng, data.accounts);
  const skill = new Map(OWNERS.map((owner) => [owner.name, rng.between(-0.05, 0.05)]));
  let sequence = 0;
  for (let k = 0; k < 42; k++) {
    const monthStart = Date.UTC(new Date(windowStart).getUTCFullYear(), new Date(windowStart).getUTCMonth() + k, 1);
    const month = new Date(monthStart).getUTCMonth();
    const expected = spec.closesPerMonth * (1 + spec.yearlyGrowth) ** (k / 12) * MONTH_SEASONALITY[month]! * Math.exp(rng.normal(0, 0.07));
    // Low-variance sampling (counts rounded, wins by systematic sampling): the monthly noise is the
    // deliberate 7 % above plus deal sizes, not Poisson/Bernoulli scatter that would drown the signal.
    const count = Math.round(expected);
    let winMass = rng.next();
    for (let i = 0; i < count; i++) {
      const deal = planDeal(rng, spec, data.accounts, skill, monthStart, windowStart);
      const before = Math.floor(winMass);
      winMass += deal.winProbability;
      deal.won = Math.floor(winMass) > before;
      if (deal.created > now) continue; // not created yet: a future deal does not exist today
      sequence++;
      emitDeal(rng, spec, data, deal, sequence, now, todayStart);
    }
  }
  return data;
}

function makeAccounts(rng: Prng, spec: DemoTenantSpec, windowStart: number): DemoAccount[] {
  const stems = [...COMPANY_STEMS].sort(() => rng.next() - 0.5).slice(0, spec.accounts);
  return stems.map((stem, index) => {
    const region = rng.weighted(REGION_WEIGHTS);
    const owners = OWNERS.filter((owner) => owner.region === region);
    return {
      id: rng.uuid(),
      externalId: `${spec.id.toUpperCase()}-ACC-${String(index + 1).padStart(5, '0')}`,
      name: `${stem} ${rng.pick(COMPANY_SUFFIXES)}`,
      domain: `${stem.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
      industry: rng.pick(INDUSTRIES),
      segment: rng.weighted(SEGMENT_WEIGHTS),
      region,
      owner: rng.pick(owners).name,
      createdAt: new Date(windowStart - rng.int(0, 400) * DAY + rng.int(8, 18) * 3_600_000),
    };
  });
}

function makeContacts(rng: Prng, accounts: DemoAccount[]): DemoContact[] {
  return accounts.flatMap((account) =>
    Array.from({ length: rng.int(1, 4) }, (_, index) => {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      return {
        id: rng.uuid(),
        accountId: account.id,
        name: `${first} ${last}`,
        email: `${first}.${last}.${index}@${account.domain}`.toLowerCase().replace('ü', 'ue'),
        title: rng.pick(TITLES),
        createdAt: new Date(account.createdAt.getTime() + rng.int(1, 200) * DAY),
      };
    }),
  );
}

interface DealPlan {
  account: DemoAccount; owner: string; product: string; created: number; finalClose: number; winProbability: number; won: boolean; lostAt: Stage;
  amount: number; initialAmount: number; slipDays: number[];
}

function planDeal(rng: Prng, spec: DemoTenantSpec, accounts: DemoAccount[], skill: Map<string, number>, monthStart: number, windowStart: number): DealPlan {
  const account = rng.pick(accounts);
  const date = new Date(monthStart);
  const dim = daysInMonth(date.getUTCFullYear(), date.getUTCMonth());
  // Deals bunch up at month end, more so at quarter end.
  const pull = date.getUTCMonth() % 3 === 2 ? 5 : 9;
  const day = Math.max(1, dim - Math.floor(-Math.log(1 - rng.next()) * pull) % dim);
  const finalClose = monthStart + (day - 1) * DAY;
  const cycle = Math.min(300, Math.max(7, Math.round(rng.logNormal(CYCLE_DAYS[account.segment], 0.35))));
  let created = finalClose - cycle * DAY + rng.int(8, 17) * 3_600_000;
  if (created < windowStart) created = windowStart + rng.int(0, 20) * DAY + rng.int(8, 17) * 3_600_000;
  if (created >= finalClose) created = Math.max(windowStart, finalClose - 3 * DAY) + 3_600_000;
  const owner = rng.chance(0.75) ? account.owner : rng.pick(OWNERS.filter((o) => o.region === account.region)).name;
  const amount = Math.max(500, Math.round(rng.logNormal(spec.medianAmount[account.segment], 0.4) / 100) * 100);
  const slips = rng.chance(0.4) ? (rng.chance(0.3) ? 2 : 1) : 0;
  return {
    account, owner, created, finalClose, amount,
    product: rng.pick(spec.products),
    winProbability: spec.winRate[account.segment] + skill.get(owner)!,
    won: false,
    lostAt: rng.weighted(LOST_AT),
    initialAmount: rng.chance(0.3) ? Math.round((amount * rng.between(0.8, 1.25)) / 100) * 100 : amount,
    slipDays: Array.from({ length: slips }, () => rng.int(14, 45)),
  };
}

interface DealEvent { at: number; stage?: Stage; amount?: number; closeDate?: string }

interface DealTimeline { id: string; initialClose: number; closeAt: number; closes: boolean; happened: DealEvent[] }

/** When the deal's stage, amount and close date changed, up to now (random draws in a fixed order). */
function scheduleDeal(rng: Prng, plan: DealPlan, now: number, todayStart: number): DealTimeline {
  const id = rng.uuid();
  // Slips end exactly on the final close date; a deal too short to have slipped did not.
  if (plan.finalClose - plan.slipDays.reduce((sum, days) => sum + days, 0) * DAY < plan.created + 2 * DAY) plan.slipDays = [];
  const initialClose = plan.finalClose - plan.slipDays.reduce((sum, days) => sum + days, 0) * DAY;
  const closeAt = plan.finalClose + rng.int(9, 18) * 3_600_000;
  // A few deals that should have closed lately are still open: their date slipped past today.
  const stalled = plan.finalClose <= todayStart && plan.finalClose > todayStart - 60 * DAY && rng.chance(0.06);
  const closes = closeAt <= now && !stalled;
  const path = plan.won ? OPEN_PATH : OPEN_PATH.slice(0, OPEN_PATH.indexOf(plan.lostAt) + 1);
  const span = plan.finalClose - plan.created;
  const events: DealEvent[] = [];
  for (const stage of path.slice(1)) events.push({ at: plan.created + span * rng.between(...STAGE_AT[stage]!), stage });
  if (plan.initialAmount !== plan.amount) events.push({ at: plan.created + span * rng.between(0.3, 0.6), amount: plan.amount });
  let expected = initialClose;
  for (const days of plan.slipDays) {
    const at = Math.max(plan.created + DAY, expected - rng.int(1, 10) * DAY);
    expected += days * DAY;
    events.push({ at, closeDate: isoDate(expected) });
  }
  if (closes) events.push({ at: closeAt, stage: plan.won ? 'closed_won' : 'closed_lost' });
  if (stalled) events.push({ at: plan.finalClose + DAY, closeDate: isoDate(todayStart + rng.int(10, 50) * DAY) });
  const happened = events.filter((event) => event.at <= now && event.at < (closes ? closeAt + 1 : now + 1)).sort((a, b) => a.at - b.at);
  return { id, initialClose, closeAt, closes, happened };
}

/** Replays the timeline into history rows (one at creation, one per change); returns the final state. */
function recordHistory(data: DemoData, plan: DealPlan, timeline: DealTimeline): { stage: Stage; amount: number; closeDate: string } {
  const state = { stage: 'prospecting' as Stage, amount: plan.initialAmount, closeDate: isoDate(timeline.initialClose) };
  const record = (at: number, from: typeof state | null) =>
    data.history.push({
      opportunityId: timeline.id, changedAt: new Date(at), changedBy: plan.owner, fromStage: from?.stage ?? null, toStage: state.stage,
      fromAmount: from?.amount ?? null, amount: state.amount, fromCloseDate: from?.closeDate ?? null, closeDate: state.closeDate,
      probability: DEFAULT_PROBABILITY[state.stage], forecastCategory: DEFAULT_FORECAST_CATEGORY[state.stage],
    });
  record(plan.created, null);
  for (const event of timeline.happened) {
    const before = { ...state };
    if (event.stage) state.stage = event.stage;
    if (event.amount !== undefined) state.amount = event.amount;
    if (event.closeDate) state.closeDate = event.closeDate;
    record(event.at, before);
  }
  return state;
}

function emitDeal(rng: Prng, spec: DemoTenantSpec, data: DemoData, plan: DealPlan, sequence: number, now: number, todayStart: number): void {
  const timeline = scheduleDeal(rng, plan, now, todayStart);
  const { id, happened, closes, closeAt } = timeline;
  const state = recordHistory(data, plan, timeline);
  const lastChange = happened.length ? happened[happened.length - 1]!.at : plan.created;
  data.opportunities.push({
    id, externalId: `${spec.id.toUpperCase()}-OPP-${String(sequence).padStart(6, '0')}`, accountId: plan.account.id,
    name: `${plan.account.name} – ${plan.product}`, amount: state.amount, currency: spec.currency, stage: state.stage,
    probability: DEFAULT_PROBABILITY[state.stage], forecastCategory: DEFAULT_FORECAST_CATEGORY[state.stage], closeDate: state.closeDate,
    owner: plan.owner, product: plan.product, createdAt: new Date(plan.created), updatedAt: new Date(lastChange),
    closedAt: closes ? new Date(closeAt) : null, version: 1 + happened.length,
  });
  const until = closes ? closeAt : now;
  for (let i = rng.int(1, 3); i > 0; i--) {
    const type = rng.weighted([['email', 0.4], ['call', 0.3], ['meeting', 0.2], ['note', 0.1]] as const);
    data.activities.push({
      id: rng.uuid(), accountId: plan.account.id, opportunityId: id, type, subject: rng.pick(ACTIVITY_SUBJECTS[type]),
      occurredAt: new Date(rng.between(plan.created, Math.max(plan.created + 1, until))), createdBy: plan.owner,
    });
  }
}
