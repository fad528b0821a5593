// Liveness for load balancers, and the "trivial route" the audit benchmark compares against.
export function GET(): Response {
  return Response.json({ ok: true });
}
