// RELAYDESK_SMTP_URL: smtp://user:pass@host:587 (STARTTLS required), smtps://user:pass@host:465 (TLS from
// the first byte), ?tls=none for a server without TLS (a local relay). Parsed without ever putting the
// password into an error message.
export type OwnMailServer = {
  host: string;
  port: number;
  /** implicit: TLS from the first byte; starttls: required; none: plain (only when asked for). */
  tls: 'implicit' | 'starttls' | 'none';
  username: string | null;
  password: string | null;
};

export function parseOwnMailUrl(value: string): OwnMailServer {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error('RELAYDESK_SMTP_URL is not a URL (smtp://user:password@host:port)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('RELAYDESK_SMTP_URL must start with smtp:// or smtps://');
  if (!url.hostname) throw new Error('RELAYDESK_SMTP_URL has no host');
  const tlsParam = url.searchParams.get('tls');
  if (tlsParam !== null && tlsParam !== 'none') throw new Error('RELAYDESK_SMTP_URL: the only tls option is ?tls=none');
  const implicit = url.protocol === 'smtps:';
  if (implicit && tlsParam === 'none') throw new Error('RELAYDESK_SMTP_URL: smtps:// cannot be combined with ?tls=none');
  const port = url.port ? Number(url.port) : implicit ? 465 : 587;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new Error('RELAYDESK_SMTP_URL: the user or password is not correctly percent-encoded');
    }
  };
  return {
    host,
    port,
    tls: implicit ? 'implicit' : tlsParam === 'none' ? 'none' : 'starttls',
    username: url.username ? decode(url.username) : null,
    password: url.password ? decode(url.password) : null,
  };
}

/** Null when the URL is usable, else why not (never containing the URL itself). */
export function ownMailUrlProblem(value: string): string | null {
  try {
    parseOwnMailUrl(value);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
