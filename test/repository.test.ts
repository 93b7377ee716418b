/**
 * The repository stands alone: a fresh clone has everything its tests, docs and code refer to.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && f !== 'package-lock.json' && existsSync(path.join(ROOT, f)));

describe('the repository stands alone', () => {
  it('no tracked file points at folders outside the clone', () => {
    const outside = new RegExp(
      ['\\.\\./shared', 'shared/(fixtures|reference)', '/work/', 'DESIGN\\.md'].join('|'),
    );
    const hits = tracked.filter((f) => {
      if (f === 'test/repository.test.ts') return false; // the patterns themselves
      if (!/\.(ts|js|mjs|cjs|md|ya?ml|json|sh)$|^\.ci\//.test(f)) return false;
      return outside.test(readFileSync(path.join(ROOT, f), 'utf8'));
    });
    expect(hits).toEqual([]);
  });

  it('every relative link in the README and docs/ resolves', () => {
    const docs = tracked.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
    const broken: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(path.join(ROOT, doc), 'utf8');
      for (const match of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.join(ROOT, path.dirname(doc), target))) broken.push(`${doc} → ${target}`);
      }
    }
    expect(docs.length).toBeGreaterThan(3);
    expect(broken).toEqual([]);
  });

  it('every vendored fixture folder has its SOURCE.md and is listed in NOTICE', () => {
    const notice = readFileSync(path.join(ROOT, 'NOTICE'), 'utf8');
    for (const set of ['cosign-real', 'notation-real']) {
      const base = path.join(ROOT, 'test', 'fixtures', set);
      const folders = readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory());
      expect(folders.length).toBeGreaterThan(5);
      expect(notice).toContain(`test/fixtures/${set}/`);
      for (const folder of folders) {
        expect(existsSync(path.join(base, folder.name, 'SOURCE.md'))).toBe(true);
        expect(notice).toContain(`${folder.name}/`);
      }
    }
  });

  it('has a LICENSE matching package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License');
  });
});
