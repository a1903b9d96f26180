import { describe, expect, it } from 'vitest';
import { luaString, parseWrk } from './load.js';

// wrk 4.1's summary with --latency, as this machine's Debian package prints it.
const SUMMARY = `Running 5s test @ http://127.0.0.1:40123/mcp
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    18.41ms   25.10ms 203.62ms   95.01%
    Req/Sec     2.84k   312.55     3.20k    84.00%
  Latency Distribution
     50%   17.50ms
     75%   19.02ms
     90%   21.77ms
     99%  168.70ms
  14135 requests in 5.00s, 146.62MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   2826.87
Transfer/sec:     29.32MB
0m0.004s 0m0.000s
0m0.112s 0m0.121s
`;

describe('the wrk runner of the benches', () => {
  it('when wrk prints its summary, then requests/s, p50, p99, requests and failures (non-2xx + socket errors) are read from it', () => {
    expect(parseWrk(SUMMARY)).toEqual({ requestsPerSecond: 2826.87, p50Ms: 17.5, p99Ms: 168.7, requests: 14135, failures: 6 });
  });

  it('when latencies are in µs or s, then they are converted to ms', () => {
    const output = SUMMARY.replace('17.50ms', '950.00us').replace('168.70ms', '1.20s');
    expect(parseWrk(output)).toMatchObject({ p50Ms: 0.95, p99Ms: 1200 });
  });

  it('when the summary is not there (wrk failed), then it says so instead of reporting NaN', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/could not read wrk's output/);
  });

  it('when a header value holds Lua brackets or quotes, then the Lua string still holds it verbatim', () => {
    expect(luaString('Bearer abc')).toBe('[[Bearer abc]]');
    expect(luaString('{"a":"]]"}')).toBe('[=[{"a":"]]"}]=]');
    expect(luaString('x]]y]=]z')).toBe('[==[x]]y]=]z]==]');
  });
});
