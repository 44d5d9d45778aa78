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
import { createRequire } from 'node:module';
import path from 'node:path';

const production = process.argv.includes('--production');
const requireHere = createRequire(import.meta.url);

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
 * The command line's chunks load Node's costly built-in modules at their first use: crypto,
 * worker_threads, os, zlib and child_process take a millisecond or more each to load, and a listing
 * calls none of them. An import of one of them (or commander's require of child_process) gets an
 * object whose properties require the module when first read. Export names are this Node's.
 * Dynamic imports are left alone: by then, the cost is due.
 * @type {import('esbuild').Plugin}
 */
const builtinsLoadedAtFirstUse = {
  name: 'builtins-loaded-at-first-use',
  setup(build) {
    const costly = /^(node:)?(child_process|crypto|os|worker_threads|zlib)$/;
    build.onResolve({ filter: costly }, (args) =>
      // The require inside the module made here resolves to the built-in itself.
      args.namespace === 'builtin-at-first-use' || args.kind === 'dynamic-import'
        ? undefined
        : { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'builtin-at-first-use' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-at-first-use' }, (args) => ({
      contents: [
        'let loaded;',
        `for (const key of ${JSON.stringify(Object.keys(requireHere(args.path)))}) {`,
        '  Object.defineProperty(exports, key, {',
        '    enumerable: true,',
        `    get: () => (loaded ??= require(${JSON.stringify(args.path)}))[key],`,
        '  });',
        '}',
      ].join('\n'),
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
// The executable answers --version by itself and loads the command line (cli-main.js) otherwise.
await build({
  ...common,
  entryPoints: { cli: 'core/src/cli/launcher.ts' },
  outdir: 'dist',
  banner: { js: `#!/usr/bin/env node\n${moduleUrl}` },
});
// The command line proper is split into chunks: each command's code (loaded when the command
// runs) and the code commands share are separate files, so a command reads and compiles only what
// it uses. esbuild splits only ES modules, and Node's ES module loader costs a short command more
// than CommonJS's (its own start, then resolving and linking each file): the chunks are
// built as ES modules aside, then each is turned into CommonJS, its `import()`s into `require`s.
// Chunks sit beside the other bundles, where the sources' `import.meta.url` finds the index worker
// and the WebAssembly file.
const cliModules = 'dist/.cli-modules';
await rm(cliModules, { recursive: true, force: true });
const split = await build({
  ...common,
  format: 'esm',
  splitting: true,
  entryPoints: { 'cli-main': 'core/src/cli/bin.ts' },
  outdir: cliModules,
  chunkNames: 'cli-[name]-[hash]',
  plugins: [builtinsLoadedAtFirstUse],
  metafile: true,
});
await build({
  entryPoints: Object.keys(split.metafile.outputs).filter((file) => file.endsWith('.js')),
  outdir: 'dist',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  sourcemap: !production,
  // Whitespace and syntax only: names stay (errors are named after their classes), and a
  // smaller file is read and parsed sooner at every command.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  banner: { js: moduleUrl },
});
await rm(cliModules, { recursive: true });
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
