// Asks for a streamed application/x-ndjson answer (server/http/progress-response.ts) and yields one message
// per line as the lines arrive. A refusal before the stream (401, 403, 429…) throws its problem's detail.
export async function* fetchNdjson<T>(url: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): AsyncGenerator<T> {
  const response = await fetch(url, { ...init, headers: { ...init.headers, accept: 'application/x-ndjson' } });
  if (!response.ok || !response.body) {
    const problem = (await response.json().catch(() => null)) as { detail?: string } | null;
    throw new Error(problem?.detail ?? response.statusText);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line) yield JSON.parse(line) as T;
  }
  if (buffer.trim()) yield JSON.parse(buffer) as T;
}
