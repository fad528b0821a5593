import { openApiDocument } from '@/server/http/openapi';

export function GET(): Response {
  return Response.json(openApiDocument());
}
