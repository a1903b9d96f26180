import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A named test on a stack frame: time with a matching frame anywhere on the stack counts as inclusive time. */
export interface Marker {
  label: string;
  matches(frame: ProfileNode['callFrame']): boolean;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Self time per npm package / project file / runtime bucket. */
  byBucket: [string, number][];
  /** Self time per function. */
  byFunction: [string, number][];
  /** Time with a frame of the named package (or matching the marker) anywhere on the stack. */
  inclusive: [string, number][];
}

function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const project = /\/dist\/(.+?)\.js$/.exec(url);
  return project ? `app:${project[1]}` : url;
}

/**
 * Reads a V8 `.cpuprofile` and totals where the time went, counting only samples inside `window`
 * (monotonic µs) when given — so that start-up does not drown the steady state.
 */
export async function summarizeProfile(file: string, inclusiveOf: (string | Marker)[], window?: [number, number]): Promise<ProfileSummary> {
  const markers = inclusiveOf.map((wanted): Marker =>
    typeof wanted === 'string'
      ? { label: wanted, matches: (frame) => bucketOf(frame.url, frame.functionName).startsWith(wanted) }
      : wanted,
  );
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) return;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    total += micros;
    if (functionName === '(idle)') idle += micros;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + micros);
    const label = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}` : ''}`;
    functions.set(label, (functions.get(label) ?? 0) + micros);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)!.callFrame;
      for (const marker of markers) {
        if (!seen.has(marker.label) && marker.matches(frame)) {
          seen.add(marker.label);
          inclusive.set(marker.label, (inclusive.get(marker.label) ?? 0) + micros);
        }
      }
    }
  }
  const ms = (entries: Map<string, number>) => [...entries].map(([key, micros]) => [key, micros / 1000] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, idleMs: idle / 1000, byBucket: ms(buckets), byFunction: ms(functions), inclusive: ms(inclusive) };
}
