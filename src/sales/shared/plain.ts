/** The record without its undefined members (echoed filters stay readable in JSON). */
export function stripUndefined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Rounded to 4 decimals (rates and shares). */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
