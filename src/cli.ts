#!/usr/bin/env node
import { randomSecret } from './crypto/keys.ts';

const usage = `usage: sessionkit secret

  secret   print a fresh random secret (32 bytes from the OS CSPRNG, base64url)
           for COOKIE_SECRET`;

const [command] = process.argv.slice(2);
if (command === 'secret') {
  process.stdout.write(`${randomSecret()}\n`);
} else {
  process.stderr.write(`${usage}\n`);
  process.exitCode = command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}
