import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The page's browser modules (browser/*.js), served beside the page. They are plain files of the package (the
// build copies them into dist/ as they are), read once on first request and kept: a few small files, and no
// path from a request ever reaches the file system (only names found in the directory are served).

const DIRECTORY = join(__dirname, 'browser');
let modules: ReadonlyMap<string, Buffer> | undefined;

/** The module named `file` (e.g. `dashboard.js`), or undefined when the page has no such module. */
export function dashboardModule(file: string): Buffer | undefined {
  modules ??= new Map(
    readdirSync(DIRECTORY)
      .filter((name) => name.endsWith('.js'))
      .map((name) => [name, readFileSync(join(DIRECTORY, name))]),
  );
  return modules.get(file);
}
