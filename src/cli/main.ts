// The `sessionkit` command: `secret` and `open`. `src/cli.ts` runs it with the process's
// arguments, environment and streams; tests run the built file.
import { randomSecret } from '../crypto/keys.ts';
import type { CliIo } from './io.ts';
import { openCommand } from './open.ts';

export type { CliIo } from './io.ts';

/** What `sessionkit --help` (or a wrong command) prints. */
export const usage = `usage: sessionkit <command>

  secret                 print a fresh random secret (32 bytes from the OS CSPRNG,
                         base64url) for COOKIE_SECRET
  open [--json] <value>  open a session cookie, for debugging: its data, created and
                         last-active times, when it expires and which secret opened it,
                         or why it does not open. The secrets come from the environment,
                         as the application reads them: COOKIE_SECRET,
                         COOKIE_SECRET_PREVIOUS, SESSION_AUDIENCE, COOKIE_NAME,
                         SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT, and for Kit's
                         format SESSION_STORE=ring or RING_COOKIE_SECRET. <value> is the
                         cookie's value or name=value; - reads it from standard input
                         (keeps it out of the shell's history). Exit status: 0 when a
                         request would read the session, 1 when not, 2 on a usage or
                         configuration error.`;

/** Runs the command named by `args[0]`; resolves to the exit status. */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'secret':
      io.stdout(`${randomSecret()}\n`);
      return 0;
    case 'open':
      return openCommand(rest, io);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stderr(`${usage}\n`);
      return 0;
    default:
      io.stderr(`${usage}\n`);
      return 2;
  }
}
