#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Source maps are build artifacts, not shipped (docs/operating.md "Bundles and Node.js"): this turns positions in a
 * stack trace from a deployed function back into source files and lines.
 *
 *   npm run symbolicate -- <function dir, e.g. spot-interruption> < trace.txt
 *   npm run symbolicate -- .esbuild/.build/functions/spot-interruption/handler.js.map < trace.txt
 *
 * Reads the map kept by `sls package`/`sls deploy` (.esbuild/.build/functions/<dir>/handler.js.map,
 * which must come from the same build as the deployed zip) and rewrites every
 * `…/handler.js:LINE:COLUMN` on stdin. Uses Node's own source-map reader (node:module SourceMap).
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { SourceMap } = require('node:module');

const arg = process.argv[2];
if (!arg) {
  process.stderr.write('usage: npm run symbolicate -- <function dir | path to handler.js.map> < stack-trace.txt\n');
  process.exit(2);
}
const mapPath = arg.endsWith('.map') ? arg : join(__dirname, '..', '.esbuild', '.build', 'functions', arg, 'handler.js.map');
const map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
const input = readFileSync(0, 'utf8');
process.stdout.write(
  input.replace(/([^\s()]*handler\.js):(\d+):(\d+)/g, (whole, _file, line, column) => {
    // Stack traces count lines and columns from 1; findEntry takes them from 0.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  }),
);
