// The notification worker process: `node --conditions=react-server --import tsx scripts/worker.ts`.
// npm start runs one; on PostgreSQL any number may run, on any number of machines. SIGTERM/SIGINT stop
// it gracefully (unstarted rows are given back, sends in flight finish); SIGKILL loses nothing either:
// its leases run out and another worker (or this one, restarted) sends the rows again.
import 'dotenv/config';
import { loadDemoSecretsIfPresent } from './demo-secrets';

loadDemoSecretsIfPresent();
const { PipelineWorker, workerOptionsFromEnv } = await import('@/server/pipeline/worker');
const { logInfo, logError } = await import('@/server/log');

const worker = new PipelineWorker(workerOptionsFromEnv());
worker.start();
logInfo(`notification worker ${worker.id} started`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logInfo(`notification worker stopping (${signal})`);
  try {
    await worker.stop();
    process.exit(0);
  } catch (error) {
    logError('notification worker did not stop cleanly', error);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
