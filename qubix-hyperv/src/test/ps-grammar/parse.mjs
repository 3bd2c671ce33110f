// Parses PowerShell files with the real PowerShell grammar (tree-sitter-powershell, via
// web-tree-sitter) and reports every ERROR or MISSING node. Exit 0: all files parse cleanly.
// Usage: node parse.mjs FILE...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
await Parser.init();
const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(language);

let problems = 0;
for (const file of process.argv.slice(2)) {
  // a UTF-8 BOM is part of the file format PowerShell 5.1 needs, not of the program
  const source = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const tree = parser.parse(source);
  const bad = [];
  const walk = (node) => {
    if (node.isError || node.isMissing) {
      bad.push(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.isMissing ? 'MISSING ' + node.type : 'ERROR'} near ${JSON.stringify(source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 40)))}`);
    }
    if (node.hasError || node.isMissing) {
      for (const child of node.children) walk(child);
    }
  };
  walk(tree.rootNode);
  if (bad.length) {
    problems += bad.length;
    bad.forEach((b) => console.log(b));
  } else {
    console.log(`ok ${file}`);
  }
}
console.log(`${problems === 0 ? 'all files parse' : problems + ' problem(s)'}`);
process.exit(problems === 0 ? 0 : 1);
