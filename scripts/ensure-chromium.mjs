// The browser tests need Chromium (see scripts/chromium.mjs for where they look). When none is
// found and this is root on a Debian-like machine, installs Debian's package with apt-get;
// otherwise stops with the exact command that installs one.
import { spawnSync } from 'node:child_process';
import { findChromium, howToInstall } from './chromium.mjs';

let found;
try {
  found = await findChromium();
} catch (error) {
  console.error(`${error.message}: ${howToInstall()}`);
  process.exit(1);
}
if (found === undefined) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!root || !apt) {
    console.error(
      `The browser tests need Chromium and none was found. Install it: ${howToInstall()}`,
    );
    process.exit(1);
  }
  console.log('Installing Chromium for the browser tests (apt-get install chromium)…');
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
