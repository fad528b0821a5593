// How the demo SMTP sandbox behaves; shared by the server and the console's mode switch.
export const SANDBOX_MODES = ['normal', 'reject-auth', 'basic-auth-off', 'refuse-sender', 'hang'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export function isSandboxMode(value: unknown): value is SandboxMode {
  return typeof value === 'string' && (SANDBOX_MODES as readonly string[]).includes(value);
}

/** The demo login of the sandbox; its password is generated into the data folder (demo-secrets.json). */
export const SANDBOX_USERNAME = 'relaydesk-demo';
export const DEFAULT_SANDBOX_PORT = 2525;
