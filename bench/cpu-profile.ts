import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that the summary reads. */
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

/** Monotonic microseconds (`process.hrtime`, the clock V8 stamps samples with, shared by processes). */
export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

export interface Marker {
  label: string;
  matches(frame: ProfileNode['callFrame']): boolean;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time per package / project file / runtime bucket, descending. */
  byBucket: [string, number][];
  /** Self time per function (`name (file)`), descending. */
  byFunction: [string, number][];
  /** Time with a marker anywhere on the stack (inclusive), per marker. */
  inclusive: [string, number][];
}

/** Where a frame's code lives: an npm package, a project file, Node's own code, or the runtime. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node:internal';
  const project = /\/(src|bench|test)\/(.+?)\.js$/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
}

/** Summarizes the samples taken between `fromUs` and `toUs` (so start-up and shutdown are left out). */
export async function summarizeProfile(file: string, markers: Marker[], window = { fromUs: 0, toUs: Infinity }): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= window.fromUs && at <= window.toUs) self.set(id, (self.get(id) ?? 0) + delta / 1000);
  });

  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>(markers.map((marker) => [marker.label, 0]));
  let totalMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    add(byBucket, bucketOf(frame.url, frame.functionName), ms);
    add(byFunction, `${frame.functionName || '(anonymous)'} (${bucketOf(frame.url, frame.functionName)})`, ms);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const callFrame = byId.get(current)!.callFrame;
      for (const marker of markers) if (!seen.has(marker.label) && marker.matches(callFrame)) seen.add(marker.label);
    }
    for (const label of seen) add(inclusive, label, ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, byBucket: sorted(byBucket), byFunction: sorted(byFunction), inclusive: sorted(inclusive) };
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}
