// Builds the bundles into dist/: the CLI and the library entry (dist/core.js, whose type
// declarations tsconfig.types.json emits), the language server and the VS Code extension.
// Bundles are CommonJS (VS Code loads extensions with require), so dist/ gets its own
// package.json saying so: the repository itself is an ES module package.
//
// The store's index runs in a worker thread (dist/index-worker.js) with sql.js, whose WebAssembly
// file is copied next to the bundles. Sources find both beside themselves with `import.meta.url`,
// which CommonJS lacks: every bundle defines it as its own file's URL.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

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

/**
 * Commander requires `child_process` when it loads, only to start executable subcommands, which
 * Lockstep does not have. Loading it (with sockets and streams) costs a short command several
 * milliseconds, so commander gets a stand-in that requires the module at its first use.
 * @type {import('esbuild').Plugin}
 */
const commanderWithoutEagerChildProcess = {
  name: 'commander-without-eager-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'lazy-child-process', namespace: 'lockstep' }
        : undefined,
    );
    build.onLoad({ filter: /^lazy-child-process$/, namespace: 'lockstep' }, () => ({
      contents:
        "module.exports = new Proxy({}, { get: (_target, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

// Chunks of earlier builds (their names carry a content hash) would pile up: start clean.
for (const file of await readdir('dist').catch(() => [])) {
  if (file.startsWith('cli-')) await rm(path.join('dist', file), { recursive: true });
}
await mkdir('dist', { recursive: true });
await writeFile('dist/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// The executable answers --version by itself and loads the command line (cli-main.mjs) otherwise.
await build({
  ...common,
  entryPoints: { cli: 'core/src/cli/launcher.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${moduleUrl}` },
});
// The command line proper is an ES module split into chunks: each command's code (loaded with
// `import()` when the command runs) and the code commands share are separate files, so a command
// reads and compiles only what it uses. Chunks sit beside the other bundles, where the sources'
// `import.meta.url` finds the index worker and the WebAssembly file. CommonJS packages inside
// call `require`, which an ES module lacks: each file makes its own.
await build({
  ...common,
  format: 'esm',
  splitting: true,
  define: {},
  entryPoints: { 'cli-main': 'core/src/cli/bin.ts' },
  // Whitespace and syntax only: names stay (errors are named after their classes), and a
  // smaller file is read and parsed sooner at every command.
  minifyWhitespace: true,
  minifySyntax: true,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'cli-[name]-[hash]',
  plugins: [commanderWithoutEagerChildProcess],
  banner: {
    js: "import { createRequire as __lockstepCreateRequire } from 'node:module';\nconst require = __lockstepCreateRequire(import.meta.url);",
  },
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
