// Fails when `npm run codegen` changes the committed generated types: run it, then
// ask git whether src/gql/ differs from what is committed (new files included).
import { execFileSync } from 'node:child_process';

const run = (command, args) =>
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 120_000 });

run('npm', ['run', '--silent', 'codegen']);
const changes = run('git', ['status', '--porcelain', '--untracked-files=all', '--', 'src/gql']);
if (changes.trim() !== '') {
  console.error('The generated types differ from schema.graphql and the documents:');
  console.error(changes);
  console.error(run('git', ['--no-pager', 'diff', '--stat', '--', 'src/gql']));
  console.error('Run `npm run codegen` in examples/console and commit src/gql/.');
  process.exit(1);
}
console.log('codegen: src/gql/ is up to date with ../../schema.graphql');
