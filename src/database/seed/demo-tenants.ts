/** What differs between the demo tenants: their size, deal sizes, win rates and catalogue. */
export interface DemoTenantSpec {
  id: string;
  name: string;
  seed: number;
  accounts: number;
  /** Deals closing per month at the start of the three years (before season and noise). */
  closesPerMonth: number;
  /** Yearly growth of that volume (the trend a forecast should find). */
  yearlyGrowth: number;
  /** Median deal size per segment. */
  medianAmount: Record<'enterprise' | 'mid-market' | 'smb', number>;
  /** Base win rate per segment (owners add a small skill effect). */
  winRate: Record<'enterprise' | 'mid-market' | 'smb', number>;
  products: readonly string[];
  currency: string;
}

export const DEMO_TENANTS: readonly DemoTenantSpec[] = [
  {
    id: 'acme',
    name: 'Acme Corp',
    seed: 20_240_101,
    accounts: 420,
    closesPerMonth: 120,
    yearlyGrowth: 0.24,
    medianAmount: { enterprise: 40_000, 'mid-market': 15_000, smb: 6_000 },
    winRate: { enterprise: 0.22, 'mid-market': 0.28, smb: 0.33 },
    products: ['Analytics Cloud', 'Data Pipeline', 'Forecast Pro', 'Support Plus', 'Embedded BI'],
    currency: 'USD',
  },
  {
    id: 'globex',
    name: 'Globex Inc',
    seed: 19_890_607,
    accounts: 300,
    closesPerMonth: 85,
    yearlyGrowth: 0.15,
    medianAmount: { enterprise: 55_000, 'mid-market': 20_000, smb: 8_000 },
    winRate: { enterprise: 0.2, 'mid-market': 0.25, smb: 0.3 },
    products: ['Globex Platform', 'Globex Insights', 'Globex Connect', 'Premium Support'],
    currency: 'USD',
  },
];

export const REGION_WEIGHTS = [['North America', 0.45], ['EMEA', 0.3], ['APAC', 0.15], ['LATAM', 0.1]] as const;
export const SEGMENT_WEIGHTS = [['enterprise', 0.2], ['mid-market', 0.35], ['smb', 0.45]] as const;

/**
 * Relative volume of closes by calendar month: quarter ends pull deals in, Q4 peaks (budgets
 * spent before year end), summer and January are slow.
 */
export const MONTH_SEASONALITY = [0.8, 0.88, 1.08, 0.86, 0.92, 1.07, 0.78, 0.76, 1.03, 1.0, 1.18, 1.62] as const;

export const INDUSTRIES = ['Software', 'Manufacturing', 'Retail', 'Healthcare', 'Financial Services', 'Logistics', 'Energy', 'Education', 'Media', 'Telecom'];
export const TITLES = ['CFO', 'CIO', 'VP Sales', 'Head of Data', 'Procurement Lead', 'Director of Operations', 'CTO', 'Analytics Manager'];
export const FIRST_NAMES = ['Ana', 'Ben', 'Chloe', 'David', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kira', 'Luis', 'Maya', 'Nils', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Yara', 'Zane'];
export const LAST_NAMES = ['Almeida', 'Brandt', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hughes', 'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Walsh'];
const NAME_STARTS = ['Blue', 'Nova', 'Iron', 'Silver', 'North', 'Bright', 'Red', 'Green', 'Summit', 'Vertex', 'Apex', 'Cedar', 'Delta', 'Echo', 'Falcon', 'Granite', 'Harbor', 'Ion', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Sterling', 'Titan', 'Union', 'Vista'];
const NAME_ENDS = ['Systems', 'Foods', 'Logistics', 'Health', 'Labs', 'Motors', 'Energy', 'Retail', 'Partners', 'Works', 'Bank', 'Media', 'Networks', 'Materials', 'Analytics'];
export const COMPANY_SUFFIXES = ['Inc', 'GmbH', 'Ltd', 'SA', 'Group', 'Co', 'AG', 'Pty'];

/** Company names: all start × end pairs in a fixed order, so a name is unique within a tenant. */
export const COMPANY_STEMS = NAME_STARTS.flatMap((start) => NAME_ENDS.map((end) => `${start} ${end}`));

/** A dozen owners, each working one region (so owner and region analyses agree). */
export const OWNERS: readonly { name: string; region: string }[] = [
  { name: 'alice.morgan', region: 'North America' }, { name: 'brian.cho', region: 'North America' },
  { name: 'carla.reyes', region: 'North America' }, { name: 'dan.walker', region: 'North America' },
  { name: 'eva.lindqvist', region: 'EMEA' }, { name: 'felix.bauer', region: 'EMEA' }, { name: 'gina.rossi', region: 'EMEA' },
  { name: 'hana.sato', region: 'APAC' }, { name: 'ivan.petrov', region: 'APAC' },
  { name: 'julia.souza', region: 'LATAM' }, { name: 'karl.jensen', region: 'EMEA' }, { name: 'lena.ortiz', region: 'LATAM' },
];
