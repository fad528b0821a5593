import { metricsResponse } from '@/server/ops/metrics-route';

// Prometheus text format for operators, behind RELAYDESK_METRICS_TOKEN; 404 when the variable is unset.
export const dynamic = 'force-dynamic';
export const GET = metricsResponse;
