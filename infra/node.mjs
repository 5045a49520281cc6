#!/usr/bin/env node
// `node infra/node.mjs <node arguments>`: runs node with those arguments on a Node the project supports: this one when
// it is new enough, otherwise the pinned Node LTS from the tool cache (installed first when missing). The npm scripts
// start their TypeScript entry points through it, so `npm test` runs on the pinned Node even where the shell's `node`
// is older. See docs/node-runtime.md.
import { installPinnedNode, isSupportedNode, runAndExit } from './node-runtime.mjs';

const log = (msg) => process.stderr.write(`[node] ${msg}\n`);
runAndExit(isSupportedNode() ? process.execPath : installPinnedNode({ log }), process.argv.slice(2));
