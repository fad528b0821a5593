// oidc-provider 8 ships no types (and @types/oidc-provider is not installed): the little the test IdP uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Context = {
    path: string;
    status: number;
    body: unknown;
    get(header: string): string;
    oidc?: unknown;
  };
  type Client = { clientId: string };

  export default class Provider {
    constructor(
      issuer: string,
      configuration: Record<string, unknown> & {
        features?: {
          resourceIndicators?: {
            enabled: boolean;
            defaultResource?: (ctx: Context, client: Client) => string | Promise<string>;
            useGrantedResource?: () => boolean;
            getResourceServerInfo?: (ctx: Context, resource: string, client: Client) => Record<string, unknown>;
          };
          [feature: string]: unknown;
        };
      },
    );
    use(middleware: (ctx: Context, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
