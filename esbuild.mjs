// Builds the bundles into dist/: the CLI and the library entry (dist/core.js, whose type
// declarations tsconfig.types.json emits), the language server and the VS Code extension.
// Bundles are CommonJS (VS Code loads extensions with require), so dist/ gets its own
// package.json saying so: the repository itself is an ES module package.
//
// The store's index runs in a worker thread (dist/index-worker.js) with sql.js, whose WebAssembly
// file is copied next to the bundles. Sources find both beside themselves with `import.meta.url`,
// which CommonJS lacks: every bundle defines it as its own file's URL.
import { build } from 'esbuild';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';

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
  define: { 'import.meta.url': '__lockstepModuleUrl' },
};
const moduleUrl = "const __lockstepModuleUrl = require('node:url').pathToFileURL(__filename).href;";

await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// The executable answers --version by itself and loads the command line (cli-main.js) otherwise.
await build({
  ...common,
  entryPoints: { cli: 'core/src/cli/launcher.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${moduleUrl}` },
});
await build({
  ...common,
  entryPoints: { 'cli-main': 'core/src/cli/bin.ts' },
  outdir: 'dist',
  banner: { js: moduleUrl },
});
await build({
  ...common,
  entryPoints: {
    core: 'core/src/index.ts',
    'index-worker': 'core/src/node/store/index/index-worker.ts',
  },
  outdir: 'dist',
  banner: { js: moduleUrl },
});
await build({
  ...common,
  entryPoints: {
    server: 'server/src/server.ts', // the language server: node dist/server.js --stdio
    service: 'core/src/service/main.ts', // the editor's workspace service (one per folder)
  },
  outdir: 'dist',
  banner: { js: moduleUrl },
});
await build({
  ...common,
  // The VS Code extension; `vscode` is provided by the editor at run time.
  entryPoints: { extension: 'client/src/extension.ts' },
  outdir: 'dist',
  external: ['vscode'],
  banner: { js: moduleUrl },
});
await copyFile('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
