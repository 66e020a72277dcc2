// The lint rules that enforce the layering and forbid runtime import cycles, fed a fixture with one violation of
// each kind (scripts/lint-fixture), so a rule that stopped reporting would fail here and not pass silently.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '../../..');
const fixture = path.join(root, 'scripts/lint-fixture');

interface LintConfigModule {
  readonly default: readonly { readonly files?: readonly string[]; readonly rules?: Record<string, unknown> }[];
  readonly layeringRules: (basePath: string) => Record<string, unknown>;
  readonly importResolution: Record<string, unknown>;
}

async function lintConfig(): Promise<LintConfigModule> {
  return (await import(pathToFileURL(path.join(root, 'eslint.config.js')).href)) as LintConfigModule;
}

test('the layering rules report an upward import and a runtime cycle, and nothing else of the fixture', async () => {
  const { layeringRules, importResolution } = await lintConfig();
  const eslint = new ESLint({
    cwd: fixture,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { 'import-x': importX },
        settings: importResolution,
        rules: layeringRules(fixture) as Linter.RulesRecord,
      },
    ],
  });
  const results = await eslint.lintFiles(['src/**/*.ts']);
  const reported = results
    .flatMap((r) => r.messages.map((m) => `${path.relative(fixture, r.filePath)} ${m.ruleId ?? m.message}`))
    .sort();
  assert.deepEqual(reported, [
    'src/media/cycle-a.ts import-x/no-cycle',
    'src/media/cycle-b.ts import-x/no-cycle',
    'src/storage/reads-media.ts import-x/no-restricted-paths',
  ]);
});

test('the repository lint config applies the same layering rules to every file of src/', async () => {
  const config = await lintConfig();
  const block = config.default.find((c) => c.files?.includes('src/**/*.ts') && c.rules?.['import-x/no-cycle'] !== undefined);
  assert.ok(block, 'no config block applies import-x/no-cycle to src/**/*.ts');
  assert.deepEqual(block.rules, config.layeringRules(root));
});
