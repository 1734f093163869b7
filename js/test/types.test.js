// The TypeScript declarations (src/index.d.ts) against the package: a TypeScript user's
// code type-checks through the package name (README examples, every member, misuse
// refused: test/types/usage.ts), and what the declarations promise is what the
// JavaScript exports (every export declared, every declared method present).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

import * as api from '../src/index.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));

test('a TypeScript user\'s code type-checks, and misuse does not', () => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  // tsc prints its diagnostics on stdout: make them the failure message.
  try {
    execFileSync(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], { cwd: pkg, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc found errors:\n${e.stdout}${e.stderr}`);
  }
});

/** The declarations' exported values and each exported class's methods, by name. */
function declared() {
  const file = fileURLToPath(new URL('../src/index.d.ts', import.meta.url));
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const values = new Set();
  const classes = new Map();
  const methodsOf = (node) => node.members
    .filter((m) => ts.isMethodDeclaration(m) && m.name.text !== 'on')
    .map((m) => m.name.text);
  const local = new Map();
  for (const node of source.statements) {
    const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isClassDeclaration(node)) {
      const base = node.heritageClauses?.[0]?.types[0]?.expression.text;
      local.set(node.name.text, { methods: methodsOf(node), base });
      if (exported) classes.set(node.name.text, node.name.text);
    }
    if (!exported) continue;
    if (ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node)) values.add(node.name.text);
    if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) values.add(d.name.text);
  }
  // A class's methods include those of the declared classes it extends (SessionBase).
  const allMethods = (name) => {
    const entry = local.get(name);
    return entry ? [...entry.methods, ...allMethods(entry.base)] : [];
  };
  return { values, methods: new Map([...classes.keys()].map((name) => [name, allMethods(name)])) };
}

test('the declarations name exactly what the package exports, and every method exists', () => {
  const { values, methods } = declared();
  assert.deepEqual([...values].sort(), Object.keys(api).sort());
  // The walk found the inherited methods too (a check of this test itself).
  assert.ok(['send', 'receive', 'address'].every((m) => methods.get('DtlsSession').includes(m)));
  for (const [name, names] of methods) {
    for (const method of names) {
      assert.equal(typeof api[name].prototype[method], 'function', `${name}.prototype.${method}`);
    }
  }
});
