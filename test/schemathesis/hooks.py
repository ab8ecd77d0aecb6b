"""Schemathesis hooks for the API fuzz test (test/e2e/api-fuzz.test.ts), loaded through SCHEMATHESIS_HOOKS.

What the test passes in the environment:
  SHOP_FUZZ_TOKENS     JSON: group -> the access token of a local user in it
  SHOP_FUZZ_OUTSIDERS  JSON: group -> access tokens of local users outside it
  SHOP_FUZZ_PRODUCT_ID a product the test created, for the bodies that must name one

What the contract cannot say for itself, and how each is handled here:

* Who calls. Each operation's security requirement names the Cognito group it needs, and the
  token of a user in that group is sent. `ignored_auth` checks that the same request without a
  token, or with a forged one, is refused; `group_is_enforced` below, that a valid token of a
  user outside the group is a 403.
* Prices. "At most 2 decimals, none in a zero-decimal currency" is no JSON Schema keyword for a
  decimal number (see `Price` in catalog.openapi.yaml), and in a patch it depends on the stored
  product's currency. A positive case's price is cut to 2 decimals, and a positive patch's
  price to a whole number, so that the service's 422 on other prices is not taken for a valid
  input refused. Negative cases are sent as generated.
* `\\P{Cc}`. Python's `re`, in which Schemathesis builds strings for patterns, has no Unicode
  properties; `\\P{Cc}` is the fixed set "not U+0000-U+001F, U+007F-U+009F" (Cc is closed by
  Unicode's stability policy), so it is spelled that way before the schema is loaded. The other
  properties (`\\p{L}`, `\\p{N}`, ...) Schemathesis translates itself, to Latin subsets.
* State the schema cannot know. Generated page cursors are not cursors the service issued (an
  altered cursor is a 422 by contract), so positive cases leave `cursor` out. A behaviour event
  must name a product that exists (a 422 otherwise, by contract), so a positive event that names
  none the run knows to exist names SHOP_FUZZ_PRODUCT_ID instead, and a delete of that product
  is aimed at an id that names nothing. An `Idempotency-Key` is the user's across a service and a second request
  with it is a 422 by contract, so a positive case's key is derived from its request: the same
  request gets the same key (and is replayed), another request another key. A search's
  `minPrice` above its `maxPrice` is a 422 by contract, so a positive case has them in order.
"""

import hashlib
import json
import os
from decimal import ROUND_DOWN, Decimal

import schemathesis
from schemathesis import GenerationMode

TOKENS: dict[str, str] = json.loads(os.environ.get("SHOP_FUZZ_TOKENS", "{}"))
OUTSIDERS: dict[str, list[str]] = json.loads(os.environ.get("SHOP_FUZZ_OUTSIDERS", "{}"))
PRODUCT_ID = os.environ.get("SHOP_FUZZ_PRODUCT_ID", "")

NOT_CONTROL = r"[^\x00-\x1F\x7F-\x9F]"

# The products that exist: the seeded one and those the run created and has not deleted (kept
# by `after_call`), so that a positive event names one of them. A deleted id never comes back:
# a create replayed under its Idempotency-Key answers with the id it created, even after that
# product was deleted.
LIVE_PRODUCTS: set[str] = {PRODUCT_ID}
DELETED_PRODUCTS: set[str] = set()
# A well-formed product id that names nothing: a delete aimed at the seeded product is sent
# here instead (a 404 by contract), so the seed stays for the events.
ABSENT_PRODUCT_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def required_groups(operation) -> list[str]:
    """The groups the operation's security requirement names (none for a public one)."""
    security = operation.definition.raw.get("security", operation.schema.raw_schema.get("security", []))
    return [group for requirement in security for scopes in requirement.values() for group in scopes]


def operation_id(operation) -> str:
    return operation.definition.raw.get("operationId", "")


