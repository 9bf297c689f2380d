export declare const debianChromium: string;
/** CHROMIUM_PATH, Debian's /usr/bin/chromium, or Playwright's own download; undefined if none. */
export declare function findChromium(): Promise<string | undefined>;
/** The exact command that gets a browser on this machine. */
export declare function howToInstall(): string;
