// Lint: type-aware rules so that no promise is ever dropped on the floor, and the layering of src/ (README "How it
// is built") with no runtime import cycle, so that a dependency pointing the wrong way fails `npm test`.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import besides itself and the shared leaves: dependencies point one way,
 * iscsi -> scsi -> library -> media -> storage, management -> library, physical -> initiator; config is read by library and management;
 * main.ts composes everything and is in no zone. Type-only imports count too: a type from a higher layer is
 * still a dependency on it.
 */
export const LAYERS = {
  iscsi: ['scsi'],
  scsi: ['library', 'media'],
  library: ['media', 'config'],
  media: ['storage'],
  storage: [],
  management: ['library', 'config', 'physical'],
  config: [],
  // The client side of iSCSI (issue 15): from the target it shares only the wire constants of iscsi/pdu.ts.
  initiator: ['iscsi/pdu.ts'],
  // Staging to physical tape libraries: SMC/SSC client logic over the initiator, copy jobs from the cartridges.
  // scsi/sense.ts is the one sense catalogue: the client puts the device's sense into the same words.
  physical: ['initiator', 'library', 'media', 'storage', 'config', 'scsi/sense.ts'],
};

/** Leaves every layer may use; they import no layer (and only each other). */
export const SHARED_LEAVES = ['log.ts', 'crc32c.ts', 'serial-queue.ts', 'release-memory.ts', 'thread-pool.ts', 'node-flags.ts'];

/** Inside scsi/: SSC and SMC extend SPC; SPC knows neither, and they do not know each other. */
const SCSI_ZONES = [
  { target: 'src/scsi/spc', from: ['src/scsi/ssc', 'src/scsi/smc'], message: 'SPC is shared by every device type: it must not depend on SSC or SMC.' },
  { target: 'src/scsi/ssc', from: 'src/scsi/smc', message: 'The tape drive (SSC) must not depend on the changer (SMC).' },
  { target: 'src/scsi/smc', from: 'src/scsi/ssc', message: 'The changer (SMC) must not depend on the tape drive (SSC).' },
];

/** The layering and cycle rules, for the src/ folder under `basePath` (the repository here; a fixture in its test). */
export function layeringRules(basePath) {
  const zones = [
    ...Object.entries(LAYERS).map(([layer, allowed]) => ({
      target: `src/${layer}`,
      from: 'src',
      except: [layer, ...allowed, ...SHARED_LEAVES].map((p) => `./${p}`),
      message: `src/${layer} may import only ${[...allowed, 'the shared leaves'].join(', ')} (README "How it is built").`,
    })),
    {
      target: SHARED_LEAVES.map((f) => `src/${f}`),
      from: 'src',
      except: SHARED_LEAVES.map((f) => `./${f}`),
      message: 'A shared leaf imports no layer.',
    },
    ...SCSI_ZONES,
  ];
  return {
    'import-x/no-restricted-paths': ['error', { basePath, zones }],
    // import-x skips `import type` (and imports whose every specifier is a type): they vanish at run time.
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
  };
}

/** How import-x resolves our specifiers: NodeNext imports name the emitted `.js` of a `.ts` source. */
export const importResolution = {
  'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
  'import-x/extensions': ['.ts', '.js'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
};

export default tseslint.config(
  // scripts/lint-fixture holds deliberate violations for test/lint/layering.test.ts.
  { ignores: ['dist/**', 'node_modules/**', 'bench/**/*.c', '**/*.js', '!eslint.config.js', 'scripts/lint-fixture/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself tracks.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: importResolution,
    rules: layeringRules(import.meta.dirname),
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
