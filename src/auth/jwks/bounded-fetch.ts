/**
 * Fetches JSON with a hard total deadline (not an inactivity timeout: a slow-drip server cannot
 * hold us), a response-size cap, and no redirects (a key set is never fetched from elsewhere).
 */
export async function fetchJsonBounded(url: string, options: { deadlineMs: number; maxBytes: number }): Promise<unknown> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(options.deadlineMs),
    redirect: 'error',
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) throw new Error(`GET ${url}: body of ${declared} bytes exceeds ${options.maxBytes}`);
  const reader = response.body?.getReader();
  if (!reader) throw new Error(`GET ${url}: no body`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > options.maxBytes) {
      await reader.cancel();
      throw new Error(`GET ${url}: body exceeds ${options.maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
