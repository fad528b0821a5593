// A private Postfix (with Dovecot SASL) on loopback high ports, configured the way mail admins
// configure it, for the diagnosis table (issue 10). Needs root and Debian's postfix and dovecot-core;
// postfixAvailable() says why not otherwise, and the tests skip.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { KeyCert } from './smtp-certs';

/** Each listener is one smtpd with -o overrides of main.cf; the key names it in the tests. */
export type Listeners = Record<string, string[]>;

export type PostfixInstance = { ports: Record<string, number>; log: () => string; stop: () => void };

export const POSTFIX_USER = { username: 'probe-user@corp.relaydesk.test', password: 'S3cret-Pa55word!' };

export function postfixAvailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (Postfix drops privileges itself)';
  for (const binary of ['/usr/sbin/postfix', '/usr/sbin/dovecot']) if (!existsSync(binary)) return `${binary} is not installed (apt-get install postfix dovecot-core)`;
  return null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The daemons inherit our stdio: with pipes there, spawnSync would wait for them to exit. Postfix
// reports its errors to the maillog (a tty only otherwise), which the error below includes.
function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

const SERVICES = `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;

export async function startPostfix(listeners: Listeners, certs: Record<string, KeyCert>): Promise<PostfixInstance> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-postfix-'));
  chmodSync(dir, 0o755);
  const conf = path.join(dir, 'conf');
  const queue = path.join(dir, 'queue');
  const data = path.join(dir, 'data');
  const run_ = path.join(dir, 'dovecot');
  for (const d of [conf, queue, data, run_]) mkdirSync(d, { recursive: true, mode: 0o755 });
  const postfixUid = Number(spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8', timeout: 5_000 }).stdout.trim());
  chownSync(data, postfixUid, 0);
  for (const [name, { key, cert }] of Object.entries(certs)) {
    writeFileSync(path.join(conf, `${name}.key`), key, { mode: 0o600 });
    writeFileSync(path.join(conf, `${name}.pem`), cert);
  }
  const ports: Record<string, number> = {};
  for (const name of Object.keys(listeners)) ports[name] = await freePort();

  writeFileSync(
    path.join(conf, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${data}
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
myhostname = postfix.relaydesk.test
# Loopback is not a trusted network here: Relaydesk reaches the customer's server from outside.
mynetworks = 192.0.2.0/24
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination = corp.relaydesk.test, customer.relaydesk.test
local_recipient_maps =
alias_maps =
alias_database =
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = ${conf}/valid.pem
smtpd_tls_key_file = ${conf}/valid.key
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sender_login_maps = inline:{ noreply@corp.relaydesk.test=owner@corp.relaydesk.test, ${POSTFIX_USER.username}=${POSTFIX_USER.username} }
`,
  );
  const inet = Object.entries(listeners)
    .map(([name, options]) => `127.0.0.1:${ports[name]} inet n - n - - smtpd ${options.map((o) => `-o ${o.replaceAll('$conf', conf)}`).join(' ')}`)
    .join('\n');
  writeFileSync(path.join(conf, 'master.cf'), `${inet}\n${SERVICES}`);
  writeFileSync(path.join(conf, 'users'), `${POSTFIX_USER.username}:{PLAIN}${POSTFIX_USER.password}\n`);
  writeFileSync(
    path.join(conf, 'dovecot.conf'),
    `base_dir = ${run_}
protocols =
ssl = no
log_path = ${dir}/dovecot.log
auth_mechanisms = plain login
disable_plaintext_auth = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${conf}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener ${queue}/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service anvil {
  chroot =
}
`,
  );
  const log = () =>
    [`${dir}/maillog`, `${dir}/dovecot.log`]
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
  let postfixStarted = false;
  const stop = () => {
    if (postfixStarted) spawnSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore', timeout: 30_000 });
    const pidFile = path.join(run_, 'master.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid > 0 && signal(pid, 'SIGTERM')) {
      // Dovecot's master stops its children before it exits; its files must stay until then.
      const until = Date.now() + 10_000;
      while (Date.now() < until && signal(pid, 0)) spawnSync('sleep', ['0.1']);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('postfix', ['-c', conf, 'start']);
    postfixStarted = true;
    run('dovecot', ['-c', path.join(conf, 'dovecot.conf')]);
    await waitFor(async () => (await Promise.all(Object.values(ports).map(canConnect))).every(Boolean) && existsSync(path.join(queue, 'private', 'auth')));
  } catch (error) {
    const logged = log();
    stop();
    throw new Error(`${(error as Error).message}\n${logged}`);
  }
  return { ports, log, stop };
}

/** Sends a signal (0: only asks whether the process lives); false when there is no such process. */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Postfix or Dovecot did not come up');
}
