// A second process spending probe budgets (tests/integration/probe-budgets.test.ts): its own module
// instance and its own database connection, on the DATABASE_URL the parent hands it. Tries `tries`
// probes for the keys in argv and prints how many were allowed and how many refused, as JSON.
import { takeProbeBudget } from '@/server/probes/rate-limit';
import { AppError } from '@/server/app-error';

const [tries, tam, tenant, destination] = process.argv.slice(2);
let allowed = 0;
let refused = 0;
for (let i = 0; i < Number(tries); i++) {
  try {
    await takeProbeBudget({ tam: `${tam}-${i}`, tenant: `${tenant}-${i}`, destination: destination! });
    allowed += 1;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'RATE_LIMITED') throw error;
    refused += 1;
  }
}
console.log(JSON.stringify({ allowed, refused }));
process.exit(0);
