/**
 * Run as a script: imports the module named by argv[2] and prints, as JSON, every `@temporalio/*` file that importing
 * it resolved (a resolve hook sees each one, whether reached by `import` or by a CommonJS `require`).
 */
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    if (resolved.url.includes('/@temporalio/')) loaded.add(resolved.url.replace(/^.*\/node_modules\//, ''));
    return resolved;
  },
});
await import(pathToFileURL(path.resolve(process.argv[2])).href);
process.stdout.write(JSON.stringify([...loaded]));
