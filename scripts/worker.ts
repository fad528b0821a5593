// The notification worker process: `node --conditions=react-server --import tsx scripts/worker.ts`.
// npm start runs one; on PostgreSQL any number may run, on any number of machines. SIGTERM/SIGINT stop
// it within 10 s: no more claims, unstarted rows given back at once, sends in flight get PIPELINE_DRAIN_MS
// (6 s) to finish and are given back after that, pools say QUIT, database connections close. SIGKILL loses
// nothing either: its leases run out and another worker (or this one, restarted) sends the rows again.
import 'dotenv/config';
import { loadDemoSecretsIfPresent } from './demo-secrets';

loadDemoSecretsIfPresent();
const { PipelineWorker, workerOptionsFromEnv } = await import('@/server/pipeline/worker');
const { logInfo, logError } = await import('@/server/log');
const { db } = await import('@/server/db');

/** Whatever happens while draining, the process is gone before a supervisor's 10 s run out. */
const HARD_EXIT_MS = 9_500;

// Everything is loaded and the signal handlers are in place before the first claim: a SIGTERM that comes
// while the first rows are held must drain them, not kill the process.
const { runDueHealthChecks } = await import('@/server/health/run-health-checks');
const worker = new PipelineWorker(workerOptionsFromEnv());

// The daily health check of every active configuration (issue 15): each worker asks every minute; only
// the one holding the lease checks the tenants that are due.
let healthRunning = false;
const healthTimer = setInterval(() => {
  if (healthRunning) return;
  healthRunning = true;
  runDueHealthChecks({ holder: worker.id })
    .catch((error: unknown) => logError('health checks failed', error))
    .finally(() => (healthRunning = false));
}, 60_000);
healthTimer.unref();

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logInfo(`notification worker stopping (${signal})`);
  clearInterval(healthTimer);
  setTimeout(() => {
    logError('notification worker did not drain in time; exiting');
    process.exit(1);
  }, HARD_EXIT_MS).unref();
  try {
    await worker.stop();
    await db.$disconnect();
    process.exit(0);
  } catch (error) {
    logError('notification worker did not stop cleanly', error);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

worker.start();
logInfo(`notification worker ${worker.id} started`);
