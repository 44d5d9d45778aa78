// Builds the bundles into dist/: the CLI and the library entry (dist/core.js, whose type
// declarations tsconfig.types.json emits); the extension and the language server join here.
// Bundles are CommonJS (VS Code loads extensions with require), so dist/ gets its own
// package.json saying so: the repository itself is an ES module package.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';

const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
await build({
  ...common,
  entryPoints: { cli: 'core/src/cli/bin.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});
await build({ ...common, entryPoints: { core: 'core/src/index.ts' }, outdir: 'dist' });
