#!/usr/bin/env node
// The `sessionkit` bin: the command in src/cli/ on this process's arguments and streams.
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: async () => {
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
  now: () => Date.now(),
});
