/**
 * Refuses any database whose name lacks "test": the suite creates and deletes tenants freely,
 * and must never be pointed at real data by a mistyped URL.
 */
export function assertTestDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}