def spelled_out(value):
    """`value` with every `\\P{Cc}` in a `pattern` replaced by the class it stands for."""
    if isinstance(value, list):
        return [spelled_out(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: item.replace(r"\P{Cc}", NOT_CONTROL) if key == "pattern" and isinstance(item, str) else spelled_out(item)
        for key, item in value.items()
    }


@schemathesis.hook
def before_load_schema(context, raw_schema):
    raw_schema.update(spelled_out(raw_schema))


@schemathesis.auth()
class CognitoGroupToken:
    """The access token of a local user in the group the operation needs."""

    def get(self, case, context):
        groups = required_groups(context.operation)
        return TOKENS[groups[0]] if groups else None

    def set(self, case, data, context):
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def cut_price(price, whole: bool):
    """A number as it would be with at most 2 decimals (or none), never more than it was."""
    if isinstance(price, bool) or not isinstance(price, (int, float)):
        return price
    step = Decimal("1") if whole else Decimal("0.01")
    cut = Decimal(repr(price)).quantize(step, rounding=ROUND_DOWN)
    return int(cut) if whole else float(cut)


def header_name(headers, name: str):
    return next((key for key in headers if key.lower() == name.lower()), None)


@schemathesis.hook
def before_call(context, case, kwargs):
    """Applied to every case of every phase (`map_case` is not applied to examples and coverage)."""
    if operation_id(context.operation) == "deleteProduct" and (case.path_parameters or {}).get("id") == PRODUCT_ID:
        case.path_parameters = {**case.path_parameters, "id": ABSENT_PRODUCT_ID}
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return
    operation = operation_id(context.operation)
    if isinstance(case.body, dict):
        body = dict(case.body)
        if "price" in body:
            body["price"] = cut_price(body["price"], whole=operation == "updateProduct")
        elif operation == "updateProduct" and "currency" in body:
            # A new currency is checked against the stored price, which a zero-decimal currency
            # refuses when it has cents (a 422 by contract); a whole price is valid in any currency.
            body["price"] = 10
        if operation == "recordBehaviourEvent" and body.get("productId") not in LIVE_PRODUCTS:
            body["productId"] = PRODUCT_ID
        case.body = body
    if isinstance(case.query, dict) and "cursor" in case.query:
        case.query = {key: value for key, value in case.query.items() if key != "cursor"}
    if operation == "searchProducts" and isinstance(case.query, dict):
        low, high = case.query.get("minPrice"), case.query.get("maxPrice")
        if low is not None and high is not None and float(low) > float(high):
            case.query = {**case.query, "minPrice": high, "maxPrice": low}
    key = header_name(case.headers or {}, "Idempotency-Key")
    if key is not None:
        request = json.dumps([case.method, case.path, case.path_parameters, case.body], sort_keys=True, default=str)
        case.headers = {**case.headers, key: hashlib.sha256(request.encode()).hexdigest()}


@schemathesis.hook
def after_call(context, case, response):
    operation = operation_id(context.operation)
    if operation == "createProduct" and response.status_code == 201:
        created = response.json()["id"]
        if created not in DELETED_PRODUCTS:
            LIVE_PRODUCTS.add(created)
    elif operation == "deleteProduct" and response.status_code == 204:
        deleted = (case.path_parameters or {}).get("id")
        LIVE_PRODUCTS.discard(deleted)
        DELETED_PRODUCTS.add(deleted)


@schemathesis.check
def group_is_enforced(ctx, response, case):
    """A request the group's token was granted is a 403 with the token of each user outside the group."""
    groups = required_groups(case.operation)
    if not groups or not 200 <= response.status_code < 300:
        return None
    for token in OUTSIDERS.get(groups[0], []):
        outsider = case.operation.Case(
            path_parameters=case.path_parameters,
            query=case.query,
            headers={**(case.headers or {}), "Authorization": f"Bearer {token}"},
            body=case.body,
            media_type=case.media_type,
        )
        answer = outsider.call()
        if answer.status_code != 403:
            raise AssertionError(
                f"{case.operation.label} needs the group {groups[0]}, but a valid token of a user outside "
                f"it was answered {answer.status_code}, not 403"
            )
    return None
