/**
 * Reads docs/layout.md's table of which folder may import which, and checks a file's imports against it. Imports are
 * found by the TypeScript parser, not a regex, so an import inside a comment or a string does not count, and
 * `import type` is told apart from an import that loads code.
 */
import path from 'node:path';
import ts from 'typescript';

/** What one folder may import: `values` load code; `types` may be named in type-only imports alone. */
export interface Rule {
  values: string[];
  types: string[];
}

/** One import of a file: the folder (or watched package) it reaches and whether it loads code. */
export interface ImportOf {
  /** A top-level folder of the repository (`rl`, `index.ts`), or a package name (`@temporalio/client`, `openai`). */
  target: string;
  /** The specifier as written. */
  specifier: string;
  typeOnly: boolean;
}

/** Packages whose use is a layering decision; every other package (zod, node built-ins, …) is not checked. */
const WATCHED_PACKAGES = [/^@temporalio\//, /^@aws-sdk\//, /^openai$/];

/** Folder (or `index.ts`) → its rule, from the markdown table whose last column is "may import". */
export function layoutRules(markdown: string): Map<string, Rule | 'everything'> {
  const rules = new Map<string, Rule | 'everything'>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = cells[1]?.match(/^`([^`]+)`$/)?.[1];
    if (name === undefined || cells.length < 5) continue;
    const cell = cells[cells.length - 2];
    const [values, types = ''] = cell.split(/types only:/);
    const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/$/, ''));
    rules.set(
      name.replace(/\/$/, ''),
      /everything/.test(cell) ? 'everything' : { values: names(values), types: names(types) }
    );
  }
  return rules;
}

function folderOf(file: string): string {
  return file.includes('/') ? file.split('/')[0] : file;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** True when a named-imports clause imports types alone (`import { type A, type B }`). */
function allTypes(bindings: ts.NamedImportBindings | ts.NamedExportBindings | undefined): boolean {
  if (bindings === undefined) return false;
  const elements = ts.isNamedImports(bindings) || ts.isNamedExports(bindings) ? bindings.elements : [];
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** The imports, re-exports and dynamic `import()`s of a file at `file` (relative to the repository root). */
export function importsOf(file: string, source: string): ImportOf[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && allTypes(clause.namedBindings)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || allTypes(node.exportClause) });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.flatMap(({ specifier, typeOnly }) => {
    if (specifier.startsWith('.')) {
      const target = folderOf(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
      return [{ target, specifier, typeOnly }];
    }
    const pkg = packageOf(specifier);
    return WATCHED_PACKAGES.some((p) => p.test(pkg)) ? [{ target: pkg, specifier, typeOnly }] : [];
  });
}

function allows(names: string[], target: string): boolean {
  return names.some((n) => n === target || (n.endsWith('/*') && target.startsWith(n.slice(0, -1))));
}

/** One line per import of `file` that its folder's rule does not allow. */
export function violations(file: string, imports: ImportOf[], rules: Map<string, Rule | 'everything'>): string[] {
  const folder = folderOf(file);
  const rule = rules.get(folder);
  if (rule === undefined) return [`${file}: its folder '${folder}' has no row in docs/layout.md`];
  if (rule === 'everything') return [];
  return imports
    .filter((i) => i.target !== folder)
    .filter((i) => !allows(rule.values, i.target) && !(i.typeOnly && allows(rule.types, i.target)))
    .map(
      (i) =>
        `${file}: imports '${i.specifier}'${i.typeOnly ? ' (types)' : ''}, and ${folder}${folder.endsWith('.ts') ? '' : '/'} may not import ${i.target}`
    );
}
