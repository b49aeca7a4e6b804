/**
 * Preloaded into the benchmarked service with BENCH_SERVICE_PROBE=1 (README, "Benchmark"), so the
 * service's own code stays as in production: every second the service was busy it prints, on its
 * stderr, how much of that second its main thread ran (event-loop utilisation), the process's CPU
 * (100% is one core), the event-loop delay (how long a ready callback waited: a request's queueing
 * in the service) and the garbage collector's pauses. It shows where a request's tail comes from:
 * a saturated main thread, long pauses, or time spent waiting outside the process. Worker threads
 * (the serving pool's) inherit the preload and print their own lines.
 */
import {
  type EventLoopUtilization,
  PerformanceObserver,
  monitorEventLoopDelay,
  performance,
} from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gc = { count: 0, ms: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.ms += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

const started = Date.now();
const thread = isMainThread ? 'main thread' : `worker thread ${threadId}`;
let utilisation: EventLoopUtilization = performance.eventLoopUtilization();
let cpu = process.cpuUsage();
const ms = (ns: number) => (ns / 1e6).toFixed(1);

setInterval(() => {
  const now = performance.eventLoopUtilization();
  const busy = performance.eventLoopUtilization(now, utilisation).utilization;
  utilisation = now;
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  if (busy >= 0.05) {
    process.stderr.write(
      `[service ${process.pid} +${Math.round((Date.now() - started) / 1000)}s] ${thread} ${Math.round(busy * 100)}% busy, process CPU ${Math.round((used.user + used.system) / 1e4)}%, event-loop delay p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms, GC ${gc.count} pauses ${gc.ms.toFixed(0)} ms (longest ${gc.maxMs.toFixed(1)} ms)\n`,
    );
  }
  delay.reset();
  gc = { count: 0, ms: 0, maxMs: 0 };
}, 1000).unref();
