import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CloudEvent } from '@shop/platform';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { addFormats } from './contract-ajv.js';
import type { EventDataByType } from './event-types.generated.js';

/** Every event type (with its version) that has a schema. */
export type ShopEventType = keyof EventDataByType;

/** The data of one event type, as its schema describes it. */
export type EventData<Type extends ShopEventType> = EventDataByType[Type];

/** An event of one type: the CloudEvents envelope with that type's data. */
export type ShopEventOf<Type extends ShopEventType> = CloudEvent<EventDataByType[Type], Type>;

/** Any event of the platform: a union that `type` tells apart, so checking it narrows `data`. */
export type ShopEvent = { [Type in ShopEventType]: ShopEventOf<Type> }[ShopEventType];

/** The folder of the event contract: one JSON Schema per event type and version, the envelope, the AsyncAPI document. */
export const eventContractFolder = fileURLToPath(new URL('../events/', import.meta.url));

/** The schema file of an event type. */
export const eventSchemaFile = (type: string): string => `${type}.schema.json`;

/**
 * Why an event breaks the contract: it is no CloudEvent as the platform writes them (`envelope`),
 * no schema has its type (`unknown-type`), or it fails its type's schema (`schema`).
 */
export type EventViolation = 'envelope' | 'unknown-type' | 'schema';

export type EventCheck =
  | { valid: true; event: ShopEvent }
  | { valid: false; violation: EventViolation; message: string; errors: string[] };

/** Raised by `assertShopEvent` for an event that breaks its contract; `errors` name each failing field. */
export class EventContractError extends Error {
  constructor(
    message: string,
    readonly violation: EventViolation,
    readonly errors: string[],
  ) {
    super(message);
    this.name = 'EventContractError';
  }
}

interface Validators {
  envelope: ValidateFunction;
  byType: Map<string, ValidateFunction>;
}

let validators: Validators | undefined;

// Compiled once, on first use: every schema file of the folder, referring to each other by file name.
function compiled(): Validators {
  if (validators) return validators;
  const ajv = addFormats(new Ajv2020({ allErrors: true }));
  const files = readdirSync(eventContractFolder).filter((file) => file.endsWith('.schema.json'));
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(`${eventContractFolder}${file}`, 'utf8')));
  const compile = (file: string) => {
    const validate = ajv.getSchema(file);
    if (!validate) throw new Error(`the event contract has no schema ${file}`);
    return validate;
  };
  const byType = new Map(
    files
      .filter((file) => file.startsWith('shop.'))
      .map((file) => [file.slice(0, -'.schema.json'.length), compile(file)] as const),
  );
  validators = { envelope: compile('cloud-event.schema.json'), byType };
  return validators;
}

/** Every event type that has a schema, sorted. */
export function eventTypesWithSchemas(): string[] {
  return [...compiled().byType.keys()].sort();
}

// "/data/quantity must be >= 1", "/ must NOT have additional properties (note)".
function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

function violation(kind: EventViolation, about: string, errors: string[]): EventCheck {
  // The first few errors say what is wrong; the rest repeat it for neighbouring fields.
  const shown = errors.slice(0, 5).join('; ');
  return { valid: false, violation: kind, message: `${about}: ${shown}${errors.length > 5 ? '; …' : ''}`, errors };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks one event against the contract: the CloudEvents envelope, then the schema of its type
 * (the version is part of the type). Never throws for bad input.
 */
export function checkEvent(value: unknown): EventCheck {
  const { envelope, byType } = compiled();
  if (!isObject(value)) return violation('envelope', 'not a CloudEvent', ['/ must be a JSON object']);
  const id = typeof value.id === 'string' ? `event ${value.id.slice(0, 64)}` : 'event without an id';
  const { type } = value;
  const validate = typeof type === 'string' ? byType.get(type) : undefined;
  if (!validate) {
    if (typeof type === 'string') return violation('unknown-type', id, [`/type ${type.slice(0, 200)} has no schema`]);
    envelope(value);
    return violation('envelope', `${id}: not a CloudEvent`, describe(envelope.errors));
  }
  if (!envelope(value)) return violation('envelope', `${id}: not a CloudEvent`, describe(envelope.errors));
  if (!validate(value)) return violation('schema', `${id} (${String(type)})`, describe(validate.errors));
  return { valid: true, event: value as unknown as ShopEvent };
}

/** Throws an `EventContractError` naming every failing field unless `value` keeps its event contract. */
export function assertShopEvent(value: unknown): asserts value is ShopEvent {
  const check = checkEvent(value);
  if (!check.valid) {
    throw new EventContractError(`${check.message} (see contracts/events)`, check.violation, check.errors);
  }
}
