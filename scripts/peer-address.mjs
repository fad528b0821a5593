// Preloaded into the web process (`node --import ./scripts/peer-address.mjs …next start`): every request
// carries its socket's address in x-relaydesk-peer, replacing whatever a client sent under that name, so
// the app can tell a trusted proxy's X-Forwarded-For from one a client made up (server/core/request-meta.ts).
// Next.js itself only fills X-Forwarded-For from the socket when the client did not send one.
import http from 'node:http';
import https from 'node:https';

for (const Server of [http.Server, https.Server]) {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function emitWithPeer(event, ...args) {
    if (event === 'request' && args[0]?.headers) args[0].headers['x-relaydesk-peer'] = args[0].socket?.remoteAddress ?? '';
    return emit.call(this, event, ...args);
  };
}
