import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The third-party Maven CRM export (see shared/data/SOURCES.md). CI lays `shared/` beside the
 * clone; a developer's checkout has it at /work/shared. MAVEN_DIR overrides both.
 */
export function mavenDataDir(): string {
  const candidates = [
    process.env.MAVEN_DIR,
    resolve('../shared/data/maven-crm-sales-opportunities'),
    '/work/shared/data/maven-crm-sales-opportunities',
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(resolve(dir, 'sales_pipeline.csv')));
  if (!found) throw new Error(`Maven dataset not found; looked in ${candidates.join(', ')}`);
  return found;
}
