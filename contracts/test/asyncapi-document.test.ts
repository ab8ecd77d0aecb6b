import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticSeverity, fromFile, Parser } from '@asyncapi/parser';
import test from 'ava';
import { parse } from 'yaml';
import { eventContractFolder, eventSchemaFile, eventTypesWithSchemas } from '../src/index.js';

const documentFile = join(eventContractFolder, 'asyncapi.yaml');

/** The parser's findings that are errors or warnings (hints and information left out). */
async function lint(file: string) {
  const { document, diagnostics } = await fromFile(new Parser(), file).parse();
  const problems = diagnostics
    .filter((diagnostic) => diagnostic.severity <= DiagnosticSeverity.Warning)
    .map((diagnostic) => `${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join('.')}`);
  return { document, problems };
}

interface AsyncApiYaml {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: {
    messages: Record<string, { name: string; payload: { schemaFormat: string; schema: { $ref: string } } }>;
  };
}

test('when the AsyncAPI document is parsed and linted by @asyncapi/parser, then it has no error and no warning', async (t) => {
  const { document, problems } = await lint(documentFile);
  t.deepEqual(problems, []);
  t.truthy(document);
  t.is(document?.version(), '3.0.0');
  t.deepEqual(
    document
      ?.channels()
      .all()
      .map((channel) => channel.address()),
    ['shop-events'],
  );
});

test('when the document has a broken reference, then the lint reports an error (the check can fail)', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'shop-asyncapi-'));
  try {
    for (const file of await readdir(eventContractFolder))
      await copyFile(join(eventContractFolder, file), join(folder, file));
    const text = await readFile(documentFile, 'utf8');
    await writeFile(
      join(folder, 'asyncapi.yaml'),
      text.replace('./shop.inventory.stock.low.v1.schema.json', './shop.inventory.stock.lo.v1.schema.json'),
    );
    const { problems } = await lint(join(folder, 'asyncapi.yaml'));
    t.true(
      problems.some((problem) => problem.startsWith('invalid-ref')),
      problems.join('\n'),
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('when the messages are listed, then each event type has one, named by its type, whose payload is its JSON Schema 2020-12 file', async (t) => {
  const yaml = parse(await readFile(documentFile, 'utf8')) as AsyncApiYaml;
  const messages = Object.values(yaml.components.messages);
  const byName = new Map(messages.map((message) => [message.name, message]));
  for (const type of eventTypesWithSchemas()) {
    const message = byName.get(type);
    t.truthy(message, `${type} has a message`);
    t.is(message?.payload.schemaFormat, 'application/schema+json;version=draft-2020-12');
    t.is(message?.payload.schema.$ref, `./${eventSchemaFile(type)}`);
  }
  t.is(byName.get('batch')?.payload.schema.$ref, './event-batch.schema.json');
  t.is(messages.length, eventTypesWithSchemas().length + 1, 'no message beyond the types and the batch');
  const channelMessages = Object.values(yaml.channels.events?.messages ?? {}).map((message) => message.$ref);
  t.deepEqual(
    channelMessages.sort(),
    Object.keys(yaml.components.messages)
      .map((key) => `#/components/messages/${key}`)
      .sort(),
    'the stream carries every message',
  );
});
