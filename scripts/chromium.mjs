// Where the browser tests find Chromium, in this order: CHROMIUM_PATH, Debian's package
// (/usr/bin/chromium), then a browser that Playwright downloaded itself
// (`npx playwright install chromium`). Returns undefined when there is none.
import { existsSync } from 'node:fs';

export const debianChromium = '/usr/bin/chromium';

export async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  if (existsSync(debianChromium)) return debianChromium;
  try {
    const { chromium } = await import('playwright-core');
    const downloaded = chromium.executablePath();
    if (downloaded !== '' && existsSync(downloaded)) return downloaded;
  } catch {
    // playwright-core knows no browser of its own here
  }
  return undefined;
}

/** The exact command that gets a browser on this machine. */
export function howToInstall() {
  const debian = existsSync('/etc/debian_version');
  return debian
    ? 'sudo apt-get install chromium (or set CHROMIUM_PATH to a Chromium or Chrome binary)'
    : 'npx playwright install chromium (or set CHROMIUM_PATH to a Chromium or Chrome binary)';
}
